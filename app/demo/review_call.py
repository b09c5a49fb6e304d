"""The demo's second call, AX-2025-R: closed, screened, assigned and waiting for one reviewer.

The first demo call is open for weeks, so nobody could walk the review on the day of
installing. This call is replayed through the real services at the time each step would
have happened (``clock.as_of``): published before it opened, three consortia drafting and
submitting complete proposals inside its 40-day window, closed five days ago, then the
review started, every proposal screened eligible, seven reviewers invited and five assigned
to each proposal. Every rule holds as for real data (the window, the closing instant,
validation, receipts, exclusions, sheet rules) and every step is audited as usual.

Six reviewers have pledged and submitted their sheets; reviewer1@demo.gongmo.kr, who sits
on every panel, has not, so the demo user signs in as reviewer1, pledges and scores, then
as the officer computes the results, decides and announces, then as an applicant reads the
result. It announces the AX procedure (``ax2025.stages``: 서면 → 3배수 → 발표, 30 % + 70 %); the
review walked through is its first evaluation stage, the written one. Found by its code: once it
exists, it is left as it is.
"""
from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select

from app.extensions import db
from app.models import Call, Consortium, IndustrialComplex, Organisation, Programme, Proposal, User
from app.core import clock
from app.demo import ax2025, pdf
from app.calls import call_admin, lifecycle, stages
from app.proposals import attachments, drafts, submission
from app.proposals import consortia as consortia_service
from app.review import assignment, conflicts, review_sheets, reviewers
from app.selection import screening
from app.demo.stage_work import name_committee
from app.demo.review_content import CONSORTIA, PROPOSALS, SHEET_COMMENTS, SHEET_OPINIONS

CALL_CODE = "AX-2025-R"
CALL_TITLE = "2025년 AX 실증산단 구축사업 수행기관 공모 (평가 진행 중 데모)"
AWARDS = 2  # three proposals compete for two awards, so the ranking decides something
OFFICER = "officer@demo.gongmo.kr"
PENDING_REVIEWER = "reviewer1@demo.gongmo.kr"  # the demo user's seat: pledged and scored by hand
REVIEWERS = [PENDING_REVIEWER] + [f"reviewer{n}@demo.gongmo.kr" for n in range(2, 8)]

# How strong each proposal reads to the panel (share of the review points) and each reviewer's
# leaning, so the totals differ between proposals and the sheets differ between reviewers.
QUALITY = {"창원": Decimal("0.88"), "구미": Decimal("0.86"), "여수": Decimal("0.84")}
LEANING = {2: Decimal("0.03"), 3: Decimal("-0.02"), 4: Decimal("0"), 5: Decimal("0.05"),
           6: Decimal("-0.04"), 7: Decimal("0.01")}
PROPOSAL_ORDER = [spec["complex"] for spec in PROPOSALS]

Count = Callable[[str], None]


def load(count: Count, note: Callable[[str], None], *, programme: Programme,
         complexes: dict[str, IndustrialComplex], orgs: dict[str, Organisation], users: dict[str, User],
         changwon: Consortium) -> Call | None:
    """The review call, created and replayed when missing; an existing one is left untouched.

    A demo loaded before this call existed may have been clicked through since: when 창원's
    consortium now lists a member that has not accepted, its proposal could not be submitted,
    so the call is not created, ``note`` says why, and the rest of the demo loads as before.
    """
    call = db.session.scalar(select(Call).where(Call.code == CALL_CODE))
    if call is not None:
        return call
    waiting = [m.organisation.name for m in changwon.members if not m.confirmed]
    if waiting:
        note(f"{CALL_CODE} was not created: the 창원 consortium lists members that have not accepted "
             f"({', '.join(waiting)}); let them accept or remove them, then run `flask demo load` again")
        return None
    return _replay(count, programme, complexes, orgs, users, changwon)


