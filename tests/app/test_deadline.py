"""The closing instant, to the second, for every write of the submission pages."""
from __future__ import annotations

import io
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Attachment, AuditEntry, Call, OutboxMessage, Proposal, ProposalVersion
from app.core import clock as app_clock
from tests.app.builders import complete_proposal, minimal_pdf
from tests.factories import CallFactory, applicant_with_consortium
from tests.support import mails, sign_in

pytestmark = pytest.mark.usefixtures("isolated_dirs")

CLOSES = app_clock.kst(2025, 7, 28, 15, 0, 0)  # 28 July 2025, 15:00 KST


@pytest.fixture
def ready(clock):
    """A complete draft of a call that closes at CLOSES; the clock is still well before it."""
    lead, consortium = applicant_with_consortium()
    call = CallFactory(closes_at=CLOSES)
    proposal = complete_proposal(call=call, user=lead, consortium=consortium)
    db.session.commit()
    return lead, proposal


def state(proposal_id: int) -> tuple:
    """Everything a refused write must leave as it was."""
    db.session.expire_all()
    p = db.session.get(Proposal, proposal_id)
    return (p.status, p.receipt_no, p.submitted_at, p.call.next_receipt_seq,
            db.session.scalar(select(func.count(ProposalVersion.id))),
            tuple(sorted((a.id, a.sha256) for a in p.attachments)),
            db.session.scalar(select(func.count(AuditEntry.id))),
            db.session.scalar(select(func.count(OutboxMessage.id))))


def test_one_second_before_closing_is_in_time(client, clock, ready):
    lead, p = ready
    clock.move_to(CLOSES - timedelta(seconds=1))
    resp = sign_in(client, lead).post(f"/proposals/{p.id}/submit", data={"confirm": "y"})
    assert resp.status_code == 303
    p = db.session.get(Proposal, p.id)
    assert p.status == "submitted" and p.submitted_at == CLOSES - timedelta(seconds=1)


@pytest.mark.parametrize("late", [0, 1])
def test_at_and_after_closing_submission_is_refused(client, clock, ready, app, late):
    lead, p = ready
    before = state(p.id)
    clock.move_to(CLOSES + timedelta(seconds=late))
    resp = sign_in(client, lead).post(f"/proposals/{p.id}/submit", data={"confirm": "y"})
    assert resp.status_code == 303
    assert resp.headers["Location"].endswith(f"/proposals/{p.id}/submit")
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "접수가 마감되었습니다" in page
    assert state(p.id) == before
    assert mails(app) == {}


def test_a_non_browser_client_gets_409(client, clock, ready):
    lead, p = ready
    before = state(p.id)
    clock.move_to(CLOSES)
    resp = sign_in(client, lead).post(f"/proposals/{p.id}/submit", data={"confirm": "y"},
                                      headers={"Accept": "application/json"})
    assert resp.status_code == 409 and "마감" in resp.get_json()["error"]
    assert state(p.id) == before


def test_withdrawal_upload_and_deletion_are_refused_after_closing(client, clock, ready):
    lead, p = ready
    sign_in(client, lead)
    assert client.post(f"/proposals/{p.id}/submit", data={"confirm": "y"}).status_code == 303
    before = state(p.id)
    attachment_id = before[5][0][0]

    clock.move_to(CLOSES)
    for resp in (
        client.post(f"/proposals/{p.id}/withdraw"),
        client.post(f"/proposals/{p.id}/attachments", content_type="multipart/form-data",
                    data={"kind": "other", "file": (io.BytesIO(minimal_pdf()), "늦은 파일.pdf")}),
        client.post(f"/proposals/{p.id}/attachments/{attachment_id}/delete"),
    ):
        assert resp.status_code == 303
    assert state(p.id) == before
    assert state(p.id)[0] == "submitted"


def test_after_closing_the_pages_are_read_only(client, clock, ready):
    lead, p = ready
    clock.move_to(CLOSES + timedelta(hours=1))
    sign_in(client, lead)
    submit_page = client.get(f"/proposals/{p.id}/submit").get_data(as_text=True)
    assert "읽기 전용" in submit_page and 'name="confirm"' not in submit_page
    files_page = client.get(f"/proposals/{p.id}/attachments").get_data(as_text=True)
    assert "올리거나 삭제할 수 없습니다" in files_page
    assert 'type="file"' not in files_page and "/delete" not in files_page
    # Reading stays possible.
    assert client.get(f"/proposals/{p.id}/attachments/{p.attachments[0].id}").status_code == 200


def test_nothing_is_accepted_before_the_call_opens(client, clock, ready):
    lead, p = ready
    call = db.session.get(Call, p.call_id)
    call.opens_at = app_clock.now() + timedelta(days=1)
    db.session.commit()
    before = state(p.id)
    resp = sign_in(client, lead).post(f"/proposals/{p.id}/submit", data={"confirm": "y"}, follow_redirects=True)
    assert "아직 접수 기간이 아닙니다" in resp.get_data(as_text=True)
    assert state(p.id) == before
    assert db.session.scalar(select(func.count(Attachment.id))) == 3
