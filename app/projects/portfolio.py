"""The portfolio of a programme (사업 현황): every project of its calls, how far its KPIs got, how much of
its budget was spent, which reports are due or late and which inspection actions are overdue.

Figures come from submitted report versions (``figures``); the whole portfolio is read with a fixed
number of queries, whatever the number of projects.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models.calls import Call, Programme
from app.models.consortia import Consortium
from app.models.projects import (
    Inspection, InspectionAction, Project, ProjectKpi, ProjectPoc, Report, ReportStatus,
)
from app.models.proposals import BUDGET_SOURCES
from app.projects import figures, inspections
from app.selection import charts as svg

OPEN_REPORTS = (ReportStatus.DUE, ReportStatus.RETURNED)


@dataclass
class KpiRow:
    poc: ProjectPoc
    kpi: ProjectKpi
    actual: Decimal | None
    progress: Decimal | None  # (actual − baseline) / (target − baseline), uncapped

    @property
    def reached(self) -> bool:
        if self.actual is None:
            return False
        if self.progress is None:  # target equal to the baseline: reached once the actual gets there
            return self.actual >= self.kpi.target
        return self.progress >= 1

    @property
    def shown_percent(self) -> int | None:
        """Progress for display, held between 0 and 100 %."""
        if self.progress is None:
            return 100 if self.reached else None
        return int(min(max(self.progress, Decimal(0)), Decimal(1)) * 100)


@dataclass
class ProjectRow:
    project: Project
    kpis: list[KpiRow] = field(default_factory=list)
    planned: dict[tuple[int, str], int] = field(default_factory=dict)
    executed: dict[tuple[int, str], int] = field(default_factory=dict)
    next_due: Report | None = None
    returned: int = 0
    overdue_reports: list[Report] = field(default_factory=list)
    overdue_actions: list[InspectionAction] = field(default_factory=list)

    @property
    def reached(self) -> int:
        return sum(1 for k in self.kpis if k.reached)

    @property
    def planned_total(self) -> int:
        return sum(self.planned.values())

    @property
    def executed_total(self) -> int:
        return sum(self.executed.values())

    @property
    def rate(self) -> Decimal | None:
        return rate(self.executed_total, self.planned_total)

    def by_year(self) -> list[tuple[int, str, int, int]]:
        """(year, source, planned, executed) for every line planned or executed."""
        keys = sorted(set(self.planned) | set(self.executed), key=lambda k: (k[0], BUDGET_SOURCES.index(k[1])
                                                                            if k[1] in BUDGET_SOURCES else 9))
        return [(y, s, self.planned.get((y, s), 0), self.executed.get((y, s), 0)) for y, s in keys]


@dataclass
class Portfolio:
    programme: Programme
    rows: list[ProjectRow]
    today: date

    @property
    def totals(self) -> dict[str, int]:
        return {"projects": len(self.rows), "kpis": sum(len(r.kpis) for r in self.rows),
                "reached": sum(r.reached for r in self.rows),
                "planned": sum(r.planned_total for r in self.rows),
                "executed": sum(r.executed_total for r in self.rows),
                "overdue_reports": sum(len(r.overdue_reports) for r in self.rows),
                "overdue_actions": sum(len(r.overdue_actions) for r in self.rows)}

    def by_source(self) -> list[tuple[str, int, int]]:
        planned, executed = defaultdict(int), defaultdict(int)
        for row in self.rows:
            for (_year, s), a in row.planned.items():
                planned[s] += a
            for (_year, s), a in row.executed.items():
                executed[s] += a
        return [(s, planned[s], executed[s]) for s in BUDGET_SOURCES]


def rate(executed: int, planned: int) -> Decimal | None:
    """Execution rate in percent, one decimal; None when nothing was planned."""
    if not planned:
        return None
    return (Decimal(executed) * 100 / Decimal(planned)).quantize(Decimal("0.1"))


def progress(kpi: ProjectKpi, actual: Decimal | None) -> Decimal | None:
    if actual is None or kpi.target == kpi.baseline:
        return None
    return (actual - kpi.baseline) / (kpi.target - kpi.baseline)


def projects_of(programme: Programme) -> list[Project]:
    return list(db.session.scalars(
        select(Project).join(Call, Call.id == Project.call_id).where(Call.programme_id == programme.id)
        .options(selectinload(Project.pocs).selectinload(ProjectPoc.kpis), selectinload(Project.budget_lines),
                 selectinload(Project.reports).selectinload(Report.versions), selectinload(Project.call),
                 selectinload(Project.proposal),
                 selectinload(Project.consortium).selectinload(Consortium.lead_org))
        .order_by(Call.id, Project.id)))


def build(programme: Programme, on: date | None = None) -> Portfolio:
    on = on or inspections.today()
    projects = projects_of(programme)
    actions: dict[int, list[InspectionAction]] = defaultdict(list)
    if projects:
        for inspection in db.session.scalars(
                select(Inspection).where(Inspection.project_id.in_([p.id for p in projects]))
                .options(selectinload(Inspection.actions))):
            actions[inspection.project_id] += [a for a in inspection.actions if inspections.is_overdue(a, on)]
    rows = []
    for project in projects:
        found = figures.of_reports(project.reports)
        row = ProjectRow(project, planned={(l.year, l.source): l.amount for l in project.budget_lines},
                         executed=found.executed, overdue_actions=actions[project.id])
        for poc in project.pocs:
            for kpi in poc.kpis:
                actual = found.actuals.get(kpi.id)
                row.kpis.append(KpiRow(poc, kpi, actual, progress(kpi, actual)))
        waiting = sorted((r for r in project.reports if r.status in OPEN_REPORTS), key=lambda r: r.effective_due_on)
        row.next_due = waiting[0] if waiting else None
        row.returned = sum(1 for r in project.reports if r.status == ReportStatus.RETURNED)
        row.overdue_reports = [r for r in waiting if r.effective_due_on < on]
        rows.append(row)
    return Portfolio(programme, rows, on)


def charts(portfolio: Portfolio) -> dict:
    """Server-drawn SVG (``app.selection.charts``); the page shows the same figures in its tables."""
    def label(row: ProjectRow) -> str:
        title = row.project.title
        return title if len(title) <= 16 else title[:15] + "…"

    return {
        "kpis": svg.progress_chart(_("과제별 목표 달성 성과지표 수"),
                                   [(label(r), r.reached, len(r.kpis)) for r in portfolio.rows]),
        "execution": svg.bar_chart(_("과제별 사업비 집행률"),
                                   [(label(r), r.rate or Decimal(0)) for r in portfolio.rows], unit="%"),
    }
