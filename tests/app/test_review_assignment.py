"""Reviewer pool and assignment: k per proposal, even load, 제척, conflicts, reasons."""
from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEntry, ConsortiumMember, EligibilityDecision, OutboxMessage, ReviewAssignment, User
from app.review import assignment, conflicts, reviewers
from app.core import clock
from tests.app.builders import pool_of, submitted_proposal
from tests.factories import OrganisationFactory, ProposalFactory, UserFactory, closed_call, officer_for
from tests.support import sign_in


def live(call):
    return [a for a in assignment.assignments_of(call) if a.active]


def test_auto_assignment_gives_k_reviewers_with_even_load(app):
    call = closed_call()
    officer = officer_for(call)
    proposals = [submitted_proposal(call) for _ in range(7)]
    ProposalFactory(call=call, status="draft")  # drafts are never reviewed
    pool_of(call, officer, 12)

    result = assignment.auto_assign(call, officer)

    rows = live(call)
    per_proposal = Counter(a.proposal_id for a in rows)
    assert per_proposal == {p.id: 5 for p in proposals}
    load = Counter(a.reviewer_id for a in rows)
    assert len(load) == 12 and max(load.values()) - min(load.values()) <= 1
    assert result.shortfall == {}
    assert len(result.created) == 35


def test_auto_assignment_is_deterministic_and_idempotent(app):
    call = closed_call()
    officer = officer_for(call)
    for _ in range(3):
        submitted_proposal(call)
    pool_of(call, officer, 6)
    assignment.auto_assign(call, officer)
    first = sorted((a.proposal_id, a.reviewer_id) for a in live(call))
    again = assignment.auto_assign(call, officer)
    assert again.created == []
    assert sorted((a.proposal_id, a.reviewer_id) for a in live(call)) == first
    # Lowest load first, then the lowest id: the first proposal gets the first five reviewers.
    ids = sorted(a.user_id for a in reviewers.pool(call))
    p1 = min(p for p, _ in first)
    assert sorted(r for p, r in first if p == p1) == ids[:5]


def test_never_a_reviewer_from_a_consortium_member_organisation(app):
    call = closed_call()
    officer = officer_for(call)
    university = OrganisationFactory(name="한국공과대학교", type="university")
    (insider,) = pool_of(call, officer, 1, organisation=university)
    others = pool_of(call, officer, 5)
    p = submitted_proposal(call, members=[university])
    since = next(m.confirmed_at for m in p.consortium.members if m.organisation_id == university.id)

    assignment.auto_assign(call, officer)

    assert {a.reviewer_id for a in live(call)} == {u.id for u in others}
    [excluded] = assignment.exclusions(call, p)
    assert (excluded.entry.user_id, excluded.code, excluded.organisation) == (insider.id, "member_org", university)
    # The officer reads which member organisation and since when it is one.
    assert excluded.reason == f"제척: 참여기관 한국공과대학교 소속 (컨소시엄 참여 확인 {clock.to_kst(since):%Y-%m-%d})"
    with pytest.raises(assignment.AssignmentError, match="한국공과대학교"):
        assignment.assign(call, p, insider.id, officer)


def test_a_same_name_is_not_the_same_organisation(app):
    """Matching is by organisation, not by name: a free-text affiliation excludes nobody by itself."""
    call = closed_call()
    officer = officer_for(call)
    university = OrganisationFactory(name="한국공과대학교", type="university")
    # Typed by the officer, no organisation account behind it.
    named = UserFactory(roles=["reviewer"], organisation=None)
    reviewers.invite(call, email=named.email, name="이름만", organisation_name="한국공과 대학교",
                     department="", actor=officer)
    p = submitted_proposal(call, members=[university])

    assert assignment.exclusions(call, p) == []
    [notice] = assignment.name_notices(call, [p])[p.id]
    assert notice.entry.user_id == named.id and notice.organisation == university
    assert "한국공과대학교" in notice.text and "이름만으로는 제외하지 않습니다" in notice.text
    assert assignment.assign(call, p, named.id, officer).reviewer_id == named.id


def test_an_applicant_cannot_exclude_a_reviewer_by_naming_an_organisation_after_them(app):
    """The attack: register a look-alike organisation under the reviewer's affiliation's name, have it
    accept membership (the attacker is its only person), and hope the reviewer is kept off the panel."""
    call = closed_call()
    officer = officer_for(call)
    real = OrganisationFactory(name="부산대학교 산학협력단", type="university")
    (reviewer,) = pool_of(call, officer, 1, organisation=real)
    lookalike = OrganisationFactory(name="부산대학교 산학협력단", type="university")
    p = submitted_proposal(call, members=[lookalike])

    assert assignment.exclusions(call, p) == []
    assignment.auto_assign(call, officer)
    assert {a.reviewer_id for a in live(call)} == {reviewer.id}
    # Shown to the officer, who decides: the names agree, the organisations do not.
    [notice] = assignment.name_notices(call, [p])[p.id]
    assert notice.organisation == lookalike and lookalike.brn_display in notice.text


