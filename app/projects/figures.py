"""Figures a project's submitted reports state: KPI actuals and budget execution, read from the frozen
``ReportVersion`` snapshots (never from the drafts, which the consortium may still be editing).

The snapshot form the report service writes (the only place this module depends on it)::

    snapshot["actuals"] = [{"kpi_id": int, "value": "Decimal string" | None, "measured_on": "YYYY-MM-DD" | None, ...}]
    snapshot["executions"] = [{"year": int, "source": str, "executed": int (won), "planned": int, ...}]

(``amount`` is read too, where ``executed`` is missing: the form first agreed on.)

Which versions count: every version not returned for supplement (보완요청) — a pending one
(submitted, being read) or an accepted one. Later ones win: ordered by the report's period, then
the version number, so for each KPI the latest stated value is its actual, and for each (year,
source) the latest stated amount is its execution.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from app.models.projects import Report, ReportDecision, ReportVersion


@dataclass
class Figures:
    actuals: dict[int, Decimal] = field(default_factory=dict)  # kpi id -> latest value
    executed: dict[tuple[int, str], int] = field(default_factory=dict)  # (year, source) -> won


def _decimal(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        d = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return d if d.is_finite() else None


def read(snapshot: dict) -> tuple[dict[int, Decimal], dict[tuple[int, str], int]]:
    """The (KPI actuals, executions) one snapshot states; entries that do not parse are left out."""
    actuals, executed = {}, {}
    for row in (snapshot or {}).get("actuals") or []:
        value = _decimal(row.get("value"))
        if isinstance(row.get("kpi_id"), int) and value is not None:
            actuals[row["kpi_id"]] = value
    for row in (snapshot or {}).get("executions") or []:
        try:
            amount = row["executed"] if "executed" in row else row.get("amount")
            executed[(int(row["year"]), str(row["source"]))] = int(amount or 0)
        except (KeyError, TypeError, ValueError):
            continue
    return actuals, executed


def counted(reports: list[Report]) -> list[ReportVersion]:
    """The versions that count, oldest first (reports and their versions already loaded)."""
    out = []
    for report in sorted(reports, key=lambda r: (r.covers_to, r.id)):
        out += [v for v in sorted(report.versions, key=lambda v: v.number)
                if v.decision != ReportDecision.RETURNED]
    return out


def of_reports(reports: list[Report]) -> Figures:
    figures = Figures()
    for version in counted(reports):
        actuals, executed = read(version.snapshot)
        figures.actuals.update(actuals)
        figures.executed.update(executed)
    return figures
