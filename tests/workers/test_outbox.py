"""The outbox in-process: written with the change, sent once, retried with backoff."""
from __future__ import annotations

import smtplib
import threading
import time
from datetime import timedelta

import sqlalchemy as sa

from sqlalchemy import select

from app.extensions import db
from app.models import Notification, OutboxMessage
from app.notifications import mailer, outbox
from app.core.clock import now
from tests.factories import CallFactory, UserFactory


def _queue_reminder(user, key="k1", call=None):
    call = call or CallFactory()
    return outbox.queue(key, "deadline_reminder", user, {
        "name": user.name, "call_title": call.title, "closes_at": "2025-07-28 15:00 KST", "kind": "d3",
        "proposal_title": "창원 AX 실증", "proposal_status": "draft", "call_url": "https://gongmo.test/calls/AX",
        "proposal_url": "",
    }, in_app=outbox.notice("'%(call)s' 마감 3일 전입니다. 신청서가 아직 제출되지 않았습니다.", call=call.title))


def test_committed_change_sends_its_mail_and_in_app_notice(app, sent):
    user = UserFactory(email="lead@example.kr", name="김담당")
    _queue_reminder(user)
    db.session.commit()  # eager in tests: delivered right after the commit

    assert len(sent) == 1
    mail = sent[0]
    assert mail["To"] == "lead@example.kr"
    assert mail["Subject"] == "[공모] 2025년 AX 실증산단 구축사업 공모 접수 마감 3일 전입니다"
    text = mail.get_body(("plain",)).get_content()
    assert "김담당 님" in text and "창원 AX 실증" in text and "2025-07-28 15:00 KST" in text
    assert "<a href=\"https://gongmo.test/calls/AX\">" in mail.get_body(("html",)).get_content()
    row = db.session.scalar(select(OutboxMessage))
    assert (row.status, row.attempts) == ("sent", 1) and row.sent_at is not None
    notice = db.session.scalar(select(Notification))
    # Stored once, read in the reader's language of the moment, through the one catalog.
    assert notice.text_in("ko") == "'2025년 AX 실증산단 구축사업 공모' 마감 3일 전입니다. 신청서가 아직 제출되지 않았습니다."
    assert notice.text_in("en") == ("'2025년 AX 실증산단 구축사업 공모' closes in 3 days; "
                                    "your proposal is not submitted yet.")


def test_rolled_back_change_sends_nothing(app, sent):
    user = UserFactory()
    db.session.commit()
    _queue_reminder(user)
    db.session.rollback()

    assert sent == []
    assert db.session.scalar(select(OutboxMessage.id)) is None
    assert db.session.scalar(select(Notification.id)) is None


def test_a_savepoint_hands_nothing_over_before_the_transaction_commits(app, sent):
    user = UserFactory(email="lead@example.kr", name="김담당")
    _queue_reminder(user, key="before")
    with db.session.begin_nested():
        _queue_reminder(user, key="inside")
    assert sent == []  # released, not committed: the whole change may still roll back
    try:
        with db.session.begin_nested():
            _queue_reminder(user, key="rolled-back")
            raise RuntimeError
    except RuntimeError:
        pass
    assert sent == []

    db.session.commit()

    # The rows queued before and inside the released savepoint go out, the rolled-back one never.
    assert sorted(m["X-Gongmo-Key"] for m in sent) == ["before", "inside"]


def test_the_same_key_is_queued_and_sent_once(app, sent):
    user = UserFactory()
    assert _queue_reminder(user, key="receipt:1") is not None
    assert _queue_reminder(user, key="receipt:1") is None
    db.session.commit()
    row_id = db.session.scalar(select(OutboxMessage.id))

    assert outbox.deliver(row_id) is False  # a redelivered task
    assert len(sent) == 1


