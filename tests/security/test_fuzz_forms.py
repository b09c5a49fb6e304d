"""Hostile bodies against every form: never a 500, and a refusal changes nothing.

Two kinds of test per form: hypothesis mutates a valid submission (fields dropped,
repeated, replaced by hostile Unicode, huge numbers, 100,000-character strings), and a
sweep puts each EDGE value into each field in turn with everything else valid, so the
values that only break at the database are sure to reach it.

Each test builds its world once; every check compares one request's before and after.
Values that must be unique (a call code, an e-mail address) are fresh for every request,
so an earlier accepted example cannot mask a later one behind "already in use".
"""
from __future__ import annotations

import re
from itertools import count
from types import SimpleNamespace
from urllib.parse import quote

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from app.extensions import db
from app.models import Objection, ReviewAssignment
from app.review import assignment, conflicts, review_sheets
from app.demo import ax2025
from app.selection import objections
from tests.app.builders import applicant_of, complete_proposal, pool_of, submitted_proposal
from tests.factories import (
    CallFactory,
    ComplexFactory,
    OrganisationFactory,
    ProgrammeFactory,
    UserFactory,
    applicant_with_consortium,
    closed_call,
    next_brn,
    officer_for,
)
from tests.security.conftest import build_world, table_digest
from tests.support import call_rows, rubric_form, sign_in
from tests.security.fuzzing import FUZZ, check, mutated, post, swept

_fresh_n = count(1)

# Row keys past the limits of the FieldLists, negative and absurd indexes.
ROW_NOISE = {
    "items-99999999999999999999-budget": "1", "items--1-budget": "1", "items-201-description": "x",
    "plans-0-kpis-99999-name": "x", "plans-100-tenant_firm": "x", "criteria-40-key": "x",
}


def _client(app, user=None):
    return sign_in(app.test_client(), user)


def _sweep(app, user, url, valid, *, fields=None, after=None, may_change=frozenset(), extra=None):
    """Every EDGE value in every field; collects the failures instead of stopping at the first.

    ``url`` may be a function, for a target that ``after`` replaces between requests.
    """
    failures = []
    for field, value, body in swept(valid, fields, extra):
        target = url() if callable(url) else url
        client = _client(app, user)
        before = table_digest()
        resp = post(client, target, body)
        try:
            check(resp, before, may_change_on_refusal=may_change)
        except AssertionError as exc:
            failures.append(f"{field}={value[:20]!r}: {exc}")
            db.session.rollback()
        if after:
            after()
    assert not failures, f"{url}:\n" + "\n".join(failures)


# --- accounts (anonymous) ---------------------------------------------------------------------------


@pytest.fixture
def accounts_world(app):
    member = UserFactory()
    db.session.commit()
    return SimpleNamespace(email=member.email)


ACCOUNT_FORMS = {
    "register": ("/register", lambda w: {
        "email": f"new.person{next(_fresh_n)}@example.kr", "name": "홍길동", "password": "Sturdy-lantern-42",
        "password_confirm": "Sturdy-lantern-42", "brn": next_brn(), "org_name": "새 기관",
        "org_type": "university", "region": "경남"}, frozenset()),
    # A failed login is counted by the throttle and audited: that is the throttle working.
    "login": ("/login", lambda w: {"email": w.email, "password": "Correct-horse-9", "next": "/calls"},
              frozenset({"login_throttles", "audit_log"})),
    "reset_request": ("/password/reset", lambda w: {"email": w.email}, frozenset()),
}


@pytest.mark.parametrize("name", ACCOUNT_FORMS)
@FUZZ
@given(data=st.data())
def test_account_forms(app, accounts_world, name, data):
    url, valid, may_change = ACCOUNT_FORMS[name]
    pairs = data.draw(mutated(valid(accounts_world)))
    client = _client(app)
    before = table_digest()
    check(post(client, url, pairs), before, may_change_on_refusal=may_change)


