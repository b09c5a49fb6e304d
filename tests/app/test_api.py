"""The read API (/api/v1/): public routes, tokens and their reach, pagination, ETags, limits, errors.

The world is the security suite's (tests/security/conftest.py): agency A's call, announced, with
consortium X's and Y's proposals screened, scored, selected, X's project signed; an officer of
another agency beside it.
"""
from __future__ import annotations

import hashlib
import json
from datetime import timedelta

import pytest
from openapi_spec_validator import validate
from sqlalchemy import select
from werkzeug.exceptions import InternalServerError

from app.api import tokens
from app.calls import amendments, faq
from app.calls import qa as call_qa
from app.core import clock as portal_clock
from app.extensions import db, limiter
from app.models import AuditEntry, Call, User
from app.models.api import ApiScope, ApiToken
from app.web.api import problems
from tests.factories import CallFactory, ProgrammeFactory, officer_for
from tests.security.conftest import OWNER_TITLE, build_world
from tests.support import sign_in

ALL = list(ApiScope)


@pytest.fixture
def world(app, clock, isolated_dirs):
    return build_world(clock)


def _call(world) -> Call:
    return db.session.get(Call, world.ids["call_id"])


def _issue(user_id: int, scopes=ALL, **kwargs) -> str:
    issued = tokens.issue(db.session.get(User, user_id), "ERP 연계", [str(s) for s in scopes], **kwargs)
    db.session.commit()
    return issued.secret


def _get(client, url, secret=None, **headers):
    if secret:
        headers["Authorization"] = f"Bearer {secret}"
    return client.get(url, headers=headers)


def _is_problem(resp, status: int) -> dict:
    assert resp.status_code == status, resp.get_data(as_text=True)
    assert resp.mimetype == "application/problem+json"
    body = resp.get_json(force=True)
    assert body["status"] == status and body["type"] == "about:blank"
    assert body["title"] and body["detail"]
    return body


# --- public --------------------------------------------------------------------------------

def test_published_calls_are_public_and_drafts_are_not(client, world):
    code = world.ids["code"]
    draft = CallFactory(phase="draft")
    db.session.commit()
    listed = _get(client, "/api/v1/calls")
    assert listed.status_code == 200 and listed.mimetype == "application/json"
    codes = [c["code"] for c in listed.get_json()]
    assert code in codes and draft.code not in codes

    one = _get(client, f"/api/v1/calls/{code}").get_json()
    assert one["status"] == "announced" and one["awards"] == _call(world).awards
    assert one["agency"] == _call(world).programme.agency.name and one["per_award_cap"] > 0
    _is_problem(_get(client, f"/api/v1/calls/{draft.code}"), 404)
    _is_problem(_get(client, "/api/v1/calls/NO-SUCH"), 404)


def test_stages_amendments_faq_and_announced_results(client, world):
    call, officer = _call(world), db.session.get(User, world.users["officer"])
    amendments.record(call, officer, "평가 마감 연장", {"review_due_at": ["2025-08-01 18:00", "2025-08-08 18:00"]})
    question = call_qa.ask(call, db.session.get(User, world.users["other_applicant"]), "지방비 비율",
                           "현물도 지방비에 포함됩니까?", private=False)
    call_qa.answer(question, officer, "현금만 포함됩니다.")
    faq.promote(question, officer, "현물도 지방비에 포함됩니까?", "현금만 포함됩니다.")
    db.session.commit()
    code = world.ids["code"]

    stages = _get(client, f"/api/v1/calls/{code}/stages").get_json()
    assert [(s["position"], s["kind"]) for s in stages] == [(0, "requirements"), (1, "written")]
    assert stages[1]["panel_size"] == 1 and stages[0]["panel_size"] is None

    [amendment] = _get(client, f"/api/v1/calls/{code}/amendments").get_json()
    assert amendment["number"] == 1 and amendment["reason"] == "평가 마감 연장"
    assert amendment["changes"] == [{"field": "평가 마감", "old": "2025-08-01 18:00 KST",
                                     "new": "2025-08-08 18:00 KST"}]

    assert _get(client, f"/api/v1/calls/{code}/faq").get_json() == [
        {"position": 1, "question": "현물도 지방비에 포함됩니까?", "answer": "현금만 포함됩니다."}]

    announced = _get(client, f"/api/v1/calls/{code}/results")
    rows = announced.get_json()
    assert rows and {r["receipt_no"] for r in rows} <= {f"{code}-0001", f"{code}-0002"}
    assert set(rows[0]) == {"rank", "receipt_no", "lead_organisation", "consortium", "site"}
    assert OWNER_TITLE not in announced.get_data(as_text=True)  # titles and scores are for token holders

    open_call = CallFactory()
    db.session.commit()
    assert _get(client, f"/api/v1/calls/{open_call.code}/results").get_json() == []


