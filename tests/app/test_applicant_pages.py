"""Withdrawing with a confirmation step, the "edited after submission" marker, limited fields,
the budget page's checks, uploads over the size limit and the error pages."""
from __future__ import annotations

import io

import pytest
from flask import request
from sqlalchemy import func, select
from werkzeug.exceptions import InternalServerError, TooManyRequests

from app.extensions import db
from app.models import Attachment, AuditEntry, Proposal
from app.web import _error_page
from tests.app.builders import complete_proposal
from tests.factories import ProposalFactory, applicant_with_consortium, officer_for
from tests.support import mails, sign_in

pytestmark = pytest.mark.usefixtures("isolated_dirs")
EDITED = "제출 후 수정됨 — 다시 제출해야 반영됩니다"


@pytest.fixture
def submitted(app, client, clock):
    lead, consortium = applicant_with_consortium()
    p = complete_proposal(user=lead, consortium=consortium)
    db.session.commit()
    sign_in(client, lead)
    assert client.post(f"/proposals/{p.id}/submit", data={"confirm": "y"}).status_code == 303
    return lead, db.session.get(Proposal, p.id)


def test_withdraw_from_the_proposal_page_asks_first_then_audits_and_tells_the_consortium(client, submitted, app):
    lead, p = submitted
    page = client.get(f"/proposals/{p.id}").get_data(as_text=True)
    assert f"/proposals/{p.id}/withdraw/confirm" in page
    confirm = client.get(f"/proposals/{p.id}/withdraw/confirm")
    html = confirm.get_data(as_text=True)
    assert confirm.status_code == 200 and "평가 대상에서 빠집니다" in html and f'action="/proposals/{p.id}/withdraw"' in html
    assert db.session.get(Proposal, p.id).status == "submitted"  # asking changes nothing

    assert client.post(f"/proposals/{p.id}/withdraw").status_code == 303
    assert db.session.get(Proposal, p.id).status == "withdrawn"
    assert db.session.scalar(select(AuditEntry.action).order_by(AuditEntry.id.desc()).limit(1)) == "proposal.withdrawn"
    assert f"proposal_withdrawn:{p.id}:v1:u{lead.id}" in mails(app)
    assert "제출된 신청서만 철회할 수 있습니다" in client.get(f"/proposals/{p.id}/withdraw/confirm").get_data(as_text=True)
    assert f"/withdraw/confirm" not in client.get(f"/proposals/{p.id}").get_data(as_text=True)

    officer = officer_for(p.call)
    db.session.commit()
    assert sign_in(app.test_client(), officer).get(f"/proposals/{p.id}/withdraw/confirm").status_code == 403


def test_a_proposal_edited_after_submission_says_so_wherever_it_is_listed(client, submitted, clock):
    lead, p = submitted
    pages = ("/my/proposals", f"/proposals/{p.id}", f"/proposals/{p.id}/versions")
    for page in pages:
        assert EDITED not in client.get(page).get_data(as_text=True), page
    clock.shift(60)
    data = {"title": "고친 사업명", "summary": p.summary, "complex_id": str(p.complex_id),
            "strategic_industries": p.strategic_industries or ""}
    assert client.post(f"/proposals/{p.id}/overview", data=data).status_code == 302
    for page in pages:
        assert EDITED in client.get(page).get_data(as_text=True), page
    # Resubmitting takes the change in: the marker goes.
    assert client.post(f"/proposals/{p.id}/submit", data={"confirm": "y"}).status_code == 303
    assert EDITED not in client.get("/my/proposals").get_data(as_text=True)
    # A file changed after submission counts as an edit too.
    clock.shift(60)
    [attachment] = [a for a in db.session.get(Proposal, p.id).attachments][:1]
    assert client.post(f"/proposals/{p.id}/attachments/{attachment.id}/delete").status_code == 303
    assert EDITED in client.get(f"/proposals/{p.id}").get_data(as_text=True)