@pytest.mark.parametrize("name", ACCOUNT_FORMS)
def test_account_forms_edges(app, accounts_world, name):
    url, valid, may_change = ACCOUNT_FORMS[name]
    _sweep(app, None, url, valid(accounts_world), may_change=may_change)


# --- the applicant's forms ---------------------------------------------------------------------------


@pytest.fixture
def drafting(app, isolated_dirs):
    call = CallFactory()
    owner, consortium = applicant_with_consortium()
    proposal = complete_proposal(call, owner, consortium, with_files=False)
    changwon = next(c for c in call.complexes if c.name == "창원")
    db.session.commit()
    return SimpleNamespace(owner=owner, consortium_id=consortium.id, proposal_id=proposal.id,
                           complex_id=changwon.id, years=list(call.years))


def _new_member_brn() -> str:
    org = OrganisationFactory(type="university")
    db.session.commit()
    return org.brn


def _budget(w):
    amounts = {"national": "3,500,000,000", "local": "1,400,000,000", "private_cash": "1,000,000,000",
               "private_inkind": "0"}
    return {f"{source}-{year}": amount for year in w.years for source, amount in amounts.items()} | {"save": "1"}


APPLICANT_FORMS = {
    "consortium": (lambda w: "/my/consortia", lambda w: {"name": "AX 실증 컨소시엄"}),
    "member": (lambda w: f"/my/consortia/{w.consortium_id}",
               lambda w: {"action": "add", "brn": _new_member_brn(), "role": "university"}),
    "remove_member": (lambda w: f"/my/consortia/{w.consortium_id}", lambda w: {"action": "remove", "member_id": "1"}),
    "overview": (lambda w: f"/proposals/{w.proposal_id}/overview", lambda w: {
        "title": "창원국가산단 AX 실증산단", "summary": "요약", "complex_id": str(w.complex_id),
        "strategic_industries": "기계, 방산", "save": "1"}),
    "infra": (lambda w: f"/proposals/{w.proposal_id}/infra", lambda w: {
        "items-0-type_key": "openlab", "items-0-description": "GPU 서버", "items-0-budget": "8,000,000,000",
        "items-1-type_key": "lead_factory", "items-1-description": "선도공장", "items-1-budget": "6,600,000,000",
        "items-1-delete": "y", "add_row": "", "save": "1"}),
    "poc": (lambda w: f"/proposals/{w.proposal_id}/poc", lambda w: {
        "plans-0-tenant_firm": "입주기업 1", "plans-0-problem": "불량 검출", "plans-0-ai_solution": "비전 AI",
        "plans-0-budget": "4,500,000,000", "plans-0-kpis-0-name": "불량률", "plans-0-kpis-0-unit": "%",
        "plans-0-kpis-0-baseline": "3.5", "plans-0-kpis-0-target": "1.2", "plans-0-add_kpi": "", "save": "1"}),
    "budget": (lambda w: f"/proposals/{w.proposal_id}/budget", _budget),
    "master_plan": (lambda w: f"/proposals/{w.proposal_id}/master_plan", lambda w: {"body": "5개년 계획"}),
    "alliance": (lambda w: f"/proposals/{w.proposal_id}/alliance", lambda w: {"body": "입주기업 30개사"}),
    "aidc": (lambda w: f"/proposals/{w.proposal_id}/aidc", lambda w: {"body": "GPU 자원 연계"}),
    "submit": (lambda w: f"/proposals/{w.proposal_id}/submit", lambda w: {"confirm": "y"}),
}
# Swept field by field: the budget's first year stands for all its cells.
SWEEP_FIELDS = {"budget": lambda w: [f"{s}-{w.years[0]}" for s in ("national", "local", "private_cash")]}