# --- token holders -------------------------------------------------------------------------

def test_a_token_reads_its_agencys_call_by_scope(client, world):
    secret = _issue(world.users["officer"])
    code, px = world.ids["code"], world.ids["proposal_id"]

    me = _get(client, "/api/v1/token", secret).get_json()
    assert me["scopes"] == sorted(str(s) for s in ALL) and me["programme"] is None

    listed = _get(client, f"/api/v1/calls/{code}/proposals", secret)
    assert listed.status_code == 200 and listed.headers["Cache-Control"] == "private, no-cache"
    rows = {p["id"]: p for p in listed.get_json()}
    assert set(rows) == {px, world.ids["other_proposal_id"]}
    assert rows[px]["title"] == OWNER_TITLE and rows[px]["status"] == "submitted"
    assert rows[px]["national_total"] > 0
    # Metadata only: no text, budget line or file of the applicants.
    assert set(rows[px]) == {"id", "receipt_no", "title", "status", "submitted_at", "consortium",
                             "lead_organisation", "site", "national_total"}
    assert _get(client, f"/api/v1/calls/{code}/proposals/{px}", secret).get_json() == rows[px]

    screening = _get(client, f"/api/v1/calls/{code}/screening", secret).get_json()
    assert {(r["proposal_id"], r["status"]) for r in screening} == {(px, "confirmed"),
                                                                    (world.ids["other_proposal_id"], "confirmed")}
    scores = _get(client, f"/api/v1/calls/{code}/scores", secret).get_json()
    assert {r["stage"] for r in scores} == {1} and {r["proposal_id"] for r in scores} == set(rows)
    decided = _get(client, f"/api/v1/calls/{code}/decisions", secret).get_json()
    assert [r["rank"] for r in decided] == sorted(r["rank"] for r in decided)
    assert all(r["decided"] and r["announced"] for r in decided)
    assert any(r["proposal_id"] == px and r["selected"] for r in decided)
    [project] = _get(client, f"/api/v1/calls/{code}/projects", secret).get_json()
    assert project["proposal_id"] == px and project["kpis"] and project["budget_planned"] > 0
    # Used: the officer's list shows when.
    assert db.session.scalar(select(ApiToken)).last_used_at is not None


def test_refusals_401_without_a_usable_token_404_beyond_its_reach(client, world, clock):
    code = world.ids["code"]
    url = f"/api/v1/calls/{code}/proposals"
    missing = _is_problem(_get(client, url), 401)
    assert "Bearer" in missing["detail"]
    assert _get(client, url).headers["WWW-Authenticate"].startswith("Bearer")
    _is_problem(_get(client, url, "gm_not-a-token"), 401)
    _is_problem(client.get(url, headers={"Authorization": "Basic dXNlcjpwdw=="}), 401)
    # A signed-in officer's session opens nothing: the API reads tokens only.
    sign_in(client, db.session.get(User, world.users["officer"]))
    _is_problem(_get(client, url), 401)

    # Another agency's token: the call is not its own, so it does not exist for it.
    foreign = _issue(world.users["other_officer"])
    _is_problem(_get(client, url, foreign), 404)
    assert _get(client, f"/api/v1/calls/{code}", foreign).status_code == 200  # the public page stays public

    # A scope the token lacks, and a token limited to another programme of the agency.
    screening_only = _issue(world.users["officer"], [ApiScope.SCREENING])
    _is_problem(_get(client, url, screening_only), 404)
    assert _get(client, f"/api/v1/calls/{code}/screening", screening_only).status_code == 200
    officer = db.session.get(User, world.users["officer"])
    other_programme = ProgrammeFactory(agency=officer.organisation)
    db.session.commit()
    elsewhere = _issue(officer.id, programme_id=other_programme.id)
    _is_problem(_get(client, url, elsewhere), 404)

    # Revoked, expired, or its officer no longer one: 401 from then on.
    revoked = _issue(officer.id)
    assert _get(client, url, revoked).status_code == 200
    tokens.revoke(officer, db.session.scalar(select(ApiToken.id).where(
        ApiToken.token_hash == hashlib.sha256(revoked.encode()).hexdigest())))
    db.session.commit()
    _is_problem(_get(client, url, revoked), 401)

    expiring = _issue(officer.id, expires_on=_today() + timedelta(days=2))
    assert _get(client, url, expiring).status_code == 200
    clock.shift(timedelta(days=3))
    _is_problem(_get(client, url, expiring), 401)

    lasting = _issue(officer.id)
    officer.active = False
    db.session.commit()
    _is_problem(_get(client, url, lasting), 401)


