"""Report tasks of the home page: the lead's reports coming due (or overdue, or returned for
supplement) and the officers' reports waiting for review. One query each."""
from __future__ import annotations

from datetime import date, timedelta

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import or_, select

from app.core import clock
from app.extensions import db
from app.models.consortia import Consortium
from app.models.projects import Project, ProjectStatus, Report, ReportStatus
from app.projects.reports import kind_label
from app.worklist.item import Task

# A due report shows up this many days before its due day (and stays while overdue).
SOON_DAYS = 30


def _end_of(day: date):
    """The last second of a KST day: a report due that day is on time until then."""
    return clock.kst(day.year, day.month, day.day, 23, 59, 59)


def applicant_tasks(user, role: str) -> list[Task]:
    """The reports the user's organisation writes as a consortium's lead."""
    if user.acting_organisation_id is None or not user.has_role("applicant"):
        return []
    today = clock.to_kst(clock.now()).date()
    rows = db.session.execute(
        select(Report, Project.title)
        .join(Project, Project.id == Report.project_id)
        .join(Consortium, Consortium.id == Project.consortium_id)
        .where(Consortium.lead_org_id == user.acting_organisation_id, Project.status == ProjectStatus.ACTIVE,
               or_(Report.status == ReportStatus.RETURNED,
                   (Report.status == ReportStatus.DUE) & (Report.due_on <= today + timedelta(days=SOON_DAYS))))
        .order_by(Report.due_on, Report.id)).all()
    out = []
    for report, title in rows:
        due = report.effective_due_on
        url = url_for("projects.report", project_id=report.project_id, report_id=report.id)
        what = kind_label(report.kind)
        if report.status == ReportStatus.RETURNED:
            text = _("보고서 보완 제출 (기한 %(due)s) · %(project)s %(year)s년 %(kind)s", due=due.isoformat(),
                     project=title, year=report.year, kind=what)
        elif due < today:
            text = _("보고서 제출 기한 경과 (%(due)s) · %(project)s %(year)s년 %(kind)s", due=due.isoformat(),
                     project=title, year=report.year, kind=what)
        else:
            text = _("보고서 제출 기한 %(due)s · %(project)s %(year)s년 %(kind)s", due=due.isoformat(),
                     project=title, year=report.year, kind=what)
        out.append(Task(role, text, url, _end_of(due)))
    return out


def officer_tasks(call_ids: list[int], role: str) -> list[Task]:
    """Submitted reports of the officer's calls, waiting for acceptance or a return."""
    if not call_ids:
        return []
    rows = db.session.execute(
        select(Report, Project.title)
        .join(Project, Project.id == Report.project_id)
        .where(Project.call_id.in_(call_ids), Report.status == ReportStatus.SUBMITTED)
        .order_by(Report.updated_at, Report.id)).all()
    return [Task(role, _("검토할 보고서 · %(project)s %(year)s년 %(kind)s", project=title, year=report.year,
                         kind=kind_label(report.kind)),
                 url_for("projects.report", project_id=report.project_id, report_id=report.id))
            for report, title in rows]