@pytest.mark.parametrize("name", APPLICANT_FORMS)
@FUZZ
@given(data=st.data())
def test_applicant_forms(app, drafting, name, data):
    url, valid = APPLICANT_FORMS[name]
    pairs = data.draw(mutated(valid(drafting) | (ROW_NOISE if name in ("infra", "poc") else {})))
    client = _client(app, drafting.owner)
    before = table_digest()
    check(post(client, url(drafting), pairs), before)


@pytest.mark.parametrize("name", APPLICANT_FORMS)
def test_applicant_forms_edges(app, drafting, name):
    url, valid = APPLICANT_FORMS[name]
    fields = SWEEP_FIELDS[name](drafting) if name in SWEEP_FIELDS else None
    _sweep(app, drafting.owner, url(drafting), valid(drafting), fields=fields)


# --- the reviewer's sheet and the applicant's challenge, during the review ---------------------------------


@pytest.fixture
def reviewing(app):
    call = closed_call()
    officer = officer_for(call)
    proposal = submitted_proposal(call, title="창원 AX 실증산단")
    (reviewer,) = pool_of(call, officer, 1)
    seat = assignment.assign(call, proposal, reviewer.id, officer)
    conflicts.declare_no_conflict(seat, reviewer)
    call.phase = "in_review"
    db.session.commit()
    applicant = applicant_of(proposal)
    return SimpleNamespace(officer=officer, reviewer=reviewer, assignment_id=seat.id, applicant=applicant,
                           proposal_id=proposal.id)


def _reopen(w):
    """Back to an open sheet after a submission, so the next request tests saving again."""
    seat = db.session.get(ReviewAssignment, w.assignment_id)
    if seat.sheet is not None and seat.sheet.locked:
        review_sheets.reopen(seat.sheet, db.session.merge(w.officer), "다시 평가")
        db.session.commit()


SHEET = {"points_infra": "27", "points_poc": "A", "points_plan": "8.5", "points_alliance": "10",
         "comment_infra": "구체적", "comment_poc": "", "comment_plan": "", "comment_alliance": "",
         "overall_opinion": "우수함", "action": "save"}
SHEETS = {"draft": SHEET | {"save": "1"}, "submit": SHEET | {"submit_sheet": "1", "confirm_submit": "y"}}
CHALLENGE = {"target_organisation": "어느 연구원", "target_person": "김평가", "reason": "경쟁 컨소시엄에 참여한 기관입니다."}


@pytest.mark.parametrize("kind", SHEETS)
@FUZZ
@given(data=st.data())
def test_review_sheet(app, reviewing, kind, data):
    pairs = data.draw(mutated(SHEETS[kind]))
    client = _client(app, reviewing.reviewer)
    before = table_digest()
    check(post(client, f"/review/a/{reviewing.assignment_id}/sheet", pairs), before)
    _reopen(reviewing)


@pytest.mark.parametrize("kind", SHEETS)
def test_review_sheet_edges(app, reviewing, kind):
    _sweep(app, reviewing.reviewer, f"/review/a/{reviewing.assignment_id}/sheet", SHEETS[kind],
           after=lambda: _reopen(reviewing))


@FUZZ
@given(data=st.data())
def test_challenge_filing(app, reviewing, data):
    pairs = data.draw(mutated(CHALLENGE))
    client = _client(app, reviewing.applicant)
    before = table_digest()
    check(post(client, f"/proposals/{reviewing.proposal_id}/challenges", pairs), before)


def test_challenge_filing_edges(app, reviewing):
    _sweep(app, reviewing.applicant, f"/proposals/{reviewing.proposal_id}/challenges", CHALLENGE)


# --- the officer's call and rubric forms ----------------------------------------------------------------


@pytest.fixture
def configuring(app):
    programme = ProgrammeFactory()
    officer = UserFactory(roles=["officer"], organisation=programme.agency)
    call = CallFactory(programme=programme, phase="draft", code="AX-DRAFT")
    complexes = [ComplexFactory(name=name, region=region, designated_year=year)
                 for name, region, year in ax2025.COMPLEXES[:3]]
    db.session.commit()
    return SimpleNamespace(officer=officer, programme_id=programme.id, call_id=call.id,
                           complex_ids=[c.id for c in complexes])


