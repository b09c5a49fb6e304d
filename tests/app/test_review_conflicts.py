"""Recusal (회피) and challenges (기피): reasons required, audited, seats refilled."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEntry, Notification
from app.review import assignment, conflicts
from tests.app.builders import pool_of, submitted_proposal
from tests.factories import OrganisationFactory, UserFactory, closed_call, officer_for


def test_recusal_needs_a_reason(app):
    call = closed_call()
    officer = officer_for(call)
    p = submitted_proposal(call)
    (u,) = pool_of(call, officer, 1)
    a = assignment.assign(call, p, u.id, officer)
    with pytest.raises(conflicts.ConflictError):
        conflicts.recuse(a, u, "   ")
    assert a.coi_status == "pending"


def test_challenge_upheld_removes_reviewer_and_reassigns(app):
    call = closed_call()
    officer = officer_for(call)
    p = submitted_proposal(call)
    applicant = UserFactory(organisation=p.consortium.lead_org)
    suspect_org = OrganisationFactory(name="경쟁기술(주)", type="ai_supplier")
    (suspect,) = pool_of(call, officer, 1, organisation=suspect_org)
    others = pool_of(call, officer, 5)
    assignment.auto_assign(call, officer)
    assert suspect.id in {a.reviewer_id for a in conflicts.live_assignments(p)}

    c = conflicts.file_challenge(p, applicant, target_organisation="경쟁기술", target_person="",
                                 reason="경쟁 컨소시엄의 AI 공급기업 소속")
    matches = conflicts.matching_assignments(c)
    assert [m.reviewer_id for m in matches] == [suspect.id]

    replacements = conflicts.uphold(c, officer, matches[0], "경쟁관계 확인")

    assert c.status == "upheld" and c.reviewer_id == suspect.id and c.decided_by_id == officer.id
    assert matches[0].coi_status == "removed"
    assert [r.reviewer_id for r in replacements] == [others[-1].id]
    live = {a.reviewer_id for a in conflicts.live_assignments(p)}
    assert suspect.id not in live and len(live) == 5
    assert {e.entry.user_id: e.code for e in assignment.exclusions(call, p)} == {suspect.id: "removed"}
    actions = [e.action for e in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id))]
    assert "challenge.filed" in actions and "challenge.upheld" in actions
    assert db.session.scalar(select(Notification).where(Notification.user_id == applicant.id,
                                                        Notification.kind == "challenge_upheld"))
    with pytest.raises(conflicts.ConflictError):
        conflicts.reject(c, officer, "두 번 처리")


def test_challenge_rejected_keeps_the_panel(app):
    call = closed_call()
    officer = officer_for(call)
    p = submitted_proposal(call)
    applicant = UserFactory(organisation=p.consortium.lead_org)
    pool_of(call, officer, 5)
    assignment.auto_assign(call, officer)
    before = {a.reviewer_id for a in conflicts.live_assignments(p)}
    with pytest.raises(conflicts.ConflictError):
        conflicts.file_challenge(p, applicant, target_organisation="", target_person="", reason="이유")
    with pytest.raises(conflicts.ConflictError):
        conflicts.file_challenge(p, applicant, target_organisation="어딘가", target_person="", reason=" ")
    c = conflicts.file_challenge(p, applicant, target_organisation="없는기관", target_person="", reason="의심")
    assert conflicts.matching_assignments(c) == []
    with pytest.raises(conflicts.ConflictError):
        conflicts.reject(c, officer, "")
    conflicts.reject(c, officer, "해당 기관 소속 평가위원 없음")
    assert c.status == "rejected"
    assert {a.reviewer_id for a in conflicts.live_assignments(p)} == before


def test_no_challenge_after_the_decision(app):
    call = closed_call(phase="decided")
    p = submitted_proposal(call)
    applicant = UserFactory(organisation=p.consortium.lead_org)
    with pytest.raises(conflicts.ConflictError):
        conflicts.file_challenge(p, applicant, target_organisation="기관", target_person="", reason="사유")