def test_racing_workers_send_a_row_once(app, monkeypatch):
    app.config["TASKS_EAGER"] = False
    monkeypatch.setattr(outbox, "dispatch", lambda ids: None)
    user = UserFactory()
    msg_id = _queue_reminder(user).id
    db.session.commit()
    calls = []

    def slow_send(mail):
        calls.append(mail["X-Gongmo-Key"])
        time.sleep(0.3)

    monkeypatch.setattr(mailer, "send", slow_send)
    results = []

    def worker():
        with app.app_context():
            results.append(outbox.deliver(msg_id))

    try:
        threads = [threading.Thread(target=worker) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        app.config["TASKS_EAGER"] = True
    assert calls == ["k1"]
    assert sorted(results) == [False, False, False, True]


def test_failures_back_off_exponentially_then_fail_visibly(app, monkeypatch, clock):
    def refuse(mail):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr(mailer, "send", refuse)
    user = UserFactory()
    _queue_reminder(user)
    db.session.commit()  # first attempt fails at once
    row = db.session.scalar(select(OutboxMessage))
    waits = []
    for _ in range(outbox.MAX_ATTEMPTS - 1):
        db.session.refresh(row)
        assert row.status == "pending"
        wait = row.next_attempt_at - now()
        waits.append(wait.total_seconds())
        assert outbox.due_ids() == []  # not before its time
        clock.shift(wait + timedelta(seconds=1))
        assert outbox.sweep() == 0
    db.session.refresh(row)

    assert waits == [30, 60, 120, 240, 480]
    assert (row.status, row.attempts) == ("failed", outbox.MAX_ATTEMPTS)
    assert "smtp down" in row.last_error
    assert [m.id for m in outbox.failed_messages()] == [row.id]
    assert outbox.status_counts()["failed"] == 1

    monkeypatch.setattr(mailer, "send", lambda mail: None)
    outbox.retry(row)
    db.session.commit()  # the officer's "send again"
    db.session.refresh(row)
    assert row.status == "sent" and outbox.failed_messages() == []


def test_a_lapsed_lease_is_taken_over_but_a_live_one_is_not(app, monkeypatch, sent, clock):
    app.config["TASKS_EAGER"] = False
    monkeypatch.setattr(outbox, "dispatch", lambda ids: None)
    try:
        user = UserFactory()
        msg = _queue_reminder(user)
        # A worker claimed the row and died before it could record the result.
        msg.status, msg.attempts, msg.lease_until = "sending", 1, now() + timedelta(seconds=outbox.LEASE_SECONDS)
        db.session.commit()

        assert outbox.sweep() == 0
        clock.shift(outbox.LEASE_SECONDS + 1)
        assert outbox.sweep() == 1
        assert outbox.sweep() == 0
    finally:
        app.config["TASKS_EAGER"] = True
    assert len(sent) == 1
    db.session.refresh(msg)
    assert (msg.status, msg.attempts) == ("sent", 2)
    assert msg.possible_duplicate is False  # it died before handing the mail over


def test_a_row_has_the_same_message_id_on_every_attempt(app):
    user = UserFactory()
    msg = _queue_reminder(user)
    assert mailer.build(msg)["Message-ID"] == mailer.build(msg)["Message-ID"]


def test_a_row_keeps_the_message_id_it_was_queued_with(app):
    user = UserFactory()
    msg = _queue_reminder(user, key="receipt:7")
    db.session.commit()

    assert msg.message_id.startswith("<outbox.") and msg.message_id.endswith("@gongmo.test>")
    app.config["SITE_URL"] = "https://elsewhere.example.kr"  # moved between two attempts
    try:
        assert mailer.build(msg)["Message-ID"] == msg.message_id
        other = _queue_reminder(user, key="receipt:8")
        assert other.message_id.endswith("@elsewhere.example.kr>") and other.message_id != msg.message_id
    finally:
        app.config["SITE_URL"] = "http://gongmo.test"


def _without_dispatch(app, monkeypatch):
    app.config["TASKS_EAGER"] = False
    monkeypatch.setattr(outbox, "dispatch", lambda ids: None)


def test_a_lapsed_lease_after_a_hand_over_is_sent_again_as_a_possible_duplicate(app, monkeypatch, sent, clock,
                                                                                caplog):
    _without_dispatch(app, monkeypatch)
    try:
        msg = _queue_reminder(UserFactory())
        # What a worker killed after the SMTP server took the mail leaves behind.
        msg.status, msg.attempts, msg.lease_until = "sending", 1, now() + timedelta(seconds=outbox.LEASE_SECONDS)
        msg.attempted_at = now()
        db.session.commit()
        clock.shift(outbox.LEASE_SECONDS + 1)
        assert outbox.sweep() == 1
    finally:
        app.config["TASKS_EAGER"] = True
    db.session.refresh(msg)

    assert (msg.status, msg.attempts, msg.possible_duplicate) == ("sent", 2, True)
    assert [m["Message-ID"] for m in sent] == [msg.message_id]
    assert "possibly a duplicate" in caplog.text and msg.message_id in caplog.text
    assert [m.id for m in outbox.possible_duplicates()] == [msg.id]


def test_a_refusal_is_retried_plainly_but_a_lost_answer_as_a_possible_duplicate(app, monkeypatch, clock):
    _without_dispatch(app, monkeypatch)
    answers = []

    def send(mail):
        if answers:
            raise answers.pop(0)

    monkeypatch.setattr(mailer, "send", send)
    try:
        refused, lost = _queue_reminder(UserFactory(), key="refused"), _queue_reminder(UserFactory(), key="lost")
        db.session.commit()
        answers.append(smtplib.SMTPDataError(554, b"rejected"))
        assert outbox.attempt(refused.id).result == "retry"
        db.session.refresh(refused)
        assert refused.attempted_at is None  # the server said no: nothing was delivered

        answers.append(mailer.OutcomeUnknown("SMTPServerDisconnected: Connection unexpectedly closed"))
        assert outbox.attempt(lost.id).result == "retry"
        db.session.refresh(lost)
        assert lost.attempted_at is not None and "OutcomeUnknown" in lost.last_error

        clock.shift(outbox.RETRY_BASE_SECONDS + 1)
        assert outbox.sweep() == 2
    finally:
        app.config["TASKS_EAGER"] = True
    db.session.refresh(refused)
    db.session.refresh(lost)
    assert (refused.status, refused.possible_duplicate) == ("sent", False)
    assert (lost.status, lost.possible_duplicate) == ("sent", True)


def test_mailer_reports_an_answer_lost_after_the_message_as_unknown(app, smtp_server, inbox):
    app.config.update(MAIL_BACKEND="smtp", MAIL_HOST="127.0.0.1", MAIL_PORT=smtp_server.port, MAIL_TIMEOUT=5)
    try:
        mail = mailer.build(_queue_reminder(UserFactory(), key="hang-up"))
        inbox.hang_up_after_accept = True
        try:
            mailer.send(mail)
        except mailer.OutcomeUnknown:
            pass
        else:
            raise AssertionError("a lost answer passed for a delivery")
        inbox.refuse_until = time.monotonic() + 5
        try:
            mailer.send(mail)
        except mailer.OutcomeUnknown:
            raise AssertionError("a refusal passed for an unknown outcome")
        except smtplib.SMTPDataError:
            pass
    finally:
        app.config.update(MAIL_BACKEND="file")
    assert len(inbox.snapshot()) == 1  # the first one did arrive


def test_the_migration_gives_queued_rows_the_message_id_they_were_sent_with(make_app, tmp_path):
    from flask_migrate import upgrade

    application = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'm.sqlite3'}")
    with application.app_context():
        upgrade(revision="04564ce879a4")
        with db.engine.begin() as conn:
            conn.execute(sa.text(
                "INSERT INTO outbox (id, key, template, to_email, locale, context, status, attempts, "
                "next_attempt_at, last_error, created_at) VALUES (41, 'receipt:1', 'proposal_submitted', "
                "'a@tp.kr', 'ko', '{}', 'pending', 0, '2025-07-01 00:00:00', '', '2025-07-01 00:00:00')"))
        upgrade()
        with db.engine.connect() as conn:
            got = conn.execute(sa.text("SELECT message_id, possible_duplicate, attempted_at FROM outbox")).one()
        db.engine.dispose()
    assert got == ("<outbox-41-ff1bbaff1614ec5e@gongmo.local>", 0, None)