def _call_form(w, code):
    return {
        "programme_id": str(w.programme_id), "code": code, "title": "2026년 AX 실증산단 구축사업 공모",
        "description_md": "## 공고\n내용", "opens_at": "2026-07-01T09:00", "closes_at": "2026-08-11T15:00",
        "info_session_at": "2026-07-10T14:00", "awards": "2", "per_award_cap": "14,000,000,000",
        "total_cap": "28,000,000,000", "first_year": "2026", "last_year": "2029", "min_local_ratio": "0.4",
        "reviewers_per_proposal": "5", "review_due_at": "2026-09-01T18:00",
        "complex_ids": [str(i) for i in w.complex_ids],
        **call_rows(),
    }


# The rows of a call's lists: keys and names longer than their columns, a key twice.
LINES = {
    "infra_types-0-key": ["k" * 40, ax2025.INFRA_TYPES[1][0], ""], "infra_types-0-label_ko": ["이" * 150, ""],
    "infra_types-0-label_en": ["n" * 150], "attachment_kinds-0-key": ["k" * 40, ax2025.ATTACHMENT_KINDS[1][0]],
    "attachment_kinds-0-label_en": ["n" * 150], "attachment_kinds-0-required": ["필" * 5000],
}


def _fresh_code() -> str:
    return f"AX-F{next(_fresh_n)}"


OFFICER_FORMS = {
    "new_call": (lambda w: "/officer/calls/new", lambda w: _call_form(w, _fresh_code())),
    "edit_call": (lambda w: f"/officer/calls/{w.call_id}/edit", lambda w: _call_form(w, "AX-DRAFT")),
    "rubric": (lambda w: f"/officer/calls/{w.call_id}/rubric", lambda w: rubric_form()),
    "copy_call": (lambda w: f"/officer/calls/{w.call_id}/copy", lambda w: {"code": _fresh_code()}),
    "sections": (lambda w: f"/officer/calls/{w.call_id}/sections", lambda w: {
        f"sections-{i}-{name}": str(value) for i, row in enumerate(ax2025.SECTIONS) for name, value in row.items()}),
}


def _rubric_sweep_fields(valid):
    # The first criterion stands for the rest; of an automatic one, its rule and points.
    auto = next(k.split("-")[1] for k, v in valid.items() if k.endswith("-kind") and v == "auto")
    return [k for k in valid if not k.startswith("criteria-") or k.startswith("criteria-0-")
            or k in (f"criteria-{auto}-fact", f"criteria-{auto}-rule_type", f"criteria-{auto}-target",
                     f"criteria-{auto}-max_points") or "-steps-0-" in k]


@pytest.mark.parametrize("name", OFFICER_FORMS)
@FUZZ
@given(data=st.data())
def test_officer_forms(app, configuring, name, data):
    url, valid = OFFICER_FORMS[name]
    pairs = data.draw(mutated(valid(configuring) | (ROW_NOISE if name == "rubric" else {})))
    client = _client(app, configuring.officer)
    before = table_digest()
    check(post(client, url(configuring), pairs), before)


def _row_sweep_fields(valid):
    # The first row of each list (support types, attachment kinds, sections) stands for the rest:
    # the same field class checks every row, and each edge request reads every table twice.
    return [k for k in valid if not re.match(r"^[a-z_]+-[1-9][0-9]*-", k)]


