"""The in-app notification list, subscriptions and the admin's mail page."""
from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import Notification, OutboxMessage
from app.models.outbox import Subscription
from app.notifications import reminders
from app.core.clock import now
from tests.factories import ProgrammeFactory, UserFactory


def notify(user, text="새 공모가 열렸습니다.", url="/calls/AX-2025", read=False):
    n = Notification(user_id=user.id, kind="call_opened", message=text, url=url, read=read)
    db.session.add(n)
    db.session.flush()
    return n


def test_the_list_shows_unread_counts_and_marks_read(app, login):
    user = UserFactory()
    first = notify(user, "첫 번째 알림")
    notify(user, "두 번째 알림")
    notify(user, "읽은 알림", read=True)
    notify(UserFactory(), "남의 알림")
    db.session.commit()
    client = login(user)

    page = client.get("/notifications").get_data(as_text=True)
    assert "읽지 않은 알림이 2건 있습니다." in page
    assert "첫 번째 알림" in page and "읽은 알림" in page and "남의 알림" not in page

    resp = client.post(f"/notifications/{first.id}/read")
    assert resp.status_code == 302 and resp.headers["Location"] == "/calls/AX-2025"
    assert "읽지 않은 알림이 1건 있습니다." in client.get("/notifications").get_data(as_text=True)

    client.post("/notifications/read")
    assert "읽지 않은 알림이 없습니다." in client.get("/notifications").get_data(as_text=True)


def test_nobody_marks_another_users_notification(app, login):
    owner = UserFactory()
    theirs = notify(owner)
    db.session.commit()
    client = login(UserFactory())

    assert client.post(f"/notifications/{theirs.id}/read").status_code == 404
    db.session.refresh(theirs)
    assert theirs.read is False


def test_a_user_asks_to_be_told_about_new_calls_and_changes_their_mind(app, login):
    programme = ProgrammeFactory(name="AX 실증산단 구축사업")
    user = UserFactory()
    db.session.commit()
    client = login(user)

    assert "새 공모 알림 신청" in client.get("/notifications").get_data(as_text=True)
    client.post(f"/notifications/programmes/{programme.id}")
    assert [u.id for u in reminders.subscribers(programme.id)] == [user.id]
    client.post(f"/notifications/programmes/{programme.id}")
    assert db.session.scalar(select(Subscription.id)) is None


def test_admins_see_failed_mails_and_send_them_again(app, login, sent):
    admin = UserFactory(roles=["admin"])
    user = UserFactory(email="lost@example.kr")
    failed = OutboxMessage(key="k-failed", template="call_opened", user_id=user.id, to_email=user.email,
                           context={"name": "x", "call_title": "공모", "opens_at": "", "closes_at": "",
                                    "agency": "", "call_url": ""},
                           status="failed", attempts=6, last_error="SMTPDataError: 451 try later")
    db.session.add(failed)
    db.session.commit()

    assert login(UserFactory()).get("/dev/mail").status_code == 404
    client = login(admin)
    page = client.get("/dev/mail").get_data(as_text=True)
    assert "발송 실패 메일" in page and "lost@example.kr" in page and "451 try later" in page

    client.post(f"/dev/mail/outbox/{failed.id}/retry")
    db.session.refresh(failed)
    assert failed.status == "sent"
    assert [m["To"] for m in sent] == ["lost@example.kr"]


def test_admins_see_which_mails_may_have_arrived_twice(app, login):
    admin = UserFactory(roles=["admin"])
    user = UserFactory(email="twice@example.kr")
    context = {"name": "x", "call_title": "공모", "opens_at": "", "closes_at": "", "agency": "", "call_url": ""}
    twice = OutboxMessage(key="k-twice", template="call_opened", user_id=user.id, to_email=user.email,
                          context=context, status="sent", attempts=2, possible_duplicate=True,
                          message_id="<outbox.0123456789abcdef01234567@gongmo.test>")
    maybe = OutboxMessage(key="k-maybe", template="call_opened", user_id=user.id, to_email="maybe@example.kr",
                          context=context, status="failed", attempts=6, attempted_at=now(),
                          last_error="OutcomeUnknown: SMTPServerDisconnected")
    db.session.add_all([twice, maybe])
    db.session.commit()

    page = login(admin).get("/dev/mail").get_data(as_text=True)
    assert "중복 발송 가능성이 있는 메일" in page
    assert "twice@example.kr" in page and "&lt;outbox.0123456789abcdef01234567@gongmo.test&gt;" in page
    assert "이미 전달되었을 수 있습니다" in page  # the failed one may have arrived: said before "send again"


def test_without_a_broker_a_request_does_the_minutes_clock_work(make_app, _schema, sent):
    """`make run` alone (no Redis, no beat) still closes calls and sends reminders."""
    from datetime import timedelta

    from app.web import main
    from app.core.clock import now
    from tests.conftest import _truncate_all
    from tests.factories import CallFactory

    dev = make_app(TESTING=False, TASKS_EAGER=True)
    with dev.app_context():
        try:
            call = CallFactory(opens_at=now() - timedelta(days=40), closes_at=now() - timedelta(minutes=1))
            UserFactory(organisation=call.programme.agency, roles=["officer"], email="officer@kicox.kr")
            db.session.commit()
            main._last_tick = 0.0
            dev.test_client().get("/")
            assert [m["To"] for m in sent] == ["officer@kicox.kr"]
            dev.test_client().get("/")  # within the minute: no second run
            assert len(sent) == 1
        finally:
            db.session.remove()
            _truncate_all(db)
