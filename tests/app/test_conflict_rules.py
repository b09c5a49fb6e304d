"""The decree's 제척 rules, one test each (each fails if its rule is taken out), for anyone and for panels."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event, select

from app.core import clock, particles
from app.extensions import db
from app.models import AuditEntry, ReviewAssignment, User
from app.models.pool import ReviewerProfile, ReviewerRecord, ReviewerRelative, Sanction
from app.calls import call_admin
from app.review import assignment, conflicts
from app.review.exclusions import conflict_index
from app.review import stage_scope
from tests.app.builders import pool_of, submitted_proposal
from tests.factories import OrganisationFactory, UserFactory, closed_call, confirmed_member, officer_for
from tests.support import sign_in


def profile(user, org=None, department="", relatives=(), records=()):
    """A reviewer profile written directly (the profile services are not under test here)."""
    p = ReviewerProfile(user_id=user.id, organisation_id=org.id if org else None, department=department)
    p.relatives = [ReviewerRelative(name=name, relation=relation, organisation_id=o.id) for name, relation, o in relatives]
    p.records = [ReviewerRecord(kind="project", title=title, year=year, organisation_ids=[o.id for o in orgs])
                 for title, year, orgs in records]
    db.session.add(p)
    db.session.flush()
    return p


def reviewer(org=None, **kw):
    return UserFactory(roles=["reviewer"], organisation=org, **kw)


def index_for(call, users):
    return conflict_index(call, stage_scope.current_stage(call), [u.id for u in users])


def code(ix, proposal, user):
    found = ix.reason(proposal, user.id)
    return found.code if found else None


def member_row(proposal, org):
    return next(m for m in proposal.consortium.members if m.organisation_id == org.id)


def test_the_consortiums_own_people_whatever_their_affiliation_says(app):
    call = closed_call()
    p = submitted_proposal(call)
    creator = db.session.get(User, p.consortium.created_by_id)
    supplier = OrganisationFactory(type="ai_supplier")
    p.consortium.members.append(confirmed_member(supplier, "ai_supplier"))
    confirmer = reviewer(supplier)
    db.session.flush()
    member_row(p, supplier).confirmed_by_id = confirmer.id
    # Both now work elsewhere: no organisation rule can see them, only their part in the consortium.
    elsewhere = OrganisationFactory(type="university")
    creator.organisation = confirmer.organisation = elsewhere
    profile(creator, elsewhere)
    db.session.flush()

    ix = index_for(call, [creator, confirmer])

    assert code(ix, p, creator) == "own_people" and code(ix, p, confirmer) == "own_people"
    assert ix.reason(p, creator.id).reason == "제척: 이 신청 컨소시엄을 대표해 신청하거나 참여를 확인한 사람"


def test_the_profile_affiliation_is_a_member_organisation(app):
    call = closed_call()
    supplier = OrganisationFactory(name="에이아이솔루션(주)", type="ai_supplier")
    p = submitted_proposal(call, members=[supplier])
    someone = reviewer(None)  # no account organisation: only the profile says where they work
    profile(someone, supplier, department="연구소")

    found = index_for(call, [someone]).reason(p, someone.id)

    assert found.code == "member_org" and found.organisation == supplier
    assert found.reason.startswith("제척: 참여기관 에이아이솔루션(주) 소속 (컨소시엄 참여 확인 ")


def test_a_university_member_excludes_only_its_same_department(app):
    call = closed_call()
    univ = OrganisationFactory(name="창원대학교", type="university")
    p = submitted_proposal(call, members=[univ])
    professor = UserFactory(organisation=univ, department="산업공학과")
    member_row(p, univ).confirmed_by_id = professor.id
    same, other, unknown = reviewer(univ), reviewer(univ), reviewer(univ)
    profile(same, univ, department="산업 공학과")
    profile(other, univ, department="컴퓨터공학과")
    profile(unknown, univ)
    db.session.flush()

    ix = index_for(call, [same, other, unknown])

    assert code(ix, p, same) == "same_department"
    assert ix.reason(p, same.id).reason == "제척: 참여기관 창원대학교의 같은 학과·부서(산업 공학과) 소속"
    assert code(ix, p, other) is None  # another department of the university is not the same body
    assert code(ix, p, unknown) == "member_org"  # not known: counted as the same


def test_a_declared_relative_at_a_member_organisation(app):
    call = closed_call()
    firm = OrganisationFactory(name="스마트공장(주)", type="tenant_company")
    p = submitted_proposal(call, members=[firm])
    someone = reviewer(OrganisationFactory(type="university"))
    profile(someone, someone.organisation, relatives=[("김철수", "배우자", firm)])

    found = index_for(call, [someone]).reason(p, someone.id)

    assert found.code == "relative" and found.reason == "제척: 친족(배우자 김철수)이 참여기관 스마트공장(주) 소속"


def test_reciprocal_evaluation_between_applicants_of_the_call(app):
    call = closed_call()
    officer = officer_for(call)
    firm_p, firm_q, firm_r = (OrganisationFactory(type="tenant_company") for _ in range(3))
    p = submitted_proposal(call, members=[firm_p])
    q = submitted_proposal(call, members=[firm_q])
    submitted_proposal(call, members=[firm_r])
    (of_p,) = pool_of(call, officer, 1, organisation=firm_p)
    (of_q,) = pool_of(call, officer, 1, organisation=firm_q)
    (of_r,) = pool_of(call, officer, 1, organisation=firm_r)
    assert code(index_for(call, [of_q]), p, of_q) is None  # competing alone is no 제척

    assignment.assign(call, q, of_p.id, officer)  # P's person reviews Q

    ix = index_for(call, [of_q, of_r])
    found = ix.reason(p, of_q.id)
    assert found.code == "reciprocal"
    assert found.reason == f"상호평가: 평가위원이 참여한 신청({q.receipt_no})을 이 신청의 참여자가 평가하고 있음"
    assert code(ix, p, of_r) is None  # R's people are not reviewed by P's
    with pytest.raises(assignment.AssignmentError, match="상호평가"):
        assignment.assign(call, p, of_q.id, officer)


def test_reciprocity_holds_within_one_automatic_run(app):
    call = closed_call()
    call.reviewers_per_proposal = 1
    officer = officer_for(call)
    firm_p, firm_q = OrganisationFactory(type="tenant_company"), OrganisationFactory(type="tenant_company")
    p = submitted_proposal(call, members=[firm_p])
    q = submitted_proposal(call, members=[firm_q])
    (of_q,) = pool_of(call, officer, 1, organisation=firm_q)
    (of_p,) = pool_of(call, officer, 1, organisation=firm_p)

    result = assignment.auto_assign(call, officer)

    # Q's person takes P's seat first; P's person may then not take Q's.
    assert [(a.proposal_id, a.reviewer_id) for a in result.created] == [(p.id, of_q.id)]
    assert result.shortfall == {q.id: 1}


def test_competitors_only_when_configured(app):
    call = closed_call()
    firm_p, firm_q = OrganisationFactory(type="tenant_company"), OrganisationFactory(type="tenant_company")
    p = submitted_proposal(call, members=[firm_p])
    q = submitted_proposal(call, members=[firm_q])
    of_q = reviewer(firm_q)
    assert code(index_for(call, [of_q]), p, of_q) is None
    app.config["CONFLICT_EXCLUDE_COMPETITORS"] = True
    try:
        found = index_for(call, [of_q]).reason(p, of_q.id)
    finally:
        app.config["CONFLICT_EXCLUDE_COMPETITORS"] = False
    assert found.code == "competitor" and q.receipt_no in found.reason


def test_the_agencys_and_the_ministrys_staff(app):
    call = closed_call()
    p = submitted_proposal(call)
    ministry = OrganisationFactory(name="산업통상자원부", type="public_agency")
    call.programme.ministry_org_id = ministry.id
    civil_servant, agency_staff = reviewer(ministry), reviewer(None)
    profile(agency_staff, call.programme.agency)
    db.session.flush()

    ix = index_for(call, [civil_servant, agency_staff])

    assert code(ix, p, agency_staff) == "agency"
    found = ix.reason(p, civil_servant.id)
    assert found.code == "ministry" and found.reason == "제척: 소관 부처(산업통상자원부) 소속"


def test_a_sanction_in_force_on_the_day(app):
    call = closed_call()
    p = submitted_proposal(call)
    today = clock.to_kst(clock.now()).date()
    sanctioned, lifted, over, later = (reviewer(OrganisationFactory(type="university")) for _ in range(4))
    db.session.add_all([
        Sanction(user_id=sanctioned.id, reason="부정평가", starts_on=today - timedelta(days=400),
                 ends_on=today + timedelta(days=700)),
        Sanction(user_id=lifted.id, reason="부정평가", starts_on=today - timedelta(days=10),
                 ends_on=today + timedelta(days=1000), lifted_at=clock.now(), lifted_reason="취소 판결"),
        Sanction(user_id=over.id, reason="부정평가", starts_on=today - timedelta(days=1096), ends_on=today),
        Sanction(user_id=later.id, reason="부정평가", starts_on=today + timedelta(days=1),
                 ends_on=today + timedelta(days=1000)),
    ])
    db.session.flush()

    ix = index_for(call, [sanctioned, lifted, over, later])

    found = ix.reason(p, sanctioned.id)
    assert found.code == "sanctioned"
    assert found.reason == f"제척: 제재 중 ({today - timedelta(days=400)} ~ {today + timedelta(days=700)})"
    assert [code(ix, p, u) for u in (lifted, over, later)] == [None, None, None]


def test_joint_work_with_a_member_in_the_last_three_years(app):
    call = closed_call()
    firm = OrganisationFactory(name="디지털트윈(주)", type="ai_supplier")
    p = submitted_proposal(call, members=[firm])
    year = clock.to_kst(clock.now()).year
    recent, old = reviewer(OrganisationFactory(type="university")), reviewer(OrganisationFactory(type="university"))
    profile(recent, recent.organisation, records=[("스마트공장 실증", year - 3, [firm])])
    profile(old, old.organisation, records=[("옛 과제", year - 4, [firm])])

    ix = index_for(call, [recent, old])

    found = ix.reason(p, recent.id)
    assert found.code == "joint_work"
    assert found.reason == f"제척: 최근 참여기관 디지털트윈(주)과 공동과제·공동저작 (스마트공장 실증, {year - 3})"
    assert code(ix, p, old) is None


def test_the_index_answers_for_people_outside_the_pool_in_a_few_queries(app):
    call = closed_call()
    firms = [OrganisationFactory(type="tenant_company") for _ in range(4)]
    proposals = [submitted_proposal(call, members=[f]) for f in firms]

    def run(n):
        people = [reviewer(firms[i % 4] if i % 5 == 0 else None) for i in range(n)]
        for u in people:
            profile(u, records=[("과제", clock.now().year, [firms[0]])])
        queries = []
        listener = lambda *a, **k: queries.append(1)  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            ix = index_for(call, people)
            answers = {(p.id, u.id): code(ix, p, u) for p in proposals for u in people}
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(queries), answers, people

    small, _, _ = run(10)
    large, answers, people = run(60)
    assert large == small <= 12
    assert answers[(proposals[0].id, people[1].id)] == "joint_work"  # invited nowhere, still known
    assert answers[(proposals[1].id, people[5].id)] == "member_org"


def test_refill_never_seats_someone_a_rule_excludes(app):
    call = closed_call()
    call.reviewers_per_proposal = 2
    officer = officer_for(call)
    firm = OrganisationFactory(type="tenant_company")
    p = submitted_proposal(call, members=[firm])
    seated = pool_of(call, officer, 2)
    assignment.auto_assign(call, officer)
    sanctioned, related, clean = pool_of(call, officer, 3)
    today = clock.to_kst(clock.now()).date()
    db.session.add(Sanction(user_id=sanctioned.id, reason="부정평가", starts_on=today, ends_on=today + timedelta(days=9)))
    profile(related, related.organisation, relatives=[("이영희", "자녀", firm)])
    a = db.session.scalar(select(ReviewAssignment).where(ReviewAssignment.reviewer_id == seated[0].id))

    replacements = conflicts.recuse(a, seated[0], "공동연구 수행 중")

    assert [r.reviewer_id for r in replacements] == [clean.id]
    codes = {x.entry.user_id: x.code for x in assignment.exclusions(call, p)}
    assert codes == {seated[0].id: "recused", sanctioned.id: "sanctioned", related.id: "relative"}


def test_officer_page_shows_the_new_reasons(app, client):
    call = closed_call()
    officer = officer_for(call)
    firm_p, firm_q = OrganisationFactory(type="tenant_company"), OrganisationFactory(type="tenant_company")
    p = submitted_proposal(call, members=[firm_p])
    q = submitted_proposal(call, members=[firm_q])
    (of_p,) = pool_of(call, officer, 1, organisation=firm_p)
    (of_q,) = pool_of(call, officer, 1, organisation=firm_q)
    (sanctioned,) = pool_of(call, officer, 1)
    today = clock.to_kst(clock.now()).date()
    db.session.add(Sanction(user_id=sanctioned.id, reason="부정평가", starts_on=today, ends_on=today + timedelta(days=9)))
    assignment.assign(call, q, of_p.id, officer)
    db.session.commit()

    html = sign_in(client, officer).get(f"/officer/calls/{call.id}/assignments").get_data(as_text=True)

    assert f"제척: 제재 중 ({today} ~ {today + timedelta(days=9)})" in html
    assert f"상호평가: 평가위원이 참여한 신청({q.receipt_no})을 이 신청의 참여자가 평가하고 있음" in html
    assert of_q.name in html and p.receipt_no in html


# --- the call's own pledge (서약) ----------------------------------------------------------------------

def _call_form(call, **over) -> dict:
    """The edit page's form as the officer finds it, with ``over`` typed in."""
    from tests.app.test_call_amendments import _call_form as as_found, _kst

    return as_found(call, review_due_at=_kst(call.review_due_at), **over)


