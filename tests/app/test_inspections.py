"""현장점검: the officer records a visit and its follow-up actions, closes them; overdue ones show."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEntry, OutboxMessage
from app.models.projects import Inspection, InspectionAction
from app.notifications import mailer
from app.projects import inspections
from app.projects.inspections import ActionDraft, InspectionError
from app.worklist import tasks as worklist
from tests.app.award_builders import signed_project
from tests.support import sign_in


@pytest.fixture
def world(app, clock, db_session, isolated_dirs):
    found = signed_project()
    clock.move_to("2025-09-15 03:00:00+00:00")
    return found


def _counts():
    return (db.session.scalar(select(func.count(Inspection.id))), db.session.scalar(select(func.count(AuditEntry.id))))


def _refused(call, *fields):
    before = _counts()
    with pytest.raises(InspectionError) as refused:
        call()
    db.session.rollback()
    assert [f for f, _ in refused.value.problems] == list(fields)
    assert _counts() == before


def test_every_rule_of_a_record_is_refused_beside_its_field(world):
    project, officer, _ = world
    record = lambda day, who="감독관 김", text="현장 확인", actions=(): inspections.record(  # noqa: E731
        project, officer, day, who, text, list(actions))
    _refused(lambda: record(None), "held_on")
    _refused(lambda: record(date(2025, 9, 16)), "held_on")  # tomorrow in Seoul
    _refused(lambda: record(date(2025, 6, 30)), "held_on")  # before the agreement's period
    _refused(lambda: record(date(2025, 9, 1), who="", text=""), "inspectors", "findings")
    _refused(lambda: record(date(2025, 9, 1), actions=[ActionDraft("", None), ActionDraft("장비 보완", None),
                                                       ActionDraft("", date(2025, 9, 30)),
                                                       ActionDraft("보고", date(2025, 8, 1))]),
             "actions-1-due_on", "actions-2-description", "actions-3-due_on")


def test_a_recorded_inspection_is_audited_and_told_and_an_action_done_with_a_note(world, clock):
    project, officer, applicant = world
    found = inspections.record(project, officer, date(2025, 9, 10), "감독관 김, 위원 이", "설비 설치 확인",
                               [ActionDraft("안전 표지 부착", date(2025, 9, 20)), ActionDraft("", None)])
    db.session.commit()
    assert [a.description for a in found.actions] == ["안전 표지 부착"]
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "inspection.recorded")).one()
    assert entry.data["actions"][0]["due_on"] == "2025-09-20" and entry.call_id == project.call_id
    assert db.session.scalar(select(func.count(OutboxMessage.id)).where(
        OutboxMessage.template == "inspection_recorded", OutboxMessage.user_id == applicant.id)) == 1
    action = found.actions[0]
    assert not inspections.is_overdue(action)
    clock.move_to("2025-09-21 03:00:00+00:00")
    assert inspections.overdue_of([found]) == [action]
    with pytest.raises(InspectionError):
        inspections.complete(action, officer, " ")
    db.session.rollback()
    assert db.session.get(InspectionAction, action.id).done_at is None
    inspections.complete(action, officer, "부착 완료, 사진 확인")
    db.session.commit()
    assert inspections.overdue_of([found]) == []
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "inspection.action_done")).one()
    assert entry.data["late"] is True and entry.data["changes"]["done_note"] == ["", "부착 완료, 사진 확인"]
    with pytest.raises(InspectionError):
        inspections.complete(action, officer, "다시")


def test_the_officer_records_through_the_page_and_the_consortium_only_reads(world, client, clock):
    project, officer, applicant = world
    sign_in(client, officer)
    resp = client.post(f"/projects/{project.id}/inspections/new", data={
        "held_on": "2025-09-10", "inspectors": "감독관 김", "findings": "확인",
        "actions-0-description": "조치", "actions-0-due_on": "2025-09-01"})
    assert resp.status_code == 422 and "조치 기한은 점검일 이후여야 합니다." in resp.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Inspection.id))) == 0
    resp = client.post(f"/projects/{project.id}/inspections/new", data={
        "held_on": "2025-09-10", "inspectors": "감독관 김", "findings": "확인",
        "actions-0-description": "안전 표지 부착", "actions-0-due_on": "2025-09-12"})
    assert resp.status_code == 303
    found = db.session.scalars(select(Inspection)).one()
    action = found.actions[0]
    page = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert "기한이 지난 조치 사항 1건" in page  # due 12 September, today the 15th
    url = f"/projects/{project.id}/inspections/{found.id}/actions/{action.id}/done"
    assert client.post(url, data={"note": ""}).status_code == 422
    client.post("/logout")
    sign_in(client, applicant)
    page = client.get(f"/projects/{project.id}/inspections/{found.id}")
    assert page.status_code == 200 and "안전 표지 부착" in page.get_data(as_text=True)
    assert "완료로 기록" not in page.get_data(as_text=True)
    assert client.post(url, data={"note": "했습니다"}).status_code == 403
    assert client.get(f"/projects/{project.id}/inspections/new").status_code == 403
    assert db.session.get(InspectionAction, action.id).done_at is None


def test_home_lists_overdue_actions_for_officers_and_due_ones_for_the_consortium(world, app, clock):
    project, officer, applicant = world
    inspections.record(project, officer, date(2025, 9, 10), "감독관", "점검",
                       [ActionDraft("안전 표지 부착", date(2025, 9, 20)), ActionDraft("장비 교체", date(2025, 12, 31))])
    db.session.commit()

    def texts(user, role):
        with app.test_request_context():
            return [t.text for t in worklist.for_user(user)[role]]

    assert texts(applicant, "applicant").count(f"현장점검 후속 조치 (기한 2025-09-20) · {project.title}") == 1
    assert not any("장비 교체" in t or "2025-12-31" in t for t in texts(applicant, "applicant"))  # not due soon
    assert not any("현장점검" in t for t in texts(officer, "officer"))
    clock.move_to("2025-09-21 03:00:00+00:00")
    assert f"기한이 지난 현장점검 조치 1건 · {project.title}" in texts(officer, "officer")


def test_the_consortiums_mail_renders_with_the_actions(world):
    project, officer, applicant = world
    found = inspections.record(project, officer, date(2025, 9, 10), "감독관", "설비 확인",
                               [ActionDraft("안전 표지 부착", date(2025, 9, 20))])
    db.session.commit()
    message = db.session.scalars(select(OutboxMessage).where(OutboxMessage.template == "inspection_recorded")).one()
    mail = mailer.build(message)
    body = mail.get_body(("plain",)).get_content()
    assert project.title in mail["Subject"] and "안전 표지 부착 (기한 2025-09-20)" in body
    assert f"/projects/{project.id}/inspections/{found.id}" in body