@pytest.fixture
def draft(app, client):
    lead, consortium = applicant_with_consortium()
    p = ProposalFactory(consortium=consortium, created_by_id=lead.id)
    db.session.commit()
    sign_in(client, lead)
    return p


def test_limited_fields_carry_their_limit_and_the_server_refuses_longer_text_by_the_field(client, draft):
    html = client.get(f"/proposals/{draft.id}/overview").get_data(as_text=True)
    assert 'maxlength="300"' in html and 'data-counter="{n} / {max}자"' in html and "js/proposal.js" in html
    resp = client.post(f"/proposals/{draft.id}/overview", data={"title": "가" * 301, "summary": "요약"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422 and "300자 이내로 입력하십시오." in html and 'id="title-error"' in html
    assert db.session.get(Proposal, draft.id).summary != "요약"  # nothing saved


def test_budget_totals_leave_out_unreadable_cells_and_say_which(client, draft):
    year = draft.call.years[0]
    html = client.get(f"/proposals/{draft.id}/budget").get_data(as_text=True)
    assert "data-budget-live" in html and "data-local-ratio" in html and "data-invalid-note" in html
    resp = client.post(f"/proposals/{draft.id}/budget",
                       data={f"national-{year}": "1,000,000,000", f"local-{year}": "3억", f"private_cash-{year}": "5"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert f"숫자가 아닌 칸 1개는 합계에서 뺐습니다: {year}년 지방비" in html
    assert "1,000,000,005" in html  # the readable cells still add up
    assert "0.0%" in html  # local money over national, without the unreadable cell


def test_an_upload_over_the_request_limit_answers_on_the_form_with_the_limit(client, draft, app):
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024
    try:
        html = client.get(f"/proposals/{draft.id}/attachments").get_data(as_text=True)
        assert 'data-max-bytes="65536"' in html and "data-upload-check" in html and "파일당 최대 64KB" in html
        resp = client.post(f"/proposals/{draft.id}/attachments",
                           data={"kind": "plan", "file": (io.BytesIO(b"%PDF-1.4" + b"0" * 100_000), "큰파일.pdf")},
                           content_type="multipart/form-data")
    finally:
        app.config["MAX_CONTENT_LENGTH"] = 25 * 1024 * 1024
    html = resp.get_data(as_text=True)
    assert resp.status_code == 413
    assert "파일이 너무 큽니다. 파일당 최대 64KB까지 올릴 수 있습니다." in html
    assert 'enctype="multipart/form-data"' in html and 'id="file-error"' in html  # the same form, the field's error
    assert db.session.scalar(select(func.count()).select_from(Attachment)) == 0


def test_error_pages_say_what_happened_and_offer_the_way_back(client, app, draft):
    resp = client.get("/no/such/page", headers={"Referer": f"http://gongmo.test/proposals/{draft.id}"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 404 and "페이지를 찾을 수 없습니다" in html and 'class="site"' in html
    assert f'href="/proposals/{draft.id}"' in html and "이전 페이지로 돌아가기" in html and 'href="/"' in html
    # Another site's page is not offered as the way back.
    html = client.get("/no/such/page", headers={"Referer": "https://evil.example/x"}).get_data(as_text=True)
    assert "evil.example" not in html and "이전 페이지로 돌아가기" not in html

    assert "권한이 없습니다" in client.get("/officer/").get_data(as_text=True)

    big = client.post("/login", data={"email": "x" * (26 * 1024 * 1024)})
    assert big.status_code == 413 and "최대 25MB" in big.get_data(as_text=True)

    with app.test_request_context("/somewhere", headers={"Referer": "http://gongmo.test/calls"}):
        assert request.path == "/somewhere"
        page, code, headers = _error_page(429)(TooManyRequests(retry_after=30))
        assert code == 429 and headers == {"Retry-After": "30"} and "30초 뒤에 다시 시도하십시오" in page
        assert 'href="/calls"' in page
        page, code, _headers = _error_page(500)(InternalServerError())
        assert code == 500 and "서버 오류가 발생했습니다" in page and "처음으로" in page
