"""Panel building with the real parts: the invitation through a real SMTP server (aiosmtpd), whose link
opens the answer page and accepts; the recommendations computed by a real Celery worker."""
from __future__ import annotations

import re
import time
from urllib.parse import urlsplit

import pytest

from app.extensions import db
from app.models.panels import InvitationStatus, PanelInvitation
from app.review import recommend, recruitment, stage_scope
from tests.app.test_recommend import TWIN, candidate, proposal
from tests.factories import closed_call, officer_for


def test_the_invitation_arrives_by_smtp_and_its_link_accepts_without_a_login(app, client, smtp_server, inbox,
                                                                             isolated_dirs):
    call = closed_call()
    officer = officer_for(call)
    proposal(call, TWIN)
    person = candidate("디지털트윈, 스마트팩토리")
    stage = stage_scope.current_stage(call)
    recommend.compute(stage)
    app.config.update(MAIL_BACKEND="smtp", MAIL_HOST="127.0.0.1", MAIL_PORT=smtp_server.port, MAIL_TIMEOUT=5)
    try:
        recruitment.start(stage, officer, seats=1, invite_factor=3, response_days=5, industry_share="0")
        db.session.commit()  # eager delivery: the mail goes to the SMTP server right after the commit
    finally:
        app.config.update(MAIL_BACKEND="file")

    (got,) = inbox.wait_for(1, timeout=10)
    mail = got["mail"]
    assert got["rcpt"] == [person.user.email]
    assert mail["Subject"] == f"[공모] {call.title} 평가위원 위촉 요청"
    body = mail.get_body(preferencelist=("plain",)).get_content()
    assert "수락 또는 사양" in body and "로그인하지 않아도 됩니다" in body
    link = urlsplit(re.search(r"https?://\S+/review/invitations/\S+", body).group(0)).path

    page = client.get(link)
    assert page.status_code == 200 and call.title in page.get_data(as_text=True)
    assert client.post(link + "/accept").status_code == 303
    db.session.expire_all()
    assert db.session.query(PanelInvitation).one().status == InvitationStatus.ACCEPTED


@pytest.mark.redis
def test_the_worker_computes_the_recommendations_handed_over_after_the_commit(live_app, workers):
    workers("recommend")  # its own, stopped after: the shared one would outlive this test
    call = closed_call()
    officer = officer_for(call)
    twin = proposal(call, TWIN)
    person = candidate("디지털트윈, 스마트팩토리")
    stage = stage_scope.current_stage(call)
    db.session.commit()

    run = recommend.request(stage, officer)
    assert recommend.pending(run)
    db.session.commit()  # only now is the stage's id handed to the worker

    deadline = time.monotonic() + 60  # the worker loads Kiwi's model first
    while time.monotonic() < deadline:
        db.session.expire_all()
        if not recommend.pending(recommend.run_of(stage)):
            break
        time.sleep(0.5)
    got = recommend.stored(stage)
    assert [r.user_id for r in got[twin.id]] == [person.user_id] and "디지털트윈" in got[twin.id][0].terms
