"""``flask demo load``: a complete, repeatable demo of the 2025 AX call."""
from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import (
    AuditEntry, Call, Consortium, IndustrialComplex, Organisation, Proposal, Result, ReviewAssignment, User,
)
from app import audit
from app.accounts import brn
from app.demo import ax2025, demo, digital_hub
from app.demo import pool as demo_pool
from app.core import clock as app_clock
from app.core.clock import kst
from app.accounts.passwords import verify_password
from app.notifications.contacts import consortium_contacts
from app.proposals import validation
from app.review import conflicts, review_sheets, reviewers, stage_scope
from app.proposals import consortia as consortia_service
from app.selection import committee, objections, results, screening
from tests.factories import OrganisationFactory


def row_counts() -> dict[str, int]:
    return {t.name: db.session.scalar(select(func.count()).select_from(t)) for t in db.metadata.sorted_tables}


def test_loading_twice_changes_nothing(app, clock):
    demo.load()
    db.session.commit()
    first = row_counts()
    call = db.session.scalar(select(Call).where(Call.code == "AX-2025"))
    window = (call.opens_at, call.closes_at, call.info_session_at, call.review_due_at)
    review = db.session.scalar(select(Call).where(Call.code == "AX-2025-R"))
    review_window = (review.opens_at, review.closes_at, review.review_due_at)

    clock.shift(timedelta(days=5))  # a later run must not move the call's dates
    again = demo.load()
    db.session.commit()
    assert not again.changed
    assert row_counts() == first
    db.session.refresh(call)
    assert (call.opens_at, call.closes_at, call.info_session_at, call.review_due_at) == window
    db.session.refresh(review)
    assert (review.opens_at, review.closes_at, review.review_due_at) == review_window
    assert db.session.scalar(select(func.count()).where(AuditEntry.action == "demo.loaded")) == 1


def test_call_is_open_for_forty_days_around_today(app, clock):
    # The clock fixture stands at 2025-07-01 09:00 KST.
    call = demo.load().call
    assert call.opens_at == kst(2025, 6, 22, 9)
    assert call.closes_at == kst(2025, 8, 1, 15)
    assert call.info_session_at == kst(2025, 6, 25, 14)
    assert call.review_due_at == kst(2025, 8, 15, 15)
    assert call.status() == "open"
    assert (call.programme.name, call.programme.ministry, call.programme.agency.name) == (
        "AX 실증산단 구축사업", "산업통상자원부", "한국산업단지공단")
    assert (call.awards, call.per_award_cap, call.total_cap) == (10, 14_000_000_000, 140_000_000_000)
    assert (call.first_year, call.last_year, call.min_local_ratio) == (2025, 2028, Decimal("0.4"))
    assert call.reviewers_per_proposal == 5
    assert len(call.infra_types) == 7 and len(call.attachment_kinds) == 4
    assert sum(int(c["max_points"]) for c in call.rubric["criteria"]) == 100


def test_only_complexes_designated_by_2024_are_eligible(app, clock):
    call = demo.load().call
    assert len(call.complexes) == 21
    assert all(c.designated_year <= 2024 for c in call.complexes)
    stored = set(db.session.scalars(select(IndustrialComplex.name)))
    assert {"아산부곡", "충주제1", "마산자유무역지역"} <= stored
    assert not {"아산부곡", "충주제1", "마산자유무역지역"} & {c.name for c in call.complexes}


def test_organisations_have_valid_registration_numbers(app, clock):
    demo.load()
    orgs = db.session.scalars(select(Organisation)).all()
    assert all(brn.is_valid(o.brn) for o in orgs)
    types = {o.name: o.type for o in orgs}
    assert types["한국산업단지공단"] == "public_agency" and types["창원시"] == "local_government"


def test_consortium_and_half_filled_draft(app, clock):
    result = demo.load()
    consortium = db.session.scalar(select(Consortium).where(Consortium.name == "창원 AX 실증산단 컨소시엄"))
    assert consortium.lead_org.name == "경남테크노파크"
    roles = sorted(m.role for m in consortium.members)
    assert roles == sorted(["lead", "local_government", "tenant_firm", "tenant_firm", "ai_supplier",
                            "university", "research_institute"])
    proposal = db.session.scalar(select(Proposal).where(Proposal.consortium_id == consortium.id,
                                                        Proposal.call_id == result.call.id))
    assert proposal is result.proposal
    assert proposal.status == "draft" and proposal.complex.name == "창원" and proposal.receipt_no is None
    assert proposal.title and proposal.summary
    assert [i.type_key for i in proposal.infra_items] == ["openlab", "lead_factory"]
    assert len(proposal.poc_plans) == 1 and proposal.poc_plans[0].is_complete
    assert proposal.budget_lines and proposal.total_by_source("national") > 0
    assert not proposal.text("alliance")  # half-filled: there is still work for the demo user


