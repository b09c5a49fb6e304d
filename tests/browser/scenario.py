"""The state each journey starts from, built through the services as the portal's users would leave it.

Nothing here touches the clock: the live server runs in real time, so a call is
built open now and closed later by moving its dates (``close``), never the clock.
Callers commit before the browser looks.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from app.extensions import db
from app.models import Call, Proposal, User
from app.review import assignment, conflicts, review_sheets, reviewers
from app.core import clock
from app.calls import lifecycle
from app.selection import decisions
from app.selection import results, screening
from app.proposals import submission
from tests.app.builders import complete_proposal
from tests.factories import CallFactory, OrganisationFactory, UserFactory, applicant_with_consortium, officer_for

# Infrastructure of every type the coverage rule wants, and PoC plans: 170억 + 66억 = 236억, the budget table's total.
INFRA = (("openlab", 4_000_000_000), ("lead_factory", 4_000_000_000), ("private5g", 3_000_000_000),
         ("saas", 3_000_000_000), ("digital_twin", 3_000_000_000))
POC_BUDGETS = (1_650_000_000,) * 4

# Reviewers of the pool: name, organisation.
PANEL = (("김민준", "부산대학교"), ("이서연", "한국생산기술연구원"), ("박지후", "경상국립대학교"),
         ("최하은", "울산과학기술원"), ("정도윤", "한국전자통신연구원"))

# The consortia of a round: complex, lead organisation, applicant, grade every reviewer gives.
CONSORTIA = (("창원", "경남테크노파크", "홍길동", "S"), ("구미", "경북테크노파크", "김철수", "A"),
             ("여수", "전남테크노파크", "박영희", "D"))


@dataclass
class Round:
    call: Call
    officer: User
    proposals: dict[str, Proposal] = field(default_factory=dict)  # by complex
    applicants: dict[str, User] = field(default_factory=dict)
    panel: list[User] = field(default_factory=list)


def open_call(**kwargs) -> Call:
    kwargs.setdefault("code", "AX-2025")
    return CallFactory(**kwargs)


def officer_of(call: Call, **kwargs) -> User:
    kwargs.setdefault("name", "이담당")
    kwargs.setdefault("email", "officer@kicox.or.kr")
    return officer_for(call, **kwargs)


def submitted(call: Call, complex_name: str, *, lead: str, applicant: str) -> tuple[Proposal, User]:
    """A complete proposal submitted through the submission service while the call is open."""
    user, consortium = applicant_with_consortium(
        name=applicant, organisation=OrganisationFactory(name=lead, type="public_agency"))
    consortium.name = f"{complex_name} AX 실증산단 컨소시엄"
    p = complete_proposal(call, user, consortium, complex_name=complex_name, infra=INFRA, poc_budgets=POC_BUDGETS,
                          summary=f"{complex_name} 입주기업의 AI 전환을 실증합니다.")
    submission.submit(p, user)
    return p, user


def close(call: Call) -> None:
    """The deadline passes: the call's dates move, the clock does not."""
    now = clock.now()
    call.opens_at = now - timedelta(days=41)
    call.closes_at = now
    call.review_due_at = now + timedelta(days=14)
    db.session.flush()


def invite_panel(call: Call, officer: User, panel=PANEL) -> list[User]:
    users = []
    for i, (name, organisation) in enumerate(panel):
        user = UserFactory(roles=["reviewer"], name=name, email=f"reviewer{i + 1}@example.ac.kr",
                           organisation=OrganisationFactory(name=organisation, type="university"))
        reviewers.invite(call, email=user.email, name=name, organisation_name=organisation,
                         department="산업공학과", actor=officer)
        users.append(user)
    return users


def closed_round(code: str = "AX-2025") -> Round:
    """Three consortia submitted, the call closed, five reviewers invited; nobody screened yet."""
    call = open_call(code=code)
    officer = officer_of(call)
    r = Round(call, officer)
    for complex_name, lead, applicant, _grade in CONSORTIA:
        r.proposals[complex_name], r.applicants[complex_name] = submitted(call, complex_name, lead=lead,
                                                                           applicant=applicant)
    close(call)
    r.panel = invite_panel(call, officer)
    return r


def grade_of(r: Round, proposal_id: int) -> str:
    complex_name = next(name for name, p in r.proposals.items() if p.id == proposal_id)
    return next(grade for name, _lead, _applicant, grade in CONSORTIA if name == complex_name)


def score_all(r: Round, *, pending=(), unscored=()) -> None:
    """Every assigned reviewer pledges and submits a sheet, except the assignments named by id:
    ``pending`` ones are left undeclared, ``unscored`` ones are pledged without a sheet."""
    for a in assignment.assignments_of(r.call):
        if a.id in pending:
            continue
        reviewer = db.session.get(User, a.reviewer_id)
        conflicts.declare_no_conflict(a, reviewer)
        if a.id in unscored:
            continue
        grade = grade_of(r, a.proposal_id)
        criteria = review_sheets.criteria(r.call)
        review_sheets.submit(
            a, reviewer, points={c.key: grade for c in criteria},
            comments={c.key: f"{c.label}: 등급 {grade}" for c in criteria},
            overall_opinion=f"종합 등급 {grade}",
        )
    db.session.flush()


def screen_and_assign(r: Round) -> None:
    for p in r.proposals.values():
        screening.decide(p, r.officer, "confirmed", "")
    lifecycle.start_review(r.call, r.officer)
    assignment.auto_assign(r.call, r.officer)
    db.session.flush()


def announced_round(app) -> Round:
    """A whole round through the services, up to the announcement."""
    r = closed_round()
    screen_and_assign(r)
    score_all(r)
    results.compute(r.call, r.officer)
    decisions.decide(r.call, r.officer)
    # In a request, so the notices link to the result page by path, as when the officer announces.
    with app.test_request_context("/"):
        decisions.announce(r.call, r.officer)
    db.session.flush()
    return r
