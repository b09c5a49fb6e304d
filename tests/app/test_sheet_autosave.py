"""The reviewer's side-by-side page: the proposal beside the sheet, and the draft's autosave."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEntry, ReviewAssignment
from app.review import assignment, conflicts
from tests.app.builders import pool_of, submitted_proposal
from tests.factories import UserFactory, closed_call, officer_for
from tests.support import sign_in


@pytest.fixture
def seat(app):
    call = closed_call()
    officer = officer_for(call)
    p = submitted_proposal(call, title="창원 AX 실증산단")
    (r1,) = pool_of(call, officer, 1)
    a = assignment.assign(call, p, r1.id, officer)
    conflicts.declare_no_conflict(a, r1)
    db.session.commit()
    return dict(call=call, p=p, r1=r1, a=a)


def _saves() -> int:
    return db.session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action == "review.sheet_saved"))


def test_the_sheet_page_shows_the_submitted_proposal_beside_the_form(client, seat):
    sign_in(client, seat["r1"])
    html = client.get(f"/review/a/{seat['a'].id}/sheet").get_data(as_text=True)
    # The proposal's text (only after the pledge) and the form, on one page, in the two columns.
    assert 'class="review-workbench"' in html and 'class="review-proposal"' in html
    assert "비밀 요약 내용" in html and 'name="points_infra"' in html
    assert f'data-autosave="/review/a/{seat["a"].id}/sheet/draft"' in html and "js/autosave.js" in html
    assert 'aria-live="polite" data-autosave-status' in html


def test_autosave_keeps_a_draft_and_answers_the_time_it_was_saved(client, seat):
    a = seat["a"]
    sign_in(client, seat["r1"])
    resp = client.post(f"/review/a/{a.id}/sheet/draft", data={"points_infra": "A", "comment_infra": "구체적임"})
    assert resp.status_code == 200, resp.get_data(as_text=True)
    body = resp.get_json()
    assert body["ok"] is True and re.fullmatch(r"\d\d:\d\d:\d\d", body["saved_at"])
    assert body["message"] == f"저장됨 {body['saved_at']}"
    db.session.expire_all()
    sheet = db.session.get(ReviewAssignment, a.id).sheet
    assert sheet.status == "draft" and sheet.points == {"infra": "A"} and sheet.comments["infra"] == "구체적임"
    assert _saves() == 1  # the same audited draft save as the button's
    # The page shows the draft when it is opened again, with when it was saved.
    html = client.get(f"/review/a/{a.id}/sheet").get_data(as_text=True)
    assert re.search(r'<option (selected value="A"|value="A" selected)', html) and "구체적임" in html
    assert "저장됨 " in html


def test_autosave_never_submits(client, seat):
    a = seat["a"]
    sign_in(client, seat["r1"])
    full = {"points_infra": "27", "points_poc": "A", "points_plan": "8.5", "points_alliance": "10",
            "overall_opinion": "우수함", "confirm_submit": "y"}
    for asking in ({"submit_sheet": "1"}, {"action": "submit"}):
        resp = client.post(f"/review/a/{a.id}/sheet/draft", data={**full, **asking})
        assert resp.status_code == 400 and resp.get_json()["ok"] is False
    db.session.expire_all()
    assert db.session.get(ReviewAssignment, a.id).sheet is None and _saves() == 0


def test_a_wrong_value_is_named_and_nothing_is_saved(client, seat):
    a = seat["a"]
    sign_in(client, seat["r1"])
    resp = client.post(f"/review/a/{a.id}/sheet/draft", data={"points_infra": "35"})
    assert resp.status_code == 422
    body = resp.get_json()
    assert body["ok"] is False and "배점 30점을 넘을 수 없습니다" in " ".join(body["errors"]["points_infra"])
    db.session.expire_all()
    assert db.session.get(ReviewAssignment, a.id).sheet is None and _saves() == 0


def test_a_submitted_sheet_is_not_touched_by_autosave(client, seat):
    a = seat["a"]
    sign_in(client, seat["r1"])
    full = {"points_infra": "27", "points_poc": "A", "points_plan": "8.5", "points_alliance": "10",
            "overall_opinion": "우수함", "confirm_submit": "y", "submit_sheet": "1"}
    assert client.post(f"/review/a/{a.id}/sheet", data=full).status_code == 303
    resp = client.post(f"/review/a/{a.id}/sheet/draft", data={"points_infra": "1"})
    assert resp.status_code == 409 and "수정할 수 없습니다" in resp.get_json()["message"]
    db.session.expire_all()
    assert db.session.get(ReviewAssignment, a.id).sheet.points["infra"] == "27"


def test_only_the_seats_own_pledged_reviewer_autosaves(client, seat):
    a = seat["a"]
    stranger = UserFactory(roles=["reviewer"])
    db.session.commit()
    sign_in(client, stranger)
    assert client.post(f"/review/a/{a.id}/sheet/draft", data={"points_infra": "20"}).status_code == 404
    db.session.expire_all()
    assert db.session.get(ReviewAssignment, a.id).sheet is None


def test_autosave_checks_the_csrf_token(seat, make_app, app):
    strict = make_app(WTF_CSRF_ENABLED=True)
    c = strict.test_client()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', c.get("/login").get_data(as_text=True)).group(1)
    resp = c.post("/login", data={"email": seat["r1"].email, "password": "Correct-horse-9", "csrf_token": token})
    assert resp.status_code == 302
    url = f"/review/a/{seat['a'].id}/sheet/draft"
    assert c.post(url, data={"points_infra": "20"}).status_code == 400
    page = c.get(f"/review/a/{seat['a'].id}/sheet").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    assert c.post(url, data={"points_infra": "20", "csrf_token": token}).status_code == 200
