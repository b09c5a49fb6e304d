"""The project a signed agreement starts: the accepted plan carried over, and its report schedule."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from flask import current_app

from app import audit
from app.extensions import db
from app.models.agreements import Agreement
from app.models.projects import Project, ProjectBudgetLine, ProjectKpi, ProjectPoc, Report
from app.models.proposals import BUDGET_SOURCES
from app.projects import schedule


def _number(text) -> Decimal:
    try:
        return Decimal(str(text)) if text not in (None, "") else Decimal(0)
    except InvalidOperation:
        return Decimal(0)


def start(agreement: Agreement, actor) -> Project:
    """Make the project of a fully signed agreement (once: a second call returns the same project)."""
    existing = db.session.scalar(db.select(Project).where(Project.agreement_id == agreement.id))
    if existing is not None:
        return existing
    revision = agreement.accepted_revision
    if revision is None or agreement.period_start is None or agreement.period_end is None:
        raise ValueError("an agreement without an accepted plan or a period cannot start a project")
    plan = revision.snapshot
    proposal = agreement.proposal
    project = Project(agreement_id=agreement.id, call_id=agreement.call_id, proposal_id=proposal.id,
                      consortium_id=proposal.consortium_id,
                      title=(plan.get("overview") or {}).get("title") or proposal.title,
                      period_start=agreement.period_start, period_end=agreement.period_end)
    db.session.add(project)
    db.session.flush()
    for i, poc in enumerate(plan.get("poc_plans", [])):
        row = ProjectPoc(project_id=project.id, position=i, tenant_firm=poc.get("tenant_firm", ""),
                         problem=poc.get("problem", ""), ai_solution=poc.get("ai_solution", ""),
                         budget=int(poc.get("budget") or 0))
        project.pocs.append(row)
        db.session.flush()
        for j, kpi in enumerate(poc.get("kpis", [])):
            if not (kpi.get("name") or "").strip():
                continue
            row.kpis.append(ProjectKpi(project_id=project.id, position=j, name=kpi["name"], unit=kpi.get("unit", ""),
                                       baseline=_number(kpi.get("baseline")), target=_number(kpi.get("target"))))
    for line in (plan.get("budget") or {}).get("rows", []):
        for source in BUDGET_SOURCES:
            amount = int(line.get(source) or 0)
            if amount:
                project.budget_lines.append(ProjectBudgetLine(year=int(line["year"]), source=source, amount=amount))
    cfg = current_app.config
    for slot in schedule.slots(agreement.period_start, agreement.period_end,
                               annual_days=cfg.get("ANNUAL_REPORT_DAYS", schedule.ANNUAL_REPORT_DAYS),
                               final_days=cfg.get("FINAL_REPORT_DAYS", schedule.FINAL_REPORT_DAYS)):
        project.reports.append(Report(kind=slot.kind, year=slot.year, covers_from=slot.covers_from,
                                      covers_to=slot.covers_to, due_on=slot.due_on, sections={}))
    db.session.flush()
    audit.record(actor, "project.started", project, call=agreement.call_id, agreement_id=agreement.id,
                 reports=len(project.reports), kpis=sum(len(p.kpis) for p in project.pocs))
    return project