def _today():
    return portal_clock.to_kst(portal_clock.now()).date()


def test_secrets_are_kept_only_as_their_hash(app, world):
    secret = _issue(world.users["officer"])
    row = db.session.scalar(select(ApiToken))
    assert row.token_hash == hashlib.sha256(secret.encode()).hexdigest() and secret not in json.dumps(
        [row.name, row.prefix, row.scopes])
    assert tokens.authenticate(secret).id == row.id
    assert tokens.authenticate(secret + "x") is None


# --- pagination, ETags, limits, errors ------------------------------------------------------

def test_lists_are_paginated_with_link_headers(client, app):
    for _n in range(5):
        CallFactory()
    db.session.commit()
    first = _get(client, "/api/v1/calls?page_size=2")
    assert len(first.get_json()) == 2
    meta = json.loads(first.headers["X-Pagination"])
    assert meta["total"] == 5 and meta["total_pages"] == 3 and meta["next_page"] == 2
    assert '<http' not in first.headers["Link"]
    assert '</api/v1/calls?page_size=2&page=2>; rel="next"' in first.headers["Link"]
    assert 'rel="last"' in first.headers["Link"] and 'rel="prev"' not in first.headers["Link"]
    last = _get(client, "/api/v1/calls?page_size=2&page=3")
    assert len(last.get_json()) == 1 and 'rel="prev"' in last.headers["Link"]
    assert _get(client, "/api/v1/calls?page_size=2&page=9").get_json() == []
    bad = _is_problem(_get(client, "/api/v1/calls?page=0&page_size=1000"), 400)
    assert set(bad["errors"]) == {"page", "page_size"}
    _is_problem(_get(client, "/api/v1/calls?page=abc"), 400)


