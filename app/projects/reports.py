"""Drafting a report (보고서): narrative sections, KPI actuals, budget execution and files.

The report's own rows (``Report.sections``, KpiActual, BudgetExecution, ReportFile) are its
draft: the consortium's lead saves them as often as it likes while the report is due or
returned for supplement; what was submitted is frozen in ReportVersion snapshots
(app/projects/report_submission.py). A save refuses only what cannot be what the user meant
(text in a money cell, a negative amount, a file that is not a document); whether the report
is complete is checked when it is submitted.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import BinaryIO

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.core import numbers
from app import audit
from app.core import clock
from app.core.errors import ProjectsError
from app.core.money import MAX_WON
from app.extensions import db
from app.models.projects import (
    BudgetExecution, KpiActual, ProjectKpi, ProjectStatus, Report, ReportFile, ReportKind, ReportStatus,
)
from app.models.proposals import BUDGET_SOURCES
from app.proposals import attachments, blobs

# The narrative sections, in the page's order; the final report adds how the results will be used.
SECTIONS = {
    "summary": _l("추진 실적 요약"),
    "pocs": _l("PoC별 추진 현황"),
    "issues": _l("문제점 및 개선 방안"),
    "plans": _l("향후 계획"),
}
FINAL_SECTIONS = {"utilisation": _l("성과 활용 계획")}
KIND_LABELS = {ReportKind.ANNUAL: _l("연차보고서"), ReportKind.INTERIM: _l("단계보고서"),
               ReportKind.FINAL: _l("최종보고서")}
STATUS_LABELS = {ReportStatus.DUE: _l("작성 중"), ReportStatus.SUBMITTED: _l("검토 중"),
                 ReportStatus.RETURNED: _l("보완요청"), ReportStatus.ACCEPTED: _l("승인")}
EDITABLE = (ReportStatus.DUE, ReportStatus.RETURNED)
SECTION_MAX = 20_000
NOTE_MAX = 2_000
MAX_FILES = 20
KPI_LIMIT = Decimal(10) ** 14  # Numeric(18, 4)
KPI_PLACES = 4


class ReportError(ProjectsError):
    """A report that cannot be saved, submitted or decided as asked."""


class ReportInvalid(ReportError):
    """Values refused, by the page's field names (``section-summary``, ``kpi-3-value``, ``exec-local-2025``)."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(", ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


@dataclass(frozen=True)
class ActualInput:
    value: Decimal | None = None
    measured_on: date | None = None
    note: str = ""


def kind_label(kind: str) -> str:
    return str(KIND_LABELS.get(kind, kind))


def status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))


def sections_of(report: Report) -> dict:
    """Section key -> label, in order, for the report's kind."""
    return {**SECTIONS, **(FINAL_SECTIONS if report.kind == ReportKind.FINAL else {})}


def years(report: Report) -> list[int]:
    return list(range(report.covers_from.year, report.covers_to.year + 1))


def kpis(report: Report) -> list[ProjectKpi]:
    return [kpi for poc in report.project.pocs for kpi in poc.kpis]


def today() -> date:
    return clock.to_kst(clock.now()).date()


def is_editable(report: Report) -> bool:
    return report.status in EDITABLE and report.project.status == ProjectStatus.ACTIVE


def is_overdue(report: Report, on: date | None = None) -> bool:
    return report.status in EDITABLE and report.effective_due_on < (on or today())


def ensure_editable(report: Report) -> None:
    if not is_editable(report):
        raise ReportError(_("제출한 보고서는 검토가 끝날 때까지 고칠 수 없습니다. 보완요청을 받으면 다시 고칠 수 있습니다."))


def actuals_by_kpi(report: Report) -> dict[int, KpiActual]:
    return {a.kpi_id: a for a in report.actuals}


def executed(report: Report) -> dict[tuple[int, str], int]:
    return {(e.year, e.source): e.amount for e in report.executions}