def test_a_listed_organisation_that_has_not_accepted_excludes_nobody(app):
    call = closed_call()
    officer = officer_for(call)
    university = OrganisationFactory(name="한국공과대학교", type="university")
    (insider,) = pool_of(call, officer, 1, organisation=university)
    p = submitted_proposal(call)
    listed = ConsortiumMember(organisation=university, role="university")  # pending: not accepted
    p.consortium.members.append(listed)
    db.session.flush()

    assert assignment.exclusions(call, p) == []

    listed.confirmed_at = clock.now()
    assert [x.code for x in assignment.exclusions(call, p)] == ["member_org"]


def test_officer_page_lists_every_exclusion_with_its_reason(app, client):
    call = closed_call()
    officer = officer_for(call)
    university = OrganisationFactory(name="한국공과대학교", type="university")
    (insider,) = pool_of(call, officer, 1, organisation=university)
    (staff,) = pool_of(call, officer, 1, organisation=call.programme.agency)
    recusing, *_rest = pool_of(call, officer, 6)
    named = UserFactory(roles=["reviewer"], organisation=None, name="이름만")
    reviewers.invite(call, email=named.email, name=named.name, organisation_name="한국공과대학교",
                     department="", actor=officer)
    p = submitted_proposal(call, members=[university])
    assignment.auto_assign(call, officer)
    a = next(a for a in live(call) if a.reviewer_id == recusing.id)
    conflicts.recuse(a, recusing, "공동연구 수행 중")
    db.session.commit()

    html = sign_in(client, officer).get(f"/officer/calls/{call.id}/assignments").get_data(as_text=True)

    assert "제척: 참여기관 한국공과대학교 소속 (컨소시엄 참여 확인 " in html
    assert "제척: 전담기관 소속" in html
    assert "회피: 평가위원이 이해충돌로 회피함 (사유: 공동연구 수행 중)" in html
    assert "이름만: 확인 필요: 소속 &#39;한국공과대학교&#39;" in html or "이름만: 확인 필요: 소속 '한국공과대학교'" in html
    assert {insider.id, staff.id}.isdisjoint({x.reviewer_id for x in live(call)})


def test_agency_staff_are_excluded(app):
    call = closed_call()
    officer = officer_for(call)
    (staff,) = pool_of(call, officer, 1, organisation=call.programme.agency)
    p = submitted_proposal(call)
    assert [(e.entry.user_id, e.code) for e in assignment.exclusions(call, p)] == [(staff.id, "agency")]


def test_same_organisation_option(app):
    call = closed_call()
    call.reviewers_per_proposal = 3
    officer = officer_for(call)
    uni = OrganisationFactory(type="university")
    same = pool_of(call, officer, 3, organisation=uni)
    others = pool_of(call, officer, 2)
    p = submitted_proposal(call)

    result = assignment.auto_assign(call, officer, distinct_organisations=True)

    assigned = {a.reviewer_id for a in live(call)}
    assert len(assigned & {u.id for u in same}) == 1
    assert {u.id for u in others} <= assigned
    assert result.shortfall == {}
    excluded = {e.entry.user_id: e.code for e in assignment.exclusions(call, p, distinct_organisations=True)}
    assert set(excluded) == {u.id for u in same} - assigned
    assert set(excluded.values()) == {"same_org"}


def test_without_the_option_same_organisation_is_allowed(app):
    call = closed_call()
    call.reviewers_per_proposal = 3
    officer = officer_for(call)
    uni = OrganisationFactory(type="university")
    same = pool_of(call, officer, 3, organisation=uni)
    submitted_proposal(call)
    assignment.auto_assign(call, officer)
    assert {a.reviewer_id for a in live(call)} == {u.id for u in same}


def test_shortfall_reported_when_pool_too_small(app):
    call = closed_call()
    officer = officer_for(call)
    p = submitted_proposal(call)
    pool_of(call, officer, 3)
    result = assignment.auto_assign(call, officer)
    assert result.shortfall == {p.id: 2}


def test_rejected_at_screening_and_withdrawn_are_not_assigned(app):
    call = closed_call()
    officer = officer_for(call)
    kept = submitted_proposal(call)
    rejected = submitted_proposal(call)
    db.session.add(EligibilityDecision(proposal_id=rejected.id, status="rejected", reason="자격 미달",
                                       decided_by_id=officer.id))
    withdrawn = submitted_proposal(call)
    withdrawn.status = "withdrawn"
    pool_of(call, officer, 5)
    assignment.auto_assign(call, officer)
    assert {a.proposal_id for a in live(call)} == {kept.id}
    with pytest.raises(assignment.AssignmentError):
        assignment.assign(call, rejected, reviewers.pool(call)[0].user_id, officer)


