from datetime import timedelta

import pytest
from sqlalchemy import select

from app.models import AuditEntry, OutboxMessage
from app.calls import lifecycle
from app.selection import decisions
from app.selection import objections, results, screening
from app.selection.objections import ObjectionError
from tests.app.builders import applicant_of, submitted_proposal, uniform_sheets
from tests.factories import closed_call, officer_for


def _announced(clock_fixture=None):
    call = closed_call()
    officer = officer_for(call)
    p = submitted_proposal(call, "창원")
    applicant = applicant_of(p)
    screening.decide(p, officer, "confirmed", "")
    lifecycle.start_review(call, officer)
    results.compute(call, officer, uniform_sheets(p, "20", "15", "6", "6"))
    return call, officer, p, applicant


def test_no_objection_before_the_announcement(app, clock):
    call, officer, p, applicant = _announced()
    with pytest.raises(ObjectionError):
        objections.file(p, applicant, "평가 점수 산정에 오류가 있습니다.", "misreading")


def test_objection_within_ten_days_reaches_the_officers_and_is_answered(app, clock, db_session):
    call, officer, p, applicant = _announced()
    decisions.decide(call, officer)
    decisions.announce(call, officer)
    clock.shift(timedelta(days=9))
    with pytest.raises(ObjectionError):
        objections.file(p, applicant, "짧음", "misreading")
    o = objections.file(p, applicant, "인프라 항목 평가에서 오픈랩 계획이 반영되지 않았습니다.", "misreading")
    filed = db_session.scalar(select(OutboxMessage).where(OutboxMessage.template == "objection_filed"))
    assert filed.user_id == officer.id
    with pytest.raises(ObjectionError):
        objections.file(p, applicant, "두 번째 이의신청도 접수해 주십시오.", "misreading")
    due = objections.due_list(call)
    assert [d.objection for d in due] == [o] and due[0].due == o.filed_at + timedelta(days=30)
    assert not due[0].overdue
    objections.answer(o, officer, "재검토 결과 점수 산정에 오류가 없었습니다.", decision="rejected")
    assert o.status == "answered" and objections.due_list(call) == []
    answered = db_session.scalar(select(OutboxMessage).where(OutboxMessage.template == "objection_answered"))
    assert answered.user_id == applicant.id
    actions = db_session.scalars(select(AuditEntry.action).where(AuditEntry.object_type == "objection")).all()
    assert actions == ["objection.filed", "objection.answered"]
    with pytest.raises(ObjectionError):
        objections.answer(o, officer, "다시 답변하려는 시도입니다.", decision="upheld")


def test_objection_after_ten_days_is_refused(app, clock):
    call, officer, p, applicant = _announced()
    decisions.decide(call, officer)
    decisions.announce(call, officer)
    clock.shift(timedelta(days=10, seconds=1))
    with pytest.raises(ObjectionError):
        objections.file(p, applicant, "인프라 항목 평가에 오류가 있습니다.", "misreading")


def test_an_unanswered_objection_becomes_overdue_after_thirty_days(app, clock):
    call, officer, p, applicant = _announced()
    decisions.decide(call, officer)
    decisions.announce(call, officer)
    objections.file(p, applicant, "인프라 항목 평가에 오류가 있습니다.", "misreading")
    clock.shift(timedelta(days=31))
    assert objections.due_list(call)[0].overdue