def budget_rows(report: Report, amounts: dict[tuple[int, str], int] | None = None) -> list[dict]:
    """Per covered year: the plan and the execution of each source, and the year's totals."""
    amounts = executed(report) if amounts is None else amounts
    project = report.project
    rows = []
    for year in years(report):
        cells = {s: {"planned": project.planned(year, s), "executed": amounts.get((year, s))} for s in BUDGET_SOURCES}
        rows.append({"year": year, "cells": cells,
                     "planned": sum(c["planned"] for c in cells.values()),
                     "executed": sum(c["executed"] or 0 for c in cells.values())})
    return rows


def file_key(row: ReportFile | dict) -> str:
    return row["storage_key"] if isinstance(row, dict) else row.storage_key


def draft_state(report: Report) -> dict:
    """What a save may change, as plain values (the audit entry's before and after)."""
    return {
        "sections": dict(report.sections or {}),
        "actuals": {str(a.kpi_id): [None if a.value is None else numbers.plain(a.value),
                                    a.measured_on.isoformat() if a.measured_on else None, a.note,
                                    a.evidence_file_id] for a in report.actuals},
        "executions": {f"{e.year}/{e.source}": e.amount for e in report.executions},
        "files": sorted(f.sha256 for f in report.files),
    }


# --- checks of single values ------------------------------------------------------------------

def _text(value, limit: int, name: str, errors: dict) -> str:
    text = (value or "").strip()
    if len(text) > limit:
        errors[name] = _("%(max)d자 이내로 입력하십시오.", max=limit)
    return text


def _quantity(value, name: str, errors: dict) -> Decimal | None:
    if value is None:
        return None
    if not isinstance(value, Decimal) or not value.is_finite():
        errors[name] = _("숫자로 입력하십시오 (예: 12.5).")
    elif abs(value) >= KPI_LIMIT:
        errors[name] = _("값이 너무 큽니다.")
    elif value.as_tuple().exponent < -KPI_PLACES:
        errors[name] = _("소수점 아래 넷째 자리까지 입력할 수 있습니다.")
    return value


def _won(value, name: str, errors: dict) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        errors[name] = _("금액은 원 단위 숫자로 입력하십시오.")
    elif value < 0:
        errors[name] = _("금액은 0원 이상이어야 합니다.")
    elif value > MAX_WON:
        errors[name] = _("금액이 너무 큽니다. 1,000조원 이하로 입력하십시오.")
    return value


# --- the save -----------------------------------------------------------------------------------