def _replay(count: Count, programme: Programme, complexes: dict[str, IndustrialComplex],
            orgs: dict[str, Organisation], users: dict[str, User], changwon: Consortium) -> Call:
    today = clock.to_kst(clock.now()).date()

    def day(offset: int, hour: int, minute: int = 0) -> datetime:
        d = today + timedelta(days=offset)
        return clock.kst(d.year, d.month, d.day, hour, minute)

    officer = users[OFFICER]
    with clock.as_of(day(-55, 10)):
        call = call_admin.create_call(officer, programme, {
            "code": CALL_CODE, "title": CALL_TITLE, "description_md": ax2025.DESCRIPTION_MD,
            **window(today),
            "awards": AWARDS, "per_award_cap": ax2025.PER_AWARD_CAP, "total_cap": AWARDS * ax2025.PER_AWARD_CAP,
            "first_year": ax2025.FIRST_YEAR, "last_year": ax2025.LAST_YEAR,
            "min_local_ratio": Decimal(ax2025.MIN_LOCAL_RATIO), "reviewers_per_proposal": 5,
            "complex_ids": [complexes[name].id for name, _region, _year in ax2025.COMPLEXES],
            "infra_types": ax2025.INFRA_TYPES, "attachment_kinds": ax2025.ATTACHMENT_KINDS,
            "sections": ax2025.SECTIONS, "site_label_ko": ax2025.SITE_LABEL[0], "site_label_en": ax2025.SITE_LABEL[1],
        }, rubric=ax2025.rubric(), policy=ax2025.policy())
        # Announced with the presentation stage; only the written review is walked through today.
        stages.set_stages(call, officer, ax2025.stages(call.review_due_at, day(24, 18)), ax2025.FINAL_SCORE)
        count("calls")
    with clock.as_of(day(-52, 16)):
        lifecycle.publish(call, officer)

    writing = Timeline()
    made: dict[str, Proposal] = {}
    for spec in PROPOSALS:
        drafting(writing, count, call, spec, users[spec["applicant"]], orgs, complexes, changwon, made, day)
    writing.run()
    proposals = [made[spec["complex"]] for spec in PROPOSALS]

    _review(call, officer, users, proposals, day)
    scoring = Timeline()
    for spec in PROPOSALS:
        scores(scoring, call, users, made[spec["complex"]], spec["complex"], day)
    scoring.run()
    with clock.as_of(day(-1, 18)):  # after the last sheet came in
        name_committee(call, officer)
    db.session.flush()
    return call


class Timeline:
    """Steps of several actors, run in the order of their instants, each at its instant."""

    def __init__(self) -> None:
        self.events: list[tuple[datetime, int, Callable[[], object]]] = []

    def at(self, instant: datetime, action: Callable[[], object]) -> None:
        self.events.append((instant, len(self.events), action))

    def run(self) -> None:
        for instant, _n, action in sorted(self.events, key=lambda e: e[:2]):
            with clock.as_of(instant):
                action()


def window(today: date) -> dict[str, datetime]:
    """Opened 45 days ago at 09:00 KST, closed 5 days ago at 15:00, reviews due in 10 days."""
    def at(offset: int, hour: int) -> datetime:
        d = today + timedelta(days=offset)
        return clock.kst(d.year, d.month, d.day, hour)

    return {"opens_at": at(-45, 9), "closes_at": at(-5, 15), "info_session_at": at(-42, 14),
            "review_due_at": at(10, 18)}


def _consortium(count: Count, applicant: User, orgs: dict[str, Organisation], key: str) -> Consortium:
    return consortium_of(count, applicant, orgs, CONSORTIA[key])


def consortium_of(count: Count, applicant: User, orgs: dict[str, Organisation], spec: dict) -> Consortium:
    """The applicant's consortium named in ``spec`` with its members (``spec["members"]``: org key, role)."""
    consortium = db.session.scalar(select(Consortium).where(
        Consortium.name == spec["name"], Consortium.lead_org_id == applicant.organisation_id))
    if consortium is None:
        consortium = consortia_service.create(applicant, spec["name"])
        count("consortia")
    listed = consortium.member_org_ids()
    for org_key, role in spec["members"]:
        if orgs[org_key].id not in listed:
            member = consortia_service.add_member(consortium, applicant, orgs[org_key].brn, role)
            # As in demo.py: the member organisations agreed off-line (nobody of theirs has an account).
            member.confirmed_at = clock.now()
            count("consortium_members")
    db.session.flush()
    return consortium