def test_reviewers_do_not_belong_to_any_consortium(app, clock):
    demo.load()
    consortia = db.session.scalars(select(Consortium)).all()
    reviewers = [u for u in db.session.scalars(select(User)) if u.has_role("reviewer")]
    # The seven demo reviewers and the pool's candidates (app/demo/pool.py).
    assert len(consortia) == 3 + len(digital_hub.CONSORTIA) and len(reviewers) == 7 + len(demo_pool.CANDIDATES)
    members = set().union(*(c.member_org_ids() for c in consortia))
    assert not {r.organisation_id for r in reviewers} & members
    # Nor does the 심의위원회 of either call: nobody sits out a vote.
    for code in ("AX-2025", "AX-2025-R"):
        call = db.session.scalar(select(Call).where(Call.code == code))
        named = committee.members(call)
        assert len(named) == 5 and not {m.user.organisation_id for m in named} & members
        assert committee.member_conflicts(call) == {}


def test_the_demo_pool_shows_each_declared_tie_once_as_an_exclusion_of_the_changwon_proposal(app, clock):
    """The three candidates whose ties exclude them, each for its own reason; the others are free."""
    from app.review.exclusions import conflict_index

    result = demo.load()
    call = result.review_call
    proposal = db.session.scalar(select(Proposal).where(Proposal.call_id == call.id,
                                                        Proposal.consortium_id == result.proposal.consortium_id))
    by_email = {u.email: u for u in db.session.scalars(select(User).where(User.email.like("pool%@demo.gongmo.kr")))}
    assert len(by_email) == len(demo_pool.CANDIDATES)
    index = conflict_index(call, stage_scope.current_stage(call), [u.id for u in by_email.values()])
    reasons = {u.name: (x.code if (x := index.reason(proposal, u.id)) else None) for u in by_email.values()}
    assert {name: code for name, code in reasons.items() if code} == {
        "장공동": "joint_work", "남친족": "relative", "백제재": "sanctioned"}


def test_demo_accounts_have_the_printed_password_and_roles(app, clock):
    demo.load()
    db.session.commit()
    expected = {
        "applicant@demo.gongmo.kr": {"applicant"}, "reviewer1@demo.gongmo.kr": {"reviewer"},
        "reviewer2@demo.gongmo.kr": {"reviewer"}, "reviewer3@demo.gongmo.kr": {"reviewer"},
        "officer@demo.gongmo.kr": {"officer"}, "admin@demo.gongmo.kr": {"admin"},
    }
    for email, roles in expected.items():
        user = db.session.scalar(select(User).where(User.email == email))
        assert user.roles == roles
        assert verify_password(user.password_hash, demo.PASSWORD)
    officer = db.session.scalar(select(User).where(User.email == "officer@demo.gongmo.kr"))
    assert officer.organisation.name == "한국산업단지공단"


def test_cli_prints_accounts_and_password(app, clock):
    runner = app.test_cli_runner()
    out = runner.invoke(args=["demo", "load"])
    assert out.exit_code == 0, out.output
    assert "applicant@demo.gongmo.kr" in out.output and "officer@demo.gongmo.kr" in out.output
    assert demo.PASSWORD in out.output
    assert "AX-2025-R" in out.output and "(in_review)" in out.output
    assert "AX-2025-1" in out.output and "/projects/portfolio/" in out.output
    second = runner.invoke(args=["demo", "load"])
    assert second.exit_code == 0 and "nothing changed" in second.output


def test_demo_accounts_can_log_in(app, clock, client):
    demo.load()
    db.session.commit()
    resp = client.post("/login", data={"email": "officer@demo.gongmo.kr", "password": demo.PASSWORD})
    assert resp.status_code == 302
    assert "정담당" in client.get("/").get_data(as_text=True)
    client.post("/logout")
    refused = client.post("/login", data={"email": "officer@demo.gongmo.kr", "password": "wrong-Password-1"})
    assert refused.status_code != 302


# --- the second call, already in review ------------------------------------------------------

def _review_call():
    return db.session.scalar(select(Call).where(Call.code == "AX-2025-R"))


def _user(email: str) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def test_as_of_fixes_the_clock_inside_the_block_only(clock):
    real = app_clock.now()
    past = kst(2025, 5, 17, 9)
    with app_clock.as_of(past):
        assert app_clock.now() == past
        with app_clock.as_of(past + timedelta(days=1)):
            assert app_clock.now() == past + timedelta(days=1)
        assert app_clock.now() == past
    assert app_clock.now() == real  # time-machine's time again
    with pytest.raises(ValueError):
        with app_clock.as_of(datetime(2025, 5, 17, 9)):
            pass


