"""``flask demo load``: a complete, repeatable demo of the 2025 AX call."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEntry, Call, Consortium, IndustrialComplex, Organisation, Proposal, User
from app.accounts import brn
from app.demo import demo
from app.core.clock import kst
from app.accounts.passwords import verify_password


def row_counts() -> dict[str, int]:
    return {t.name: db.session.scalar(select(func.count()).select_from(t)) for t in db.metadata.sorted_tables}


def test_loading_twice_changes_nothing(app, clock):
    demo.load()
    db.session.commit()
    first = row_counts()
    call = db.session.scalar(select(Call).where(Call.code == "AX-2025"))
    window = (call.opens_at, call.closes_at, call.info_session_at, call.review_due_at)

    clock.shift(timedelta(days=5))  # a later run must not move the call's dates
    again = demo.load()
    db.session.commit()
    assert not again.changed
    assert row_counts() == first
    db.session.refresh(call)
    assert (call.opens_at, call.closes_at, call.info_session_at, call.review_due_at) == window
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
    proposal = db.session.scalar(select(Proposal).where(Proposal.consortium_id == consortium.id))
    assert proposal is result.proposal
    assert proposal.status == "draft" and proposal.complex.name == "창원" and proposal.receipt_no is None
    assert proposal.title and proposal.summary
    assert [i.type_key for i in proposal.infra_items] == ["openlab", "lead_factory"]
    assert len(proposal.poc_plans) == 1 and proposal.poc_plans[0].is_complete
    assert proposal.budget_lines and proposal.total_by_source("national") > 0
    assert not proposal.alliance_plan  # half-filled: there is still work for the demo user


def test_reviewers_do_not_belong_to_the_consortium(app, clock):
    demo.load()
    consortium = db.session.scalar(select(Consortium))
    reviewers = [u for u in db.session.scalars(select(User)) if u.has_role("reviewer")]
    assert len(reviewers) == 3
    assert not {r.organisation_id for r in reviewers} & consortium.member_org_ids()


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