def drafting(plan: Timeline, count: Count, call: Call, spec: dict, applicant: User, orgs: dict,
              complexes: dict, changwon: Consortium, made: dict[str, Proposal], day) -> None:
    """A consortium (formed the day before), its draft written page by page, then submitted
    complete: every section, a budget table within the call's rules, the required documents."""
    key = spec["complex"]
    start, submit_at = day(spec["start"], 10), day(spec["submit"], 16)
    holder: dict[str, Consortium] = {}

    def form() -> None:
        holder["c"] = changwon if key == "창원" else _consortium(count, applicant, orgs, key)

    def begin() -> None:
        made[key] = drafts.start(call, holder["c"], applicant, complexes[key].id)
        count("proposals")

    steps = [
        lambda: drafts.save_overview(made[key], applicant, spec["overview"]),
        lambda: drafts.replace_infra_items(made[key], applicant, spec["infra"]),
        lambda: drafts.replace_poc_plans(made[key], applicant, spec["poc"]),
        *(lambda s=s: drafts.save_text_section(made[key], applicant, s, spec[s]) for s in ("master_plan", "alliance", "aidc")),
        lambda: drafts.save_budget(made[key], applicant, _budget(call, spec["budget"])),
        *(lambda k=k: _upload(made[key], applicant, spec, k) for k, *_rest in ax2025.ATTACHMENT_KINDS),
    ]
    plan.at(start - timedelta(days=1), form)
    plan.at(start, begin)
    # One page every two or three days, in office hours (the specs leave more days than steps).
    days = spec["submit"] - spec["start"]
    for i, step in enumerate(steps, start=1):
        plan.at(day(spec["start"] + days * i // (len(steps) + 1), 9 + 3 * i % 9, 10 * (i % 6)), step)
    plan.at(submit_at, lambda: submission.submit(made[key], applicant))


def _budget(call: Call, per_year: dict[str, int]) -> dict[tuple[int, str], int]:
    """The same amount every year of the call, per source."""
    return {(year, source): amount for year in call.years for source, amount in per_year.items()}


def _upload(proposal: Proposal, applicant: User, spec: dict, kind: str) -> None:
    label = dict((k, ko) for k, ko, _en, _req in ax2025.ATTACHMENT_KINDS)[kind]
    text = f"{CALL_CODE} demo - {spec['romanised']} - {kind}"
    attachments.store(proposal, applicant, kind, io.BytesIO(pdf.one_page(text)), f"{spec['complex']}_{label}.pdf")


def _review(call: Call, officer: User, users: dict[str, User], proposals: list[Proposal], day) -> None:
    """The day after closing: review started, all screened eligible, the pool invited, panels formed."""
    with clock.as_of(day(-4, 10)):
        lifecycle.start_review(call, officer)
    for i, proposal in enumerate(proposals):
        with clock.as_of(day(-4, 11, 10 * i)):
            screening.decide(proposal, officer, "confirmed", "자격 요건과 제출 서류를 확인했습니다.")
    for i, email in enumerate(REVIEWERS):
        user = users[email]
        with clock.as_of(day(-4, 14, 5 * i)):
            reviewers.invite(call, email=email, name=user.name, organisation_name=user.organisation.name,
                             department=user.department, actor=officer)
    # reviewer1 first, by hand, on every panel: the demo user's seat. Auto-assignment fills the rest.
    pending = users[PENDING_REVIEWER]
    for i, proposal in enumerate(proposals):
        with clock.as_of(day(-4, 16, i)):
            assignment.assign(call, proposal, pending.id, officer)
    with clock.as_of(day(-4, 16, 10)):
        assignment.auto_assign(call, officer)


def scores(plan: Timeline, call: Call, users: dict[str, User], proposal: Proposal, key: str, day) -> None:
    """Every reviewer but reviewer1 pledges, then submits a sheet, on one of the last three days."""
    numbers = {users[email].id: n for n, email in enumerate(REVIEWERS, start=1)}
    for a in conflicts.live_assignments(proposal):
        n = numbers[a.reviewer_id]
        if n == 1:
            continue
        reviewer = users[REVIEWERS[n - 1]]
        points, comments = {}, {}
        for i, c in enumerate(review_sheets.criteria(a)):
            points[c.key] = _points(c.max_points, QUALITY[key] + LEANING[n], i, n)
            comments[c.key] = SHEET_COMMENTS[key][c.key][(n + i) % 2]
        opinion = SHEET_OPINIONS[key][n % 2]
        at = day(-3 + n % 3, 8 + n, 20 * PROPOSAL_ORDER.index(key))
        plan.at(at, lambda a=a, r=reviewer: conflicts.declare_no_conflict(a, r))
        plan.at(at + timedelta(minutes=15), lambda a=a, r=reviewer, p=points, c=comments, o=opinion:
                review_sheets.submit(a, r, points=p, comments=c, overall_opinion=o))


def _points(max_points: Decimal, share: Decimal, criterion: int, reviewer: int) -> str:
    """``share`` of the criterion's points, give or take a little per criterion, to the half point."""
    wobble = Decimal((reviewer * 7 + criterion * 3) % 5 - 2) / 100
    value = max_points * min(share + wobble, Decimal(1))
    half = (value * 2).quantize(Decimal(1), rounding=ROUND_HALF_UP) / 2
    return review_sheets.display(min(half, max_points))