def test_recusal_excludes_and_reassigns(app):
    call = closed_call()
    officer = officer_for(call)
    p = submitted_proposal(call)
    users = pool_of(call, officer, 6)
    assignment.auto_assign(call, officer)
    a = next(a for a in live(call) if a.reviewer_id == users[0].id)

    replacements = conflicts.recuse(a, users[0], "공동연구 수행 중")

    assert a.coi_status == "recused" and a.recusal_reason == "공동연구 수행 중"
    assert [r.reviewer_id for r in replacements] == [users[5].id]
    assert {x.reviewer_id for x in live(call)} == {u.id for u in users[1:]}
    reasons = {e.entry.user_id: e.code for e in assignment.exclusions(call, p)}
    assert reasons == {users[0].id: "recused"}
    # The recused reviewer is never put back, even by a new automatic run.
    assignment.auto_assign(call, officer)
    assert users[0].id not in {x.reviewer_id for x in live(call)}
    actions = db.session.scalars(select(AuditEntry.action)).all()
    assert "review.recused" in actions


def test_manual_assignment_and_removal(app):
    call = closed_call()
    officer = officer_for(call)
    p = submitted_proposal(call)
    a_user, b_user = pool_of(call, officer, 2)
    a = assignment.assign(call, p, a_user.id, officer)
    assert a.due == call.review_due_at and not a.automatic
    with pytest.raises(assignment.AssignmentError):
        assignment.assign(call, p, a_user.id, officer)
    outsider = UserFactory(roles=["reviewer"])
    with pytest.raises(assignment.AssignmentError):
        assignment.assign(call, p, outsider.id, officer)
    with pytest.raises(assignment.AssignmentError):
        assignment.remove(a, officer, "  ")
    replaced = assignment.remove(a, officer, "일정 불가")
    assert a.coi_status == "removed" and [r.reviewer_id for r in replaced] == [b_user.id]


def test_invitation_creates_or_links_accounts_and_mails(app):
    call = closed_call()
    officer = officer_for(call)
    existing = UserFactory(roles=["applicant"], email="kim@uni.ac.kr")
    entry, created = reviewers.invite(call, email="KIM@uni.ac.kr", name="김교수", organisation_name="한국대학교",
                                      department="기계공학과", actor=officer)
    assert not created and entry.user_id == existing.id and existing.has_role("reviewer", "applicant")
    assert existing.roles == {"applicant", "reviewer"}
    entry2, created2 = reviewers.invite(call, email="new@lab.re.kr", name="박연구원", organisation_name="한국연구원",
                                        department="AI연구실", actor=officer)
    new_user = db.session.get(User, entry2.user_id)
    assert created2 and new_user.roles == {"reviewer"} and new_user.email == "new@lab.re.kr"
    with pytest.raises(reviewers.PoolError):
        reviewers.invite(call, email="kim@uni.ac.kr", name="", organisation_name="", department="", actor=officer)
    mails = db.session.scalars(select(OutboxMessage).where(OutboxMessage.template == "reviewer_invited")).all()
    assert {m.to_email for m in mails} == {"kim@uni.ac.kr", "new@lab.re.kr"}
    new_mail = next(m for m in mails if m.to_email == "new@lab.re.kr")
    assert new_mail.context["set_password_url"] and not next(
        m for m in mails if m.to_email == "kim@uni.ac.kr").context["set_password_url"]


def test_assignment_mails_reviewer(app):
    call = closed_call()
    officer = officer_for(call)
    p = submitted_proposal(call, title="창원 AX 실증")
    (u,) = pool_of(call, officer, 1)
    a = assignment.assign(call, p, u.id, officer)
    msg = db.session.scalar(select(OutboxMessage).where(OutboxMessage.key == f"review-assigned:{a.id}"))
    assert msg.user_id == u.id and msg.context["proposal_title"] == "창원 AX 실증"
    assert db.session.scalar(select(ReviewAssignment).where(ReviewAssignment.id == a.id)).coi_status == "pending"


@pytest.mark.parametrize("phase", ["decided", "announced"])
def test_panels_are_settled_once_results_are_decided(app, phase):
    call = closed_call()
    officer = officer_for(call)
    proposal = submitted_proposal(call)
    (reviewer,) = pool_of(call, officer, 1)
    call.phase = phase
    with pytest.raises(assignment.AssignmentError):
        assignment.auto_assign(call, officer)
    with pytest.raises(assignment.AssignmentError):
        assignment.assign(call, proposal, reviewer.id, officer)
    assert live(call) == []


def test_no_panel_while_the_call_is_still_open(app):
    from datetime import timedelta

    from app.core import clock

    call = closed_call()
    call.closes_at = clock.now() + timedelta(days=1)
    officer = officer_for(call)
    submitted_proposal(call)
    pool_of(call, officer, 5)
    with pytest.raises(assignment.AssignmentError):
        assignment.auto_assign(call, officer)
