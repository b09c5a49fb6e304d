"""Plan-change and inspection tasks of the home page: the officers' changes to decide and overdue
inspection actions; the consortium's follow-up actions coming due. One query each."""
from __future__ import annotations

from datetime import timedelta

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from app.core import clock
from app.extensions import db
from app.models.consortia import Consortium
from app.models.projects import (
    Inspection, InspectionAction, PlanChange, PlanChangeStatus, Project, ProjectStatus,
)
from app.worklist.item import Task

# A follow-up action shows up for the consortium this many days before its due day (and while overdue).
SOON_DAYS = 14


def _end_of(day):
    return clock.kst(day.year, day.month, day.day, 23, 59, 59)


def officer_tasks(call_ids: list[int], role: str) -> list[Task]:
    if not call_ids:
        return []
    today = clock.to_kst(clock.now()).date()
    out = []
    rows = db.session.execute(
        select(Project.id, Project.title, func.count(PlanChange.id))
        .join(PlanChange, PlanChange.project_id == Project.id)
        .where(Project.call_id.in_(call_ids), PlanChange.status == PlanChangeStatus.REQUESTED)
        .group_by(Project.id, Project.title).order_by(Project.id))
    for pid, title, n in rows:
        out.append(Task(role, _("결정할 사업계획 변경 %(n)s건 · %(project)s", n=n, project=title),
                        url_for("projects.show", project_id=pid, _anchor="plan-changes")))
    rows = db.session.execute(
        select(Project.id, Project.title, func.count(InspectionAction.id), func.min(InspectionAction.due_on))
        .join(Inspection, Inspection.project_id == Project.id)
        .join(InspectionAction, InspectionAction.inspection_id == Inspection.id)
        .where(Project.call_id.in_(call_ids), InspectionAction.done_at.is_(None), InspectionAction.due_on < today)
        .group_by(Project.id, Project.title).order_by(Project.id))
    for pid, title, n, first in rows:
        out.append(Task(role, _("기한이 지난 현장점검 조치 %(n)s건 · %(project)s", n=n, project=title),
                        url_for("projects.show", project_id=pid, _anchor="inspections"), _end_of(first)))
    return out


def applicant_tasks(user, role: str) -> list[Task]:
    """Open follow-up actions of the projects the user's organisation leads, due soon or overdue."""
    if user.acting_organisation_id is None or not user.has_role("applicant"):
        return []
    today = clock.to_kst(clock.now()).date()
    rows = db.session.execute(
        select(InspectionAction, Inspection.project_id, Project.title)
        .join(Inspection, Inspection.id == InspectionAction.inspection_id)
        .join(Project, Project.id == Inspection.project_id)
        .join(Consortium, Consortium.id == Project.consortium_id)
        .where(Consortium.lead_org_id == user.acting_organisation_id, Project.status == ProjectStatus.ACTIVE,
               InspectionAction.done_at.is_(None), InspectionAction.due_on <= today + timedelta(days=SOON_DAYS))
        .order_by(InspectionAction.due_on, InspectionAction.id)).all()
    return [Task(role, _("현장점검 후속 조치 (기한 %(due)s) · %(project)s", due=action.due_on.isoformat(), project=title),
                 url_for("projects.inspection", project_id=pid, inspection_id=action.inspection_id), _end_of(action.due_on))
            for action, pid, title in rows]