@pytest.mark.parametrize("name", OFFICER_FORMS)
def test_officer_forms_edges(app, configuring, name):
    url, valid = OFFICER_FORMS[name]
    body = valid(configuring)
    fields = _rubric_sweep_fields(body) if name == "rubric" else _row_sweep_fields(body)
    if name == "new_call":
        # A fresh code for every request: "code in use" would otherwise refuse before the database.
        failures = []
        for field in fields:
            try:
                _sweep(app, configuring.officer, url(configuring), _call_form(configuring, _fresh_code()),
                       fields=[field], extra=LINES)
            except AssertionError as exc:
                failures.append(str(exc))
        assert not failures, "\n".join(failures)
        return
    _sweep(app, configuring.officer, url(configuring), body, fields=fields, extra=LINES)


# --- objections after the announcement ------------------------------------------------------------------


@pytest.fixture
def announced(app, clock, isolated_dirs):
    world = build_world(clock)
    _answer_open_objections(world)
    return world


def _answer_open_objections(world):
    """Only one objection may be open at a time: answer it, so the next request may file again."""
    officer = world.user("officer")
    for item in db.session.scalars(select(Objection).where(Objection.status == "open")):
        objections.answer(item, officer, "검토 결과 변동 없습니다.", decision="rejected")
    db.session.commit()


GROUNDS = {"ground": "administrative", "grounds": "정량 평가 항목 산정에 오류가 있습니다."}


@FUZZ
@given(data=st.data())
def test_objection_filing(app, announced, data):
    pairs = data.draw(mutated(GROUNDS))
    url = f"/my/proposals/{announced.ids['proposal_id']}/result"
    client = _client(app, announced.user("owner"))
    before = table_digest()
    check(post(client, url, pairs), before)
    _answer_open_objections(announced)


def test_objection_filing_edges(app, announced):
    _sweep(app, announced.user("owner"), f"/my/proposals/{announced.ids['proposal_id']}/result", GROUNDS,
           after=lambda: _answer_open_objections(announced))


# --- the officer's review console: pool, assignment, due dates, challenges, screening, answers -----------


@pytest.fixture
def console(app, reviewing):
    """The reviewing world plus a second pooled reviewer, a submitted sheet and a pending challenge."""
    from app.models import Call, Proposal

    proposal = db.session.get(Proposal, reviewing.proposal_id)
    call = db.session.get(Call, proposal.call_id)
    officer = db.session.merge(reviewing.officer)
    (spare,) = pool_of(call, officer, 1)
    seat = db.session.get(ReviewAssignment, reviewing.assignment_id)
    review_sheets.submit(seat, db.session.merge(reviewing.reviewer),
                         points={"infra": "27", "poc": "A", "plan": "8", "alliance": "8"}, comments={},
                         overall_opinion="우수함")
    db.session.commit()
    reviewing.call_id, reviewing.spare_id = call.id, spare.id
    _new_challenge(reviewing)
    return reviewing


def _new_challenge(w):
    """A pending challenge for the next request (a decided one refuses before the database)."""
    from app.models import Challenge, Proposal

    if getattr(w, "challenge_id", None) and db.session.get(Challenge, w.challenge_id).status == "pending":
        return
    proposal = db.session.get(Proposal, w.proposal_id)
    w.challenge_id = conflicts.file_challenge(proposal, db.session.merge(w.applicant), target_organisation="기관",
                                              target_person="", reason="사유").id
    db.session.commit()


def _reopenable(w):
    """A submitted sheet for the next reopen request."""
    seat = db.session.get(ReviewAssignment, w.assignment_id)
    if seat.sheet is not None and not seat.sheet.locked:
        review_sheets.submit(seat, db.session.merge(w.reviewer),
                             points={"infra": "27", "poc": "A", "plan": "8", "alliance": "8"}, comments={},
                             overall_opinion="우수함")
        db.session.commit()


