"""Builders for the officer tests: a closed call with submitted proposals, review sheets."""
from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

from app.extensions import db
from app.models import BudgetLine, InfraItem, Kpi, PocPlan, Proposal, ProposalVersion
from app.core import clock
from app.accounts import sessions
from app.proposals import snapshot
from app.selection.results import SheetData
from tests.factories import CallFactory, ComplexFactory, ProgrammeFactory, UserFactory, applicant_with_consortium

NATIONAL = 14_000_000_000


def closed_call(**kwargs):
    """An AX call that closed yesterday (still phase "published": the clock closed it)."""
    kwargs.setdefault("opens_at", clock.now() - timedelta(days=41))
    kwargs.setdefault("closes_at", clock.now() - timedelta(days=1))
    return CallFactory(**kwargs)


def officer_for(call, **kwargs):
    return UserFactory(roles=["officer"], organisation=call.programme.agency, **kwargs)


def other_agency_officer():
    return UserFactory(roles=["officer"], organisation=ProgrammeFactory().agency)


def submitted_proposal(call, complex_name: str, *, infra=("openlab", "lead_factory", "private5g", "saas", "digital_twin"),
                       pocs: int = 10, private: int = 4_200_000_000, national: int = NATIONAL,
                       minutes_before_close: int = 60, title: str | None = None):
    """A submitted proposal whose facts give full automatic points by default."""
    user, consortium = applicant_with_consortium()
    complex_ = next((c for c in call.complexes if c.name == complex_name), None)
    if complex_ is None:
        complex_ = ComplexFactory(name=complex_name)
        call.complexes.append(complex_)
    p = Proposal(call=call, consortium=consortium, complex=complex_, created_by_id=user.id,
                 title=title or f"{complex_name} AX 실증산단", status="submitted",
                 submitted_at=call.closes_at - timedelta(minutes=minutes_before_close))
    db.session.add(p)
    db.session.flush()
    p.receipt_no = f"{call.code}-{p.id:04d}"
    for i, key in enumerate(infra):
        p.infra_items.append(InfraItem(type_key=key, description="GPU 서버", budget=1_000_000_000, position=i))
    for i in range(pocs):
        plan = PocPlan(tenant_firm=f"입주기업{i}", problem="불량 검출", ai_solution="비전 AI", budget=100_000_000, position=i)
        plan.kpis.append(Kpi(name="불량률", unit="%", baseline=Decimal("5"), target=Decimal("2"), position=0))
        p.poc_plans.append(plan)
    years = list(range(call.first_year, call.last_year + 1))
    for source, amount in (("national", national), ("local", national * 4 // 10), ("private_cash", private)):
        share, rest = divmod(amount, len(years))
        for j, year in enumerate(years):
            p.budget_lines.append(BudgetLine(year=year, source=source, amount=share + (rest if j == 0 else 0)))
    db.session.flush()
    # Screening and scoring read the submitted version, as for any real submission.
    db.session.refresh(p)
    db.session.add(ProposalVersion(
        proposal_id=p.id, number=1, receipt_no=p.receipt_no, submitted_at=p.submitted_at, submitted_by_id=user.id,
        snapshot=snapshot.build(p, number=1, receipt_no=p.receipt_no, submitted_at=p.submitted_at,
                                validated_at=p.submitted_at, submitted_by=user)))
    db.session.flush()
    return p, user


def sheets(proposal, totals_by_reviewer: dict[str, dict[str, str]]) -> list[SheetData]:
    return [SheetData(proposal.id, reviewer, points) for reviewer, points in totals_by_reviewer.items()]


def uniform_sheets(proposal, infra: str, poc: str, plan: str, alliance: str, reviewers=("R1", "R2", "R3", "R4", "R5")):
    return [SheetData(proposal.id, r, {"infra": infra, "poc": poc, "plan": plan, "alliance": alliance}) for r in reviewers]


def sign_in(client, user):
    """Log in without the password form (the tests of login live elsewhere)."""
    token = sessions.start(user)  # the server-side session the cookie names; committed by the next request
    with client.session_transaction() as sess:
        sess["_user_id"] = token
        sess["_fresh"] = True
    return client


def visible_text(html: str) -> str:
    """The page without attribute values, so random CSRF tokens cannot match a needle."""
    return re.sub(r'="[^"]*"', '=""', html)
