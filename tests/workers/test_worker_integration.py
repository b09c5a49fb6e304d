"""Real Redis, real Celery worker and beat processes, a real SMTP server.

Each test commits its data (the worker is another process) and asserts on what the
SMTP server received: recipients, subjects, bodies, and that nothing came twice.
"""
from __future__ import annotations

import time
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import OutboxMessage, Proposal
from app.notifications import outbox, reminders
from app.core.clock import now
from tests.factories import CallFactory, ProposalFactory, UserFactory, applicant_with_consortium

pytestmark = pytest.mark.redis


def sweep() -> None:
    """One beat tick of the outbox sweep, published like the beat does."""
    from workers.tasks import sweep_outbox

    try:
        sweep_outbox.delay()
    except Exception:  # noqa: BLE001 - Redis may still be coming back
        pass


def drafting_call(closes_in: timedelta, applicants: int = 1):
    """A call closing ``closes_in`` from now, one draft proposal whose lead org has ``applicants`` people."""
    lead, consortium = applicant_with_consortium(email="lead@tp.kr", name="김리드")
    people = [lead] + [UserFactory(organisation=lead.organisation, email=f"colleague{i}@tp.kr")
                       for i in range(1, applicants)]
    call = CallFactory(opens_at=now() - timedelta(days=30), closes_at=now() + closes_in)
    ProposalFactory(call=call, consortium=consortium, title="창원 AX 실증산단")
    db.session.commit()
    return call, people


def mail_row(key_prefix: str) -> OutboxMessage:
    db.session.expire_all()
    return db.session.scalar(select(OutboxMessage).where(OutboxMessage.key.startswith(key_prefix)))


def test_a_committed_notification_is_mailed_by_the_worker(live_app, worker, inbox):
    call, (lead, colleague) = drafting_call(timedelta(days=2, hours=12), applicants=2)

    reminders.run()  # commits; the worker is handed the ids after the commit

    got = inbox.wait_for(2)
    by_rcpt = {m["rcpt"][0]: m["mail"] for m in got}
    assert set(by_rcpt) == {"lead@tp.kr", "colleague1@tp.kr"}
    mail = by_rcpt["lead@tp.kr"]
    assert mail["Subject"] == f"[공모] {call.title} 접수 마감 3일 전입니다"
    assert mail["From"] == live_app.config["MAIL_SENDER"]
    text = mail.get_body(("plain",)).get_content()
    assert "김리드 님" in text and "창원 AX 실증산단" in text and f"//gongmo.test/calls/{call.code}" in text
    assert "창원 AX 실증산단" in mail.get_body(("html",)).get_content()
    assert mail_row(f"deadline:{call.id}:d3:{lead.id}").status == "sent"


def test_duplicated_and_redelivered_tasks_send_the_mail_once(live_app, worker, inbox):
    from workers.tasks import deliver_outbox

    call, (lead,) = drafting_call(timedelta(days=2))
    reminders.run()
    row = mail_row("deadline:")
    for _ in range(5):
        deliver_outbox.delay(row.id)
    inbox.wait_for(1)
    time.sleep(1.5)  # long enough for the duplicates to be consumed

    assert inbox.keys() == {row.key: 1}


def test_a_rolled_back_transaction_sends_nothing(live_app, worker, inbox):
    lead = UserFactory(email="lead@tp.kr")
    other = UserFactory(email="other@tp.kr")
    db.session.commit()
    context = {"name": "x", "call_title": "롤백된 공모", "closes_at": "", "kind": "d1", "proposal_title": "p",
               "proposal_status": "draft", "call_url": "", "proposal_url": ""}

    outbox.queue("rolled-back", "deadline_reminder", lead, context)
    db.session.rollback()
    outbox.queue("committed", "deadline_reminder", other, dict(context, call_title="커밋된 공모"))
    db.session.commit()

    inbox.wait_for(1)
    time.sleep(1.0)
    assert inbox.keys() == {"committed": 1}
    assert mail_row("rolled-back") is None


