"""A recusal or an upheld challenge refills the seat from the pool, or the officers hear that nobody is left."""
from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import AuditEntry, Challenge, Notification, ReviewAssignment
from app.review import assignment, conflicts
from tests.app.builders import pool_of, submitted_proposal
from tests.factories import closed_call, officer_for
from tests.support import mails, sign_in


def _seated(call, n_pool):
    officer = officer_for(call)
    proposal = submitted_proposal(call)
    users = pool_of(call, officer, n_pool)
    assignment.auto_assign(call, officer)
    db.session.commit()
    return officer, proposal, users


def test_recusal_with_nobody_left_tells_the_officers_by_mail_and_notice(app, client):
    call = closed_call()
    call.reviewers_per_proposal = 3
    officer, proposal, users = _seated(call, 3)  # the whole pool sits on the panel
    a = db.session.scalar(select(ReviewAssignment).where(ReviewAssignment.reviewer_id == users[0].id))
    sign_in(client, users[0])

    response = client.post(f"/review/a/{a.id}/recuse", data={"reason": "공동연구 수행 중", "confirm": "y"})

    assert response.status_code == 303
    assert db.session.get(ReviewAssignment, a.id).coi_status == "recused"
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "review.seat_unfilled"))
    assert entry.object_id == proposal.id and entry.data["missing"] == 1 and entry.data["trigger"] == "recusal"
    told = mails(app)[f"seat-unfilled:{entry.id}:{officer.id}"]
    assert proposal.title in told["Subject"] and f"/officer/calls/{call.id}/assignments" in told.get_body(
        ("plain",)).get_content()
    notice = db.session.scalar(select(Notification).where(Notification.user_id == officer.id,
                                                          Notification.kind == "seat_unfilled"))
    assert "평가위원 1명이 비었으나" in notice.text_in("ko") and "1 empty reviewer seat" in notice.text_in("en")
    assert notice.url == f"/officer/calls/{call.id}/assignments"


def test_recusal_with_someone_left_refills_and_tells_nobody(app):
    call = closed_call()
    call.reviewers_per_proposal = 3
    officer, proposal, users = _seated(call, 4)
    a = db.session.scalar(select(ReviewAssignment).where(ReviewAssignment.reviewer_id == users[0].id))

    replacements = conflicts.recuse(a, users[0], "공동연구 수행 중")

    assert [r.reviewer_id for r in replacements] == [users[3].id]
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "review.seat_unfilled")) is None
    assert not db.session.scalars(select(Notification).where(Notification.kind == "seat_unfilled")).all()


def test_upheld_challenge_with_nobody_left_tells_the_officers(app):
    call = closed_call()
    call.reviewers_per_proposal = 3
    officer, proposal, users = _seated(call, 3)
    a = db.session.scalar(select(ReviewAssignment).where(ReviewAssignment.reviewer_id == users[1].id))
    challenge = Challenge(proposal_id=proposal.id, filed_by_id=proposal.created_by_id,
                          target_organisation=users[1].organisation.name, reason="경쟁관계")
    db.session.add(challenge)
    db.session.flush()

    assert conflicts.uphold(challenge, officer, a, "경쟁관계 확인") == []

    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "review.seat_unfilled"))
    assert entry.data == {"missing": 1, "trigger": "challenge", "panel_size": 3}
    assert db.session.scalar(select(Notification).where(Notification.user_id == officer.id,
                                                        Notification.kind == "seat_unfilled")) is not None
