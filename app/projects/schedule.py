"""Which reports a project owes, and when, from its agreement's period (no database here).

Every year of the period but the last ends with an annual report (연차보고서) due
``ANNUAL_REPORT_DAYS`` after 31 December; the year that closes the first stage (the middle of the
period) owes an interim report (단계보고서) instead; the period ends with the final report
(최종보고서) due ``FINAL_REPORT_DAYS`` after its last day (60, as the agreement rules say).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from app.models.projects import ReportKind

ANNUAL_REPORT_DAYS = 60
FINAL_REPORT_DAYS = 60


@dataclass(frozen=True)
class Slot:
    kind: str
    year: int
    covers_from: date
    covers_to: date
    due_on: date


def slots(period_start: date, period_end: date, *, annual_days: int = ANNUAL_REPORT_DAYS,
          final_days: int = FINAL_REPORT_DAYS) -> list[Slot]:
    if period_end < period_start:
        raise ValueError("period ends before it starts")
    years = list(range(period_start.year, period_end.year + 1))
    # A period of three or more years has two stages, the first of ceil(n / 2) years; its report
    # covers the whole stage.
    stage_end = years[-(-len(years) // 2) - 1] if len(years) >= 3 else None
    out: list[Slot] = []
    for year in years[:-1]:
        interim = year == stage_end
        out.append(Slot(ReportKind.INTERIM if interim else ReportKind.ANNUAL, year,
                        period_start if interim else max(period_start, date(year, 1, 1)), date(year, 12, 31),
                        date(year, 12, 31) + timedelta(days=annual_days)))
    out.append(Slot(ReportKind.FINAL, years[-1], period_start, period_end,
                    period_end + timedelta(days=final_days)))
    return out
