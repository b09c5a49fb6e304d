from datetime import timedelta

import pytest
from sqlalchemy import select

from app.models import AuditEntry, EligibilityDecision, OutboxMessage
from app.core import clock as app_clock
from app.notifications import mailer
from app.selection import screening
from app.selection.screening import ScreeningError
from app.proposals.validation import Problem, Report
from tests.app.builders import applicant_of, submitted_proposal
from tests.factories import closed_call, officer_for


def test_confirming_keeps_the_automatic_findings_and_is_audited(app, db_session, monkeypatch):
    call = closed_call()
    proposal = submitted_proposal(call, "창원")
    officer = officer_for(call)
    monkeypatch.setattr(screening.validation, "validate",
                        lambda p: Report([Problem("budget", "local", "지방비가 국비의 40% 미만입니다.")]))
    decision = screening.decide(proposal, officer, "confirmed", "")
    assert decision.status == "confirmed"
    assert decision.automatic_checks == [{"section": "budget", "field": "local", "message": "지방비가 국비의 40% 미만입니다."}]
    assert screening.eligible_proposals(call) == [proposal]
    entry = db_session.scalar(select(AuditEntry).where(AuditEntry.action == "screening.confirmed"))
    assert entry.object_id == proposal.id and entry.actor_id == officer.id


def test_rejection_needs_a_reason_and_tells_the_consortium_why(app, db_session):
    call = closed_call()
    proposal = submitted_proposal(call, "창원")
    applicant = applicant_of(proposal)
    officer = officer_for(call)
    with pytest.raises(ScreeningError):
        screening.decide(proposal, officer, "rejected", "  ")
    screening.decide(proposal, officer, "rejected", "대상 산단이 아닙니다")
    assert screening.eligible_proposals(call) == []
    mail = db_session.scalar(select(OutboxMessage).where(OutboxMessage.template == "screening_rejected"))
    assert mail.user_id == applicant.id
    assert mail.context["reason"] == "대상 산단이 아닙니다"
    with app.test_request_context():
        built = mailer.build(mail)
    assert "적격성 검토" in built["Subject"]
    assert "대상 산단이 아닙니다" in built.get_body(preferencelist=("plain",)).get_content()


def test_a_second_different_rejection_is_mailed_again(app, db_session):
    call = closed_call()
    proposal = submitted_proposal(call, "창원")
    officer = officer_for(call)
    screening.decide(proposal, officer, "rejected", "첫 번째 사유")
    screening.decide(proposal, officer, "confirmed", "")
    screening.decide(proposal, officer, "rejected", "두 번째 사유")
    reasons = db_session.scalars(select(OutboxMessage.context).where(OutboxMessage.template == "screening_rejected")).all()
    assert [r["reason"] for r in reasons] == ["첫 번째 사유", "두 번째 사유"]
    assert db_session.scalar(select(EligibilityDecision.status)) == "rejected"


def test_screening_is_refused_while_the_call_is_open(app, clock):
    call = closed_call(closes_at=app_clock.now() + timedelta(days=3))
    proposal = submitted_proposal(call, "창원")
    with pytest.raises(ScreeningError):
        screening.decide(proposal, officer_for(call), "confirmed", "")


def test_the_queue_lists_every_submitted_proposal_with_its_checks(app):
    call = closed_call()
    a = submitted_proposal(call, "창원")
    b = submitted_proposal(call, "구미")
    screening.decide(a, officer_for(call), "confirmed", "")
    rows = screening.queue(call)
    assert [r.proposal for r in rows] == [a, b]
    assert rows[0].decision.status == "confirmed" and rows[1].decision is None


def test_a_decision_by_an_officer_loaded_before_a_commit_is_stored_with_its_decider(app, db_session):
    """After a commit the officer's row is expired; reading its id must not flush a half-made decision."""
    call = closed_call()
    proposal = submitted_proposal(call, "창원")
    officer = officer_for(call)
    db_session.commit()

    decision = screening.decide(proposal, officer, "confirmed", "")
    db_session.commit()

    assert db_session.get(EligibilityDecision, decision.id).decided_by_id == officer.id


def test_the_screening_list_says_which_proposals_were_edited_after_their_submission(app, client, db_session):
    """The officer screens the submitted version; a later draft edit is flagged, not hidden."""
    from tests.support import sign_in, visible_text

    call = closed_call()
    edited, untouched = submitted_proposal(call, "창원"), submitted_proposal(call, "구미")
    edited.updated_at = edited.submitted_at + timedelta(minutes=5)
    untouched.updated_at = untouched.submitted_at
    officer = officer_for(call)
    db_session.commit()
    sign_in(client, officer)
    html = client.get(f"/officer/calls/{call.id}/screening").get_data(as_text=True)
    row_of = {p.receipt_no: visible_text(next(r for r in html.split("<tr") if p.receipt_no in r)) for p in (edited, untouched)}
    note = "제출 후 수정됨 — 다시 제출해야 반영됩니다"
    assert note in row_of[edited.receipt_no] and note not in row_of[untouched.receipt_no]