def test_review_call_closed_weeks_after_opening_and_is_in_review(app, clock):
    # The clock fixture stands at 2025-07-01 09:00 KST.
    result = demo.load()
    call = result.review_call
    assert call is _review_call() and call.status() == "in_review"
    assert call.opens_at == kst(2025, 5, 17, 9) and call.closes_at == kst(2025, 6, 26, 15)
    assert call.closes_at - call.opens_at >= timedelta(days=30)
    assert call.review_due_at == kst(2025, 7, 11, 18)
    assert call.programme is result.call.programme and call.rubric == ax2025.rubric()
    assert (call.awards, call.reviewers_per_proposal, call.policy["pass_mark"]) == (2, 5, "70")

    proposals = screening.submitted_proposals(call)
    assert sorted(p.complex.name for p in proposals) == ["구미", "여수", "창원"]
    assert [p.receipt_no for p in proposals] == ["AX-2025-R-0001", "AX-2025-R-0002", "AX-2025-R-0003"]
    for p in proposals:
        assert p.submitted_at < call.closes_at and validation.validate(p).ok
        assert screening.is_eligible(p)
    changwon = next(p for p in proposals if p.complex.name == "창원")
    assert changwon.consortium.name == "창원 AX 실증산단 컨소시엄"
    assert _user("applicant@demo.gongmo.kr") in consortium_contacts(changwon.consortium)
    # Different strength, so the automatic criteria (and the ranking) differ.
    facts = {p.complex.name: results.facts_of(p) for p in proposals}
    assert [len(set(facts[k]["infrastructure_types"])) for k in ("창원", "구미", "여수")] == [5, 4, 3]


def test_review_call_panels_wait_only_for_reviewer1(app, clock):
    demo.load()
    call = _review_call()
    reviewer1 = _user("reviewer1@demo.gongmo.kr")
    assert len(reviewers.pool(call)) >= 7
    for proposal in screening.submitted_proposals(call):
        panel = conflicts.live_assignments(proposal)
        assert len(panel) == 5
        mine = [a for a in panel if a.reviewer_id == reviewer1.id]
        assert len(mine) == 1 and mine[0].coi_status == "pending" and mine[0].sheet is None
        others = [a for a in panel if a.reviewer_id != reviewer1.id]
        assert all(a.coi_status == "declared" and a.sheet.status == "submitted" for a in others)
        assert not {a.reviewer.organisation_id for a in panel} & proposal.consortium.member_org_ids()
    assert len({s["reviewer"] for s in review_sheets.submitted_sheets(call)}) == 6
    # Results wait for reviewer1's three sheets.
    with pytest.raises(results.ResultsError):
        results.compute(call, _user("officer@demo.gongmo.kr"))


def test_review_call_history_happened_in_order_and_the_audit_log_holds(app, clock):
    demo.load()
    db.session.commit()
    call = _review_call()
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.call_id == call.id)
                                 .order_by(AuditEntry.id)).all()
    times = [e.at for e in entries]
    assert times == sorted(times) and times[-1] < app_clock.now()
    at = {e.action: e.at for e in reversed(entries)}  # the first entry of each action
    assert at["call.created"] < at["call.published"] < call.opens_at <= at["proposal.started"]
    assert max(e.at for e in entries if e.action == "proposal.submitted") < call.closes_at <= at["call.in_review"]
    assert at["call.in_review"] < at["screening.confirmed"] < at["reviewer.invited"] < at["review.assigned"]
    assert audit.verify() is None
    out = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert out.exit_code == 0 and "intact" in out.output


def _sign_in(client, email: str) -> None:
    client.post("/logout")
    resp = client.post("/login", data={"email": email, "password": demo.PASSWORD})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:1000]


def test_a_review_call_the_demo_refuses_is_left_out_with_a_note(app, clock):
    # A demo clicked through before the review call existed: 창원's lead invited one more member,
    # which has not accepted, so 창원 could not submit and the call is left out.
    earlier = demo.DemoResult()
    orgs = {key: demo._organisation(earlier, *spec) for key, spec in demo.ORGANISATIONS.items()}
    applicant = demo._account(earlier, "applicant@demo.gongmo.kr", "김지원", orgs["gntp"], "AX사업단", ("applicant",))
    consortium = demo._consortium(earlier, applicant, orgs)
    newcomer = OrganisationFactory(name="(주)새참여기업")
    consortia_service.add_member(consortium, applicant, newcomer.brn, "tenant_firm")
    db.session.commit()

    result = demo.load()
    db.session.commit()
    assert result.review_call is None and _review_call() is None
    # The awarded call (app/demo/award.py) needs 창원's submission too: left out the same way.
    assert result.project is None and db.session.scalar(select(Call).where(Call.code == "AX-2025-1")) is None
    assert [n.split(" ")[0] for n in result.notes] == ["AX-2025-1", "AX-2025-R"]
    assert all("(주)새참여기업" in n for n in result.notes)
    # AX-2025 and the second programme's call (app/demo/digital_hub.py), with its two consortia.
    assert result.call.status() == "open" and result.created["calls"] == 2
    assert db.session.scalar(select(func.count()).select_from(Consortium)) == 1 + len(digital_hub.CONSORTIA)
    assert db.session.scalar(select(func.count()).select_from(ReviewAssignment)) == 0
    assert audit.verify() is None
    out = app.test_cli_runner().invoke(args=["demo", "load"])
    assert out.exit_code == 0 and "Note: AX-2025-R was not created" in out.output