PLEDGE = "나 {name}은 「{call_title}」의 {receipt_no} 「{proposal_title}」과 이해관계가 없음을 {at}에 서약합니다."


def test_the_officer_writes_the_calls_pledge_and_the_reviewer_gives_it(app, client):
    call = closed_call()
    call.review_due_at = call.review_due_at.replace(second=0, microsecond=0)  # as the form shows it
    officer = officer_for(call)
    p = submitted_proposal(call)
    (u,) = pool_of(call, officer, 1)
    db.session.commit()
    sign_in(client, officer)

    refused = client.post(f"/officer/calls/{call.id}/edit", data=_call_form(call, pledge_text="{name} {소속} {at!r}"))

    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert "알 수 없는 자리표시자: {at!r}, {소속}" in html
    db.session.expire_all()
    assert db.session.get(type(call), call.id).pledge_text == ""

    saved = client.post(f"/officer/calls/{call.id}/edit", data=_call_form(call, pledge_text=PLEDGE))

    assert saved.status_code == 302
    call = db.session.get(type(call), call.id)
    assert call.pledge_text == PLEDGE
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "call.pledge_changed"))
    assert entry.data["changes"] == {"pledge_text": ["", PLEDGE]}
    assert PLEDGE in client.get(f"/officer/calls/{call.id}/edit").get_data(as_text=True)
    assert call_admin.copy_call(call, officer, "AX-NEXT").pledge_text == PLEDGE  # next year's round keeps it

    a = assignment.assign(call, p, u.id, officer)
    at = clock.now().replace(second=0, microsecond=0) + timedelta(hours=1)
    with clock.as_of(at):
        conflicts.declare_no_conflict(a, u)
    assert a.pledge_text == (f"나 {u.name}은 「{call.title}」의 {p.receipt_no} 「{p.title}」과 이해관계가 없음을 "
                             f"{clock.to_kst(at):%Y-%m-%d %H:%M:%S}에 서약합니다.")
    assert a.pledge_at == at


def test_an_empty_pledge_is_the_standard_one(app):
    call = closed_call()
    officer = officer_for(call)
    p = submitted_proposal(call)
    (u,) = pool_of(call, officer, 1)
    conflicts.set_pledge_text(call, officer, conflicts.PLEDGE_TEMPLATE)  # saving the standard text keeps none
    assert call.pledge_text == ""
    with pytest.raises(conflicts.ConflictError) as refused:
        conflicts.set_pledge_text(call, officer, "{name} {")
    assert refused.value.field == "pledge_text" and call.pledge_text == ""
    a = assignment.assign(call, p, u.id, officer)

    conflicts.declare_no_conflict(a, u)

    assert a.pledge_text.startswith(f"본인 {particles.attach(u.name, '은(는)')} 「{call.title}」 평가에서") and a.pledge_at is not None