def save(report: Report, actor, *, sections: dict[str, str], actuals: dict[int, ActualInput],
         executions: dict[tuple[int, str], int | None], evidence: dict[int, tuple[BinaryIO, str | None]] | None = None,
         attachments_in: Iterable[tuple[BinaryIO, str | None]] = (), remove: Iterable[int] = ()) -> None:
    """Replace the draft with what the page posted; raises ReportInvalid (nothing changed) on a bad value.

    ``sections`` and ``actuals`` missing a key empty it; ``executions`` cells given as None are
    emptied; ``evidence`` replaces a KPI's evidence file; ``remove`` names files to drop.
    """
    ensure_editable(report)
    errors: dict[str, str] = {}
    keys = sections_of(report)
    texts = {k: _text(sections.get(k), SECTION_MAX, f"section-{k}", errors) for k in keys}
    known = {k.id for k in kpis(report)}
    wanted_actuals: dict[int, ActualInput] = {}
    for kpi_id, given in actuals.items():
        if kpi_id not in known:
            raise ReportError(_("이 과제의 성과지표가 아닙니다."))
        wanted_actuals[kpi_id] = ActualInput(_quantity(given.value, f"kpi-{kpi_id}-value", errors), given.measured_on,
                                             _text(given.note, NOTE_MAX, f"kpi-{kpi_id}-note", errors))
    covered = set(years(report))
    wanted_exec: dict[tuple[int, str], int] = {}
    for (year, source), amount in executions.items():
        if year not in covered or source not in BUDGET_SOURCES:
            raise ReportError(_("보고 기간의 연도와 재원 구분에 없는 칸입니다."))
        value = _won(amount, f"exec-{source}-{year}", errors)
        if value is not None:
            wanted_exec[(year, source)] = value
    evidence = {k: v for k, v in (evidence or {}).items() if v[0] is not None and v[1]}
    uploads = [(s, n) for s, n in attachments_in if s is not None and n]
    removing = {f.id for f in report.files if f.id in set(remove)}
    if len(report.files) - len(removing) + len(uploads) + len(evidence) > MAX_FILES:
        errors["attachments"] = _("파일은 보고서당 %(n)d개까지 올릴 수 있습니다.", n=MAX_FILES)
    if errors:
        raise ReportInvalid(errors)

    before = draft_state(report)
    report.sections = texts
    _apply_actuals(report, wanted_actuals)
    _apply_executions(report, wanted_exec)
    by_kpi = actuals_by_kpi(report)
    for f in [f for f in report.files if f.id in removing]:
        for a in report.actuals:
            if a.evidence_file_id == f.id:
                a.evidence_file_id = None
        report.files.remove(f)
    for kpi_id, (stream, name) in evidence.items():
        if kpi_id not in known:
            raise ReportError(_("이 과제의 성과지표가 아닙니다."))
        row = _keep(report, actor, stream, name, "evidence", f"kpi-{kpi_id}-evidence")
        actual = by_kpi.get(kpi_id)
        if actual is None:
            actual = KpiActual(kpi_id=kpi_id)
            report.actuals.append(actual)
            by_kpi[kpi_id] = actual
        old = next((f for f in report.files if f.id == actual.evidence_file_id), None)
        actual.evidence_file_id = row.id
        if old is not None:
            report.files.remove(old)
    for stream, name in uploads:
        _keep(report, actor, stream, name, "attachment", "attachments")
    db.session.flush()
    after = draft_state(report)
    changes = audit.changes(before, after)
    if changes:
        audit.record(actor, "report.saved", report, call=report.project.call_id, project_id=report.project_id,
                     changes=changes)


def _apply_actuals(report: Report, wanted: dict[int, ActualInput]) -> None:
    rows = actuals_by_kpi(report)
    for kpi_id, given in wanted.items():
        row = rows.get(kpi_id)
        blank = given.value is None and given.measured_on is None and not given.note
        if blank and (row is None or row.evidence_file_id is None):
            if row is not None:
                report.actuals.remove(row)
            continue
        if row is None:
            row = KpiActual(kpi_id=kpi_id)
            report.actuals.append(row)
        row.value, row.measured_on, row.note = given.value, given.measured_on, given.note


def _apply_executions(report: Report, wanted: dict[tuple[int, str], int]) -> None:
    # In place: deleting and re-inserting one (year, source) in a flush would trip the unique key.
    wanted = dict(wanted)
    for row in list(report.executions):
        key = (row.year, row.source)
        if key in wanted:
            row.amount = wanted.pop(key)
        else:
            report.executions.remove(row)
    for (year, source), amount in sorted(wanted.items()):
        report.executions.append(BudgetExecution(year=year, source=source, amount=amount))


def _keep(report: Report, actor, stream: BinaryIO, filename: str | None, kind: str, field: str) -> ReportFile:
    """Checked by content and kept by sha256 like a proposal's attachments, within the call's size limit."""
    try:
        kept = blobs.keep(stream, filename, report.project.call.max_attachment_bytes)
    except attachments.AttachmentError as exc:
        raise ReportInvalid({field: exc.message}) from None
    row = ReportFile(kind=kind, filename=kept.filename, size=kept.size, sha256=kept.sha256,
                     detected_type=kept.detected_type, storage_key=kept.storage_key, uploaded_by_id=actor.id,
                     uploaded_at=clock.now())
    report.files.append(row)
    db.session.flush()
    return row