def test_etag_answers_304_until_the_data_changes(client, app):
    CallFactory()
    db.session.commit()
    first = _get(client, "/api/v1/calls")
    etag = first.headers["ETag"]
    assert etag
    again = client.get("/api/v1/calls", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b"" and again.headers["ETag"] == etag
    CallFactory()
    db.session.commit()
    changed = client.get("/api/v1/calls", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_rate_limit_per_token_or_address(make_app, world):
    was_enabled = limiter.enabled
    limited = make_app(RATELIMIT_ENABLED=True, API_RATE_LIMIT="3/minute", API_ADDRESS_RATE_LIMIT="6/minute")
    secret = _issue(world.users["officer"])
    try:
        c = limited.test_client()
        for _n in range(3):
            assert c.get("/api/v1/calls").status_code == 200
        refused = c.get("/api/v1/calls/" + world.ids["code"])  # one count for the whole API
        _is_problem(refused, 429)
        assert int(refused.headers["Retry-After"]) > 0
        # A token has its own count.
        assert c.get("/api/v1/token", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
        # Made-up tokens each count on their own, but the address's count holds them all.
        codes = [c.get("/api/v1/token", headers={"Authorization": f"Bearer gm_made-up-{n}"}).status_code
                 for n in range(4)]
        assert 429 in codes and set(codes[:codes.index(429)]) <= {401} and codes[-1] == 429
    finally:
        # The limiter is one object shared by every app of the test session.
        limiter.enabled = was_enabled
        with limited.app_context():
            db.engine.dispose()


def test_every_error_is_problem_json(client, app):
    _is_problem(_get(client, "/api/v1/no-such-thing"), 404)
    not_allowed = _is_problem(client.post("/api/v1/calls"), 405)
    assert not_allowed and "GET" in client.post("/api/v1/calls").headers["Allow"]
    _is_problem(client.delete("/api/v1/calls/X"), 405)
    # A NUL in the query is refused at the door, as problem+json here.
    _is_problem(_get(client, "/api/v1/calls?page=%00"), 400)
    with app.test_request_context("/api/v1/calls"):
        _is_problem(problems.from_exception(InternalServerError()), 500)
    # The portal's own pages keep their HTML error pages.
    assert _get(client, "/calls/NO-SUCH").mimetype == "text/html"


def test_csrf_does_not_apply_to_the_api(make_app, app):
    guarded = make_app(WTF_CSRF_ENABLED=True)
    try:
        c = guarded.test_client()
        assert c.get("/api/v1/calls").status_code == 200
        assert c.post("/api/v1/calls").status_code == 405  # not a CSRF refusal: no route takes it
        assert c.post("/login", data={}).status_code == 400  # the portal's forms still need the token
    finally:
        with guarded.app_context():
            db.engine.dispose()


def test_the_openapi_document_is_generated_and_valid_3_1(client, app):
    resp = client.get("/api/v1/openapi.json")
    assert resp.status_code == 200
    spec = resp.get_json()
    assert spec["openapi"] == "3.1.0"
    validate(spec)
    paths = spec["paths"]
    assert {"/api/v1/calls", "/api/v1/calls/{code}", "/api/v1/calls/{code}/stages",
            "/api/v1/calls/{code}/amendments", "/api/v1/calls/{code}/faq", "/api/v1/calls/{code}/results",
            "/api/v1/token", "/api/v1/calls/{code}/proposals", "/api/v1/calls/{code}/proposals/{proposal_id}",
            "/api/v1/calls/{code}/screening", "/api/v1/calls/{code}/scores", "/api/v1/calls/{code}/decisions",
            "/api/v1/calls/{code}/projects"} == set(paths)
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert "security" not in paths["/api/v1/calls"]["get"]
    assert paths["/api/v1/calls/{code}/scores"]["get"]["security"] == [{"bearerAuth": []}]
    problem = spec["components"]["responses"]["DEFAULT_ERROR"]["content"]
    assert list(problem) == ["application/problem+json"]
    assert "304" in paths["/api/v1/calls"]["get"]["responses"]


# --- the officer's page --------------------------------------------------------------------

def test_an_officer_issues_a_token_sees_it_once_and_revokes_it(client, world):
    officer = db.session.get(User, world.users["officer"])
    sign_in(client, officer)
    assert client.get("/officer/api-tokens").status_code == 200
    refused = client.post("/officer/api-tokens", data={"name": "ERP", "programme_id": "0"})
    assert refused.status_code == 422 and "범위를 하나 이상" in refused.get_data(as_text=True)
    assert db.session.scalar(select(ApiToken)) is None

    page = client.post("/officer/api-tokens", data={"name": "성과관리 시스템", "scopes": ["projects:read",
                                                                                 "decisions:read"],
                                                     "programme_id": "0"})
    assert page.status_code == 200
    row = db.session.scalar(select(ApiToken))
    html = page.get_data(as_text=True)
    secret = html.split("<code>")[1].split("</code>")[0]
    assert secret.startswith("gm_") and hashlib.sha256(secret.encode()).hexdigest() == row.token_hash
    assert row.scopes == ["decisions:read", "projects:read"] and row.agency_id == officer.organisation_id
    assert secret not in client.get("/officer/api-tokens").get_data(as_text=True)  # shown once
    assert _get(client, f"/api/v1/calls/{world.ids['code']}/decisions", secret).status_code == 200

    # Another agency's officer does not see it, and cannot revoke it.
    other = db.session.get(User, world.users["other_officer"])
    sign_in(client, other)
    assert "성과관리 시스템" not in client.get("/officer/api-tokens").get_data(as_text=True)
    assert client.post("/officer/api-tokens/revoke", data={"token_id": row.id}).status_code == 422
    db.session.refresh(row)
    assert row.revoked_at is None

    sign_in(client, officer)
    done = client.post("/officer/api-tokens/revoke", data={"token_id": row.id})
    assert done.status_code == 303
    db.session.refresh(row)
    assert row.revoked_at is not None and row.revoked_by_id == officer.id
    _is_problem(_get(client, f"/api/v1/calls/{world.ids['code']}/decisions", secret), 401)
    actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.action.like("api_token.%"))
                                 .order_by(AuditEntry.id)).all()
    assert actions == ["api_token.issued", "api_token.revoked"]


def test_only_officers_manage_tokens(client, world):
    sign_in(client, db.session.get(User, world.users["owner"]))
    assert client.get("/officer/api-tokens").status_code == 403
    officer = officer_for(_call(world))
    officer.organisation_confirmed_at = None  # not yet acting for the agency
    db.session.commit()
    with pytest.raises(tokens.ApiTokenError):
        tokens.issue(officer, "x", [str(ApiScope.SCORES)])