CONSOLE_FORMS = {
    "invite": (lambda w: f"/officer/calls/{w.call_id}/reviewers/invite", lambda w: {
        "email": f"reviewer{next(_fresh_n)}@example.kr", "name": "김평가", "organisation_name": "한국대학교",
        "department": "산업공학과"}, None),
    "manual": (lambda w: f"/officer/calls/{w.call_id}/assignments/manual", lambda w: {
        "proposal_id": str(w.proposal_id), "reviewer_id": str(w.spare_id), "due_at": "2025-09-01T18:00"}, None),
    "auto": (lambda w: f"/officer/calls/{w.call_id}/assignments/auto",
             lambda w: {"distinct_organisations": "y", "due_at": "2025-09-01T18:00"}, None),
    "due": (lambda w: f"/officer/assignments/{w.assignment_id}/due", lambda w: {"due_at": "2025-09-01T18:00"}, None),
    "reopen": (lambda w: f"/officer/assignments/{w.assignment_id}/sheet/reopen", lambda w: {"reason": "점수 재검토"},
               _reopenable),
    "decide": (lambda w: f"/officer/challenges/{w.challenge_id}/decide", lambda w: {
        f"c{w.challenge_id}-decision": "uphold", f"c{w.challenge_id}-assignment_id": str(w.assignment_id),
        f"c{w.challenge_id}-reason": "사실로 확인됨"}, _new_challenge),
    "screening": (lambda w: f"/officer/proposals/{w.proposal_id}/screening",
                  lambda w: {"status": "rejected", "reason": "지방비 확약서 누락"}, None),
}


@pytest.mark.parametrize("name", CONSOLE_FORMS)
def test_console_forms_edges(app, console, name):
    url, valid, restore = CONSOLE_FORMS[name]
    officer = db.session.merge(console.officer)
    _sweep(app, officer, lambda: url(console), valid(console),
           after=(lambda: restore(console)) if restore else None)


def test_objection_answer_edges(app, announced):
    """The officer's answer, each time to a freshly filed objection."""
    from app.models import Proposal

    def open_objection() -> int:
        item = db.session.scalar(select(Objection).where(Objection.status == "open"))
        if item is None:
            proposal = db.session.get(Proposal, announced.ids["proposal_id"])
            item = objections.file(proposal, announced.user("owner"), "정량 평가 항목 산정에 오류가 있습니다.",
                                      "administrative")
            db.session.commit()
        return item.id

    _sweep(app, announced.user("officer"), lambda: f"/officer/objections/{open_objection()}",
           {"decision": "rejected", "answer": "검토하였습니다."})


# --- every URL variable of every route ---------------------------------------------------------------

URL_VALUES = {
    "int": ["2147483648", "9223372036854775808", "9" * 400, "0"],
    "default": ["%00", "%ED%A0%80", "%E2%80%AE", "..%2F..%2Fetc%2Fpasswd", "a" * 5000, "%F0%9F%98%80", "%20"],
}


def test_hostile_url_variables_never_break_a_route(app, announced):
    """Each variable of each rule in turn, the others real: a 4xx, never a 500."""
    from tests.security.test_permission_matrix import OVERRIDES, _rules

    failures = []
    for endpoint, rule in sorted(_rules(app).items()):
        methods = sorted(rule.methods & {"GET", "POST"})
        for name in sorted(rule.arguments):
            kind = "int" if type(rule._converters[name]).__name__ == "DatabaseId" else "default"
            for raw in URL_VALUES[kind]:
                real = {arg: announced.ids[arg] for arg in rule.arguments if arg not in OVERRIDES.get(endpoint, {})}
                values = {arg: quote(str(v)) for arg, v in (real | OVERRIDES.get(endpoint, {})).items()} | {name: raw}
                url = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", lambda m, v=values: v[m.group(1)], rule.rule)
                for persona in ("admin", "owner"):
                    client = sign_in(app.test_client(), announced.user(persona))
                    resp = client.open(url, method=methods[0])
                    # An id past the columns matches no route: 404 (405 where another rule shares the path).
                    if resp.status_code >= 500 or (kind == "int" and raw != "0" and resp.status_code not in (404, 405)):
                        failures.append(f"{methods[0]} {url[:80]} as {persona}: {resp.status_code}")
    assert not failures, "\n".join(failures)
