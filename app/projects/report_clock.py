"""Report reminders on the clock: D-14, D-7 and D-1 before a report's due day (KST).

The due day is the report's own, or the supplement's once it was returned (보완요청); each
supplement round is reminded afresh. Every reminder to every contact is claimed once
(``reminders.claim``), and after an outage only the latest one due goes out, never the burst
of everything missed. On the due day and after, nothing is sent: the report is flagged overdue
on the project page and in the home task lists instead.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import or_, select

from app.core import clock
from app.core.links import portal_url
from app.extensions import db
from app.models.projects import Project, ProjectStatus, Report, ReportStatus
from app.notifications import outbox, reminders
from app.notifications.contacts import consortium_contacts

# From the earliest to the latest, in days before the due day.
OFFSETS: tuple[tuple[str, int], ...] = (("d14", 14), ("d7", 7), ("d1", 1))
HORIZON = max(days for _, days in OFFSETS)


def due_kind(due_on: date, today: date) -> str | None:
    """The latest reminder due on ``today``; earlier ones missed while the beat was down are skipped."""
    if today >= due_on:
        return None
    latest = None
    for kind, days in OFFSETS:
        if due_on - timedelta(days=days) <= today:
            latest = kind
    return latest


def claim_kind(report: Report, kind: str) -> str:
    """``rep12r0-d7``: the round is 0 before the first submission, then the number of versions sent."""
    rnd = len(report.versions) if report.status == ReportStatus.RETURNED else 0
    return f"rep{report.id}r{rnd}-{kind}"


def tick(at: datetime) -> int:
    today = clock.to_kst(at).date()
    last = today + timedelta(days=HORIZON)
    ids = db.session.scalars(
        select(Report.id).join(Project, Project.id == Report.project_id)
        .where(Project.status == ProjectStatus.ACTIVE,
               or_((Report.status == ReportStatus.DUE) & (Report.due_on > today) & (Report.due_on <= last),
                   (Report.status == ReportStatus.RETURNED) & (Report.supplement_due_on > today)
                   & (Report.supplement_due_on <= last)))
        .order_by(Report.id)
    ).all()
    return reminders.each_row(Report, ids, lambda report: _remind(report, today))


def _remind(report: Report, today: date) -> int:
    due = report.effective_due_on
    kind = due_kind(due, today)
    if kind is None:
        return 0
    project = report.project
    url = portal_url("projects.report", project_id=project.id, report_id=report.id)
    sent = 0
    for user in consortium_contacts(project.consortium):
        if not reminders.claim(project.call_id, claim_kind(report, kind), user.id):
            continue
        outbox.queue(
            f"report_reminder:{claim_kind(report, kind)}:{user.id}", "report_reminder", user,
            {"project_title": project.title, "kind": report.kind, "year": report.year, "due": due.isoformat(),
             "days": (due - today).days, "returned": report.status == ReportStatus.RETURNED, "url": url},
            in_app=_notice(kind, project.title, due),
            url=url,
        )
        sent += 1
    return sent


def _notice(kind: str, title: str, due: date) -> outbox.Notice:
    # One whole sentence per kind, so a translator never assembles the number of days.
    return {
        "d14": outbox.notice("[%(project)s] 보고서 제출 기한(%(due)s)이 14일 남았습니다.", project=title, due=due.isoformat()),
        "d7": outbox.notice("[%(project)s] 보고서 제출 기한(%(due)s)이 7일 남았습니다.", project=title, due=due.isoformat()),
        "d1": outbox.notice("[%(project)s] 보고서 제출 기한(%(due)s)이 내일입니다.", project=title, due=due.isoformat()),
    }[kind]


reminders.on_the_clock("report_reminders", tick)