@pytest.mark.slow
def test_submitting_while_redis_is_down_mails_the_receipt_once_redis_is_back(
        live_app, worker, inbox, redis_server, login):
    from tests.app.builders import complete_proposal

    client = live_app.test_client()
    applicant, consortium = applicant_with_consortium(email="lead@tp.kr")
    proposal = complete_proposal(user=applicant, consortium=consortium)
    db.session.commit()
    proposal_id = proposal.id

    redis_server.stop()
    resp = client.post("/login", data={"email": applicant.email, "password": "Correct-horse-9"})
    assert resp.status_code == 302
    started = time.monotonic()
    resp = client.post(f"/proposals/{proposal_id}/submit", data={"confirm": "y"})
    elapsed = time.monotonic() - started

    assert resp.status_code == 303, resp.get_data(as_text=True)[:500]
    assert elapsed < 5, f"the submission waited {elapsed:.1f}s for a broker that is down"
    db.session.expire_all()
    proposal = db.session.get(Proposal, proposal_id)
    assert proposal.status == "submitted" and proposal.receipt_no
    time.sleep(1.0)
    assert inbox.snapshot() == []

    redis_server.restart()
    got = inbox.wait_for(1, timeout=30, poke=sweep)
    time.sleep(1.0)
    assert inbox.keys() == {f"proposal_submitted:{proposal_id}:v1:u{applicant.id}": 1}
    mail = got[0]["mail"]
    assert got[0]["rcpt"] == ["lead@tp.kr"]
    assert proposal.receipt_no in mail["Subject"]
    assert proposal.receipt_no in mail.get_body(("plain",)).get_content()


@pytest.mark.slow
def test_a_worker_killed_mid_batch_leaves_every_mail_sent_exactly_once(live_app, start_worker, inbox):
    batch = 12
    users = [UserFactory(email=f"u{i}@tp.kr") for i in range(batch)]
    db.session.commit()
    inbox.hold_after = 5  # the sixth mail is mid-DATA when the worker dies
    victim = start_worker("victim")
    context = {"name": "x", "call_title": "일괄", "closes_at": "", "kind": "d1", "proposal_title": "p",
               "proposal_status": "draft", "call_url": "", "proposal_url": ""}
    for i, user in enumerate(users):
        outbox.queue(f"batch:{i}", "deadline_reminder", user, context)
    db.session.commit()  # one transaction, twelve tasks

    assert inbox.held.wait(20), victim.output()[-3000:]
    victim.kill()
    inbox.hold_after = None
    inbox.released.set()
    assert len(inbox.snapshot()) == 5

    successor = start_worker("successor")
    inbox.wait_for(batch, timeout=40, poke=sweep)
    time.sleep(1.5)
    successor.stop()

    assert inbox.keys() == {f"batch:{i}": 1 for i in range(batch)}
    db.session.expire_all()
    assert set(db.session.scalars(select(OutboxMessage.status))) == {"sent"}


@pytest.mark.slow
def test_smtp_refusing_for_a_while_is_retried_and_delivered_once(live_app, worker, inbox):
    inbox.refuse_until = time.monotonic() + 2.5
    call, (lead,) = drafting_call(timedelta(hours=2))
    reminders.run()

    got = inbox.wait_for(1, timeout=30)
    time.sleep(1.0)
    assert inbox.refusals >= 2
    assert len(inbox.snapshot()) == 1 and got[0]["rcpt"] == ["lead@tp.kr"]
    row = mail_row("deadline:")
    assert row.status == "sent" and row.attempts == inbox.refusals + 1
    assert row.possible_duplicate is False  # every earlier try was refused: one copy arrived
    assert "451" in row.last_error or row.last_error == ""


@pytest.mark.slow
def test_two_beats_at_once_send_each_reminder_once(live_app, start_worker, start_beat, inbox):
    call, people = drafting_call(timedelta(days=6), applicants=2)
    closed = CallFactory(opens_at=now() - timedelta(days=40), closes_at=now() - timedelta(seconds=30))
    officer = UserFactory(organisation=closed.programme.agency, roles=["officer"], email="officer@kicox.kr")
    db.session.commit()
    workers = [start_worker("race-a"), start_worker("race-b")]
    beats = [start_beat("beat-a"), start_beat("beat-b")]

    inbox.wait_for(3, timeout=30)
    time.sleep(4)  # several more ticks of both beats
    for p in beats + workers:
        p.stop()

    expected = {f"deadline:{call.id}:d7:{u.id}" for u in people} | {f"call-closed:{closed.id}:{officer.id}"}
    assert set(inbox.keys()) == expected
    assert set(Counter(inbox.keys()).values()) == {1}
