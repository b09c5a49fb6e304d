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


def reviewer_assigned(call: Call, proposal: Proposal, officer: User, *, name: str, email: str):
    """A university reviewer invited to the call's pool and assigned the proposal; returns the seat."""
    reviewer = UserFactory(roles=["reviewer"], name=name, email=email,
                           organisation=OrganisationFactory(name="부산대학교", type="university"))
    reviewers.invite(call, email=reviewer.email, name=reviewer.name, organisation_name="부산대학교",
                     department="산업공학과", actor=officer)
    return assignment.assign(call, proposal, reviewer.id, officer)


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


# --- a two-stage round: 서면평가, then 발표평가 of the shortlist ---------------------------------------

# A fourth consortium, so that the written stage's 3배수 leaves one out.
FOURTH = ("반월시화", "경기테크노파크", "이영수", "B")
# The points each 발표평가 reviewer gives (content /40, feasibility /30, Q&A /30): 구미 presents best.
PRESENTED = {"창원": {"content": "30", "feasibility": "22", "qa": "22"},
             "구미": {"content": "38", "feasibility": "28", "qa": "28"},
             "반월시화": {"content": "32", "feasibility": "24", "qa": "24"}}


def two_stage(call: Call) -> None:
    """서면평가 by three (3배수 of the one award goes on), then 발표평가 by three on its own rubric;
    final = 서면 30 % + 발표 70 % (as tests/app/test_stage_runs.py sets it)."""
    from decimal import Decimal

    from app.calls.stages import PRESENTATION_POLICY, PRESENTATION_RUBRIC
    from app.models.stages import EvaluationStage

    call.awards = 1
    call.policy = {**call.policy, "awards": 1}
    call.reviewers_per_proposal = 3
    written = call.stages[1]
    written.panel_size, written.shortlist_rule, written.shortlist_value, written.weight = 3, "multiple", 3, Decimal(30)
    call.stages.append(EvaluationStage(position=2, kind="presentation", panel_size=3, weight=Decimal(70),
                                       rubric=dict(PRESENTATION_RUBRIC),
                                       policy={**PRESENTATION_POLICY, "pass_mark": "60", "awards": 1}))
    call.final_score = "weighted"
    db.session.flush()


def written_round(code: str = "AX-2025") -> Round:
    """Four consortia of a two-stage call, screened eligible, the call in review, the written panels
    assigned and every written sheet submitted; nobody has computed anything yet."""
    call = open_call(code=code)
    two_stage(call)
    officer = officer_of(call)
    r = Round(call, officer)
    for complex_name, lead, applicant, _grade in (*CONSORTIA, FOURTH):
        r.proposals[complex_name], r.applicants[complex_name] = submitted(call, complex_name, lead=lead,
                                                                           applicant=applicant)
    close(call)
    r.panel = invite_panel(call, officer)
    screen_and_assign(r)
    for a in assignment.assignments_of(call):
        reviewer = db.session.get(User, a.reviewer_id)
        conflicts.declare_no_conflict(a, reviewer)
        grade = _written_grade(r, a.proposal_id)
        review_sheets.submit(a, reviewer, points={c.key: grade for c in review_sheets.criteria(a)},
                             comments={}, overall_opinion=f"서면 종합 등급 {grade}")
    db.session.flush()
    return r


def _written_grade(r: Round, proposal_id: int) -> str:
    complex_name = next(name for name, p in r.proposals.items() if p.id == proposal_id)
    return next(grade for name, _lead, _applicant, grade in (*CONSORTIA, FOURTH) if name == complex_name)


def present_all(r: Round, stage) -> None:
    """Every 발표평가 reviewer pledges and submits the points of ``PRESENTED``."""
    for a in assignment.assignments_of(r.call, stage):
        if not a.active:
            continue
        reviewer = db.session.get(User, a.reviewer_id)
        if a.coi_status == "pending":
            conflicts.declare_no_conflict(a, reviewer)
        complex_name = next(name for name, p in r.proposals.items() if p.id == a.proposal_id)
        review_sheets.submit(a, reviewer, points=PRESENTED[complex_name], comments={},
                             overall_opinion=f"{complex_name} 발표 종합의견")
    db.session.flush()


# The 심의위원회 a call names: name, organisation, role (none from the agency or a consortium).
COMMITTEE = (("한서진", "서울대학교", "위원장"), ("오태양", "한국과학기술원", "위원"), ("윤가람", "포항공과대학교", "위원"))


def committee_people() -> list[User]:
    """Portal accounts of the people the officer will name to the 심의위원회."""
    return [UserFactory(name=name, email=f"committee{i + 1}@example.ac.kr",
                        organisation=OrganisationFactory(name=organisation, type="university"))
            for i, (name, organisation, _role) in enumerate(COMMITTEE)]
