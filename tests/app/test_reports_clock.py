"""Report reminders on the clock: D-14, D-7, D-1 before the due day (KST), once each; the latest
only after an outage; a returned report is reminded of its supplement's due day."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.core import clock as app_clock
from app.extensions import db
from app.models import OutboxMessage
from app.models.projects import ReportStatus
from app.notifications import reminders
from app.projects import report_clock, report_submission, reports
from tests.app.award_builders import signed_project
from tests.app.test_reports import complete
from tests.support import read_mails


@pytest.fixture
def scene(app, clock, isolated_dirs):
    project, officer, applicant = signed_project()
    return project, project.reports[0], officer, applicant


def at_kst(day: date, hour: int = 9):
    return app_clock.kst(day.year, day.month, day.day, hour)


def sent() -> list[tuple[str, int]]:
    db.session.expire_all()
    return [(m.context["days"], m.user_id) for m in db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.template == "report_reminder").order_by(OutboxMessage.id))]


def test_the_kind_due_is_the_latest_offset_reached_and_none_from_the_due_day():
    due = date(2026, 3, 1)
    assert report_clock.due_kind(due, due - timedelta(days=15)) is None
    assert report_clock.due_kind(due, due - timedelta(days=14)) == "d14"
    assert report_clock.due_kind(due, due - timedelta(days=8)) == "d14"
    assert report_clock.due_kind(due, due - timedelta(days=3)) == "d7"
    assert report_clock.due_kind(due, due - timedelta(days=1)) == "d1"
    assert report_clock.due_kind(due, due) is None


def test_reminders_go_at_d14_d7_d1_once_each_to_the_consortium(scene, clock, mailbox):
    project, report, officer, applicant = scene
    due = report.due_on  # 2026-03-01
    clock.move_to(at_kst(due - timedelta(days=15)))
    assert reminders.run()["report_reminders"] == 0
    for days in (14, 7, 1):
        clock.move_to(at_kst(due - timedelta(days=days), hour=0) + timedelta(minutes=1))
        assert reminders.run()["report_reminders"] == 1
        clock.shift(timedelta(hours=3))
        assert reminders.run()["report_reminders"] == 0  # never twice
    assert sent() == [(14, applicant.id), (7, applicant.id), (1, applicant.id)]
    delivered = [m for m in read_mails(mailbox, to=applicant.email) if "제출 기한 2026-03-01" in m["Subject"]]
    assert len(delivered) == 3 and "(14일 남음)" in delivered[0].get_body(("plain",)).get_content()
    clock.move_to(at_kst(due))
    assert reminders.run()["report_reminders"] == 0  # due today: flagged, not reminded


def test_after_an_outage_only_the_latest_due_reminder_goes(scene, clock):
    project, report, officer, applicant = scene
    clock.move_to(at_kst(report.due_on - timedelta(days=2)))
    reminders.run()
    reminders.run()
    assert sent() == [(2, applicant.id)]


def test_a_submitted_report_is_not_reminded_and_a_returned_one_is_for_its_supplement(scene, clock):
    project, report, officer, applicant = scene
    clock.move_to(at_kst(date(2026, 2, 10)))
    data = complete(report)
    reports.save(report, applicant, sections={k: data[f"section-{k}"] for k in reports.sections_of(report)},
                 actuals={k.id: reports.ActualInput(Decimal(1), date(2025, 12, 1))
                          for k in reports.kpis(report)}, executions={})
    report_submission.submit(report, applicant)
    db.session.commit()
    clock.move_to(at_kst(report.due_on - timedelta(days=1)))
    assert reminders.run()["report_reminders"] == 0
    report_submission.return_for_supplement(report, officer, {"general": "보완 바랍니다."}, date(2026, 3, 10))
    db.session.commit()
    assert report.status == ReportStatus.RETURNED
    clock.move_to(at_kst(date(2026, 3, 9)))
    assert reminders.run()["report_reminders"] == 1
    assert reminders.run()["report_reminders"] == 0
    mail = db.session.scalar(select(OutboxMessage).where(OutboxMessage.template == "report_reminder"))
    assert mail.context["returned"] and mail.context["due"] == "2026-03-10"
