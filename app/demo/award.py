"""The demo's third call, AX-2025-1: awarded, its agreement signed, its project a year into its reports.

The portfolio and the project pages need a project with history, which no call of the demo
could reach on the day of installing. So this call is replayed through the real services at
the instant each step would have happened (``clock.as_of``), like app/demo/review_call.py:
published about nineteen months before today, 창원 and 여수 submitting in its window, both
screened and scored by six demo reviewers, the results computed, decided and announced about
seventeen months ago (창원, the demo applicant's consortium, first of one award); the agreement
opened with required changes, the plan revised and accepted, the 협약서 issued and signed by
every party in order (the lead, the six members' demo accounts, the agency last) about sixteen
months ago. The project's period starts on the first of the month about fifteen months ago and
runs to the end of the call's fourth year; what happens during it is app/demo/award_project.py.

The call's years are counted from the period's start, not fixed, so every rule (the period
inside the call's years, measured-on dates inside the period, deadlines after their day) holds
on whatever day the demo is loaded. Found by its code: once it exists, it is left as it is.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select

from app.accounts import credentials, totp
from app.agreements import document, opening, revision, signing
from app.calls import call_admin, lifecycle
from app.core import clock
from app.demo import ax2025, award_project, review_call
from app.demo.review_content import PROPOSALS
from app.extensions import db
from app.models import Call, Consortium, IndustrialComplex, Organisation, Programme, Proposal, User
from app.models.projects import Project
from app.proposals import drafts
from app.review import assignment, reviewers
from app.selection import decisions, results, screening

CALL_CODE = "AX-2025-1"
CALL_TITLE = "2025년 AX 실증산단 구축사업 1차 (협약·과제 관리 데모)"
OFFICER = "officer@demo.gongmo.kr"
LEAD = "applicant@demo.gongmo.kr"
COMPETING = ("창원", "여수")  # one award: 창원 reads stronger (review_call.QUALITY) and is selected
# reviewer1 is the demo user's seat in AX-2025-R; here the six others make the panels of five.
REVIEWERS = review_call.REVIEWERS[1:]
# The window of review_call.window, this many days further back: opened 570 days ago, closed 530.
SHIFT = -525
# The 창원 members' signatories (email, name, organisation key of demo.ORGANISATIONS, department):
# each party signs for its own organisation (access.can_sign_for), so each needs an account.
MEMBERS = [
    ("member1@demo.gongmo.kr", "오창원", "changwon", "미래산업과"),
    ("member2@demo.gongmo.kr", "김정밀", "tenant1", "생산기술팀"),
    ("member3@demo.gongmo.kr", "이부품", "tenant2", "스마트공장팀"),
    ("member4@demo.gongmo.kr", "박한빛", "ai", "솔루션사업부"),
    ("member5@demo.gongmo.kr", "최창대", "uni", "산학협력단"),
    ("member6@demo.gongmo.kr", "정기계", "ri", "스마트제조센터"),
]

Count = Callable[[str], None]


def period(today: date) -> tuple[date, date]:
    """From the first of the month 455 days back (about fifteen months: after the signing, which
    is 490 days back) to 31 December of that year + 3."""
    back = today - timedelta(days=455)
    start = date(back.year, back.month, 1)
    return start, date(start.year + 3, 12, 31)


def load(count: Count, note: Callable[[str], None], *, programme: Programme,
         complexes: dict[str, IndustrialComplex], orgs: dict[str, Organisation], users: dict[str, User],
         changwon: Consortium, make_account: Callable[..., User], password: str) -> Project | None:
    """The awarded call and its project, replayed when missing; an existing call is left untouched."""
    for email, name, org, dept in MEMBERS:
        users[email] = make_account(email, name, orgs[org], dept, ("applicant",))
    call = db.session.scalar(select(Call).where(Call.code == CALL_CODE))
    if call is not None:
        return db.session.scalar(select(Project).where(Project.call_id == call.id))
    waiting = [m.organisation.name for m in changwon.members if not m.confirmed]
    if waiting:
        note(f"{CALL_CODE} was not created: the 창원 consortium lists members that have not accepted "
             f"({', '.join(waiting)}); let them accept or remove them, then run `flask demo load` again")
        return None
    signers = _signers(changwon, users, orgs)
    locked = [u.email for u in signers if not credentials.check_password(u, password) or totp.is_enabled(u)]
    if locked:
        # Signing asks for the password again (and the one-time code): only the demo's own can be replayed.
        note(f"{CALL_CODE} was not created: {', '.join(locked)} no longer sign with the demo password "
             "alone; reset them or load the demo into a fresh database")
        return None
    return _replay(count, programme, complexes, orgs, users, changwon, signers, password)


def _signers(changwon: Consortium, users: dict[str, User], orgs: dict[str, Organisation]) -> list[User]:
    """In the order the 협약서 lists its parties: the lead, the members as they joined, the agency."""
    by_org = {u.organisation_id: u for u in users.values() if u.email in {LEAD, *(m[0] for m in MEMBERS)}}
    members = [by_org[m.organisation_id] for m in changwon.confirmed_members
               if m.organisation_id != changwon.lead_org_id and m.organisation_id in by_org]
    return [users[LEAD], *members, users[OFFICER]]


def _replay(count: Count, programme: Programme, complexes: dict[str, IndustrialComplex],
            orgs: dict[str, Organisation], users: dict[str, User], changwon: Consortium,
            signers: list[User], password: str) -> Project:
    today = clock.to_kst(clock.now()).date()
    start, end = period(today)

    def day(offset: int, hour: int, minute: int = 0) -> datetime:
        d = today + timedelta(days=offset)
        return clock.kst(d.year, d.month, d.day, hour, minute)

    def window_day(offset: int, hour: int, minute: int = 0) -> datetime:
        """review_content's drafting days are counted from the review call's window: moved back."""
        return day(offset + SHIFT, hour, minute)

    officer, lead = users[OFFICER], users[LEAD]
    with clock.as_of(day(-580, 10)):
        call = call_admin.create_call(officer, programme, {
            "code": CALL_CODE, "title": CALL_TITLE, "description_md": ax2025.DESCRIPTION_MD,
            **review_call.window(today + timedelta(days=SHIFT)),
            "awards": 1, "per_award_cap": ax2025.PER_AWARD_CAP, "total_cap": ax2025.PER_AWARD_CAP,
            # Four years from the period's start (the call's ``ax2025`` years would be past some day).
            "first_year": start.year, "last_year": end.year,
            "min_local_ratio": Decimal(ax2025.MIN_LOCAL_RATIO), "reviewers_per_proposal": 5,
            "complex_ids": [complexes[name].id for name, _region, _year in ax2025.COMPLEXES],
            "infra_types": ax2025.INFRA_TYPES, "attachment_kinds": ax2025.ATTACHMENT_KINDS,
            "sections": ax2025.SECTIONS, "site_label_ko": ax2025.SITE_LABEL[0], "site_label_en": ax2025.SITE_LABEL[1],
        }, rubric=ax2025.rubric(), policy=ax2025.policy())
        count("calls")
    with clock.as_of(day(-577, 16)):
        lifecycle.publish(call, officer)

    specs = [spec for spec in PROPOSALS if spec["complex"] in COMPETING]
    writing = review_call.Timeline()
    made: dict[str, Proposal] = {}
    for spec in specs:
        review_call.drafting(writing, count, call, spec, users[spec["applicant"]], orgs, complexes, changwon,
                             made, window_day)
    writing.run()

    with clock.as_of(window_day(-4, 10)):
        lifecycle.start_review(call, officer)
    for i, spec in enumerate(specs):
        with clock.as_of(window_day(-4, 11, 10 * i)):
            screening.decide(made[spec["complex"]], officer, "confirmed", "자격 요건과 제출 서류를 확인했습니다.")
    for i, email in enumerate(REVIEWERS):
        user = users[email]
        with clock.as_of(window_day(-4, 14, 5 * i)):
            reviewers.invite(call, email=email, name=user.name, organisation_name=user.organisation.name,
                             department=user.department, actor=officer)
    with clock.as_of(window_day(-4, 16)):
        assignment.auto_assign(call, officer)
    scoring = review_call.Timeline()
    for spec in specs:
        review_call.scores(scoring, call, users, made[spec["complex"]], spec["complex"], window_day)
    scoring.run()

    with clock.as_of(day(-524, 10)):
        results.compute(call, officer)
    with clock.as_of(day(-522, 14)):
        decisions.decide(call, officer)
    with clock.as_of(day(-520, 10)):
        decisions.announce(call, officer)
    project = _agreement(made["창원"], officer, lead, signers, password, start, end, day)
    award_project.replay(project, officer, lead, today, day)
    db.session.flush()
    return project


def _agreement(proposal: Proposal, officer: User, lead: User, signers: list[User], password: str,
               start: date, end: date, day) -> Project:
    """Opened two days after the announcement, revised within its 20 days, signed in order."""
    with clock.as_of(day(-518, 10)):
        agreement = opening.open_agreement(
            proposal, officer, "평가위원 의견을 반영하여 PoC 성과지표의 측정 방법과 연차별 목표를 구체화하고, "
                               "특화망(5G) 구축 일정을 보완하십시오.")
    with clock.as_of(day(-512, 15)):
        drafts.save_overview(proposal, lead, {
            "title": "창원국가산단 제조 AX 실증산단 조성사업 (보완)",
            "summary": (proposal.summary or "") + " 성과지표는 분기별로 측정하고 연차별 목표를 두어 관리한다.",
        })
    with clock.as_of(day(-510, 16)):
        revision.submit(agreement, lead, "성과지표의 측정 방법과 연차별 목표, 특화망 구축 일정을 보완했습니다.")
    with clock.as_of(day(-506, 11)):
        revision.accept(agreement, officer, "요구사항이 반영되었습니다. 협약서를 준비합니다.")
    with clock.as_of(day(-504, 10)):
        document.set_terms(agreement, officer, start, end,
                           "실증 결과는 매년 공개 발표회에서 입주기업과 공유한다.")
        document.issue(agreement, officer)
    # Each party a day after the one before it (the lead first, the agency last), within the 30 days.
    for i, user in enumerate(signers):
        with clock.as_of(day(-502 + i, 10 + i % 6)):
            signing.sign(agreement, user, password=password, code="", confirmed_sha256=agreement.document_sha256)
    project = signing.project_of(agreement)
    if project is None:  # the agency signs last, and its signature starts the project
        raise RuntimeError(f"{CALL_CODE}: the agreement was signed but no project started")
    return project
