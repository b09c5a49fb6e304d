"""사업 설명회: the officer's session, registration with a waiting list and promotion, the deadline,
one registration per account, the D-1 reminder with its calendar file, attendance, slides."""
from __future__ import annotations

import io
import threading
from datetime import timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select

from app.calls import session_clock, session_seats
from app.core import clock as app_clock
from app.extensions import db
from app.models import AuditEntry, InfoSession, InfoSessionRegistration, OutboxMessage, User
from app.models.info_sessions import SeatStatus
from app.notifications import reminders
from tests.app.builders import docx_bytes
from tests.app.test_attachments import pptx_bytes
from tests.factories import CallFactory, UserFactory, officer_for
from tests.support import read_mails, sign_in, visible_text

START = app_clock.kst(2025, 7, 20, 14, 0)  # the clock fixture stands at 2025-07-01 09:00 KST


def _wall(value) -> str:
    return app_clock.to_kst(value).strftime("%Y-%m-%dT%H:%M")


def session_form(**over) -> dict:
    data = {"title": "AX 실증산단 사업 설명회", "starts_at": _wall(START), "ends_at": _wall(START + timedelta(hours=2)),
            "place": "한국산업단지공단 본사 대강당", "online_url": "https://meet.example.kr/ax",
            "capacity": "2", "registration_closes_at": _wall(START - timedelta(days=2)),
            "description": "사업 개요와 신청 방법을 안내합니다."}
    data.update(over)
    return data


@pytest.fixture
def scene(app, clock, isolated_dirs):
    call = CallFactory()
    officer = officer_for(call)
    people = [UserFactory(name=f"참가자{i}") for i in range(4)]
    db.session.commit()
    return call, officer, people


def created(client, call, officer, **over) -> InfoSession:
    sign_in(client, officer)
    resp = client.post(f"/officer/calls/{call.id}/sessions", data=session_form(**over))
    assert resp.status_code == 303, resp.get_data(as_text=True)[:3000]
    return db.session.scalars(select(InfoSession).order_by(InfoSession.id.desc())).first()


def register(client, session, user, org="경남테크노파크"):
    sign_in(client, user)
    return client.post(f"/calls/{session.call.code}/sessions/{session.id}/register", data={"organisation_name": org})


def statuses(session) -> list[tuple[str, str]]:
    db.session.expire_all()
    return [(r.user.name, r.status) for r in session_seats.seated(session) + session_seats.waiting(session)]


def ics_of(mail) -> Calendar:
    part = next(p for p in mail.iter_attachments() if p.get_filename() == "invite.ics")
    return Calendar.from_ical(part.get_payload(decode=True))


def test_an_officer_creates_a_session_and_bad_input_is_named_beside_its_field(scene, client):
    call, officer, people = scene
    sign_in(client, officer)
    resp = client.post(f"/officer/calls/{call.id}/sessions",
                       data=session_form(ends_at=_wall(START - timedelta(hours=1)), place="", online_url="ftp://x",
                                         capacity="0", registration_closes_at=_wall(START + timedelta(hours=1))))
    assert resp.status_code == 422
    page = visible_text(resp.get_data(as_text=True))
    for message in ("종료 일시는 시작 일시보다 뒤여야 합니다.", "http:// 또는 https://로 시작하는 주소여야 합니다.",
                    "정원은 1명에서 10000명 사이로", "신청 마감은 설명회 시작 전이어야 합니다."):
        assert message in page
    assert db.session.scalar(select(InfoSession.id)) is None
    session = created(client, call, officer)
    assert (session.title, session.capacity, session.starts_at) == ("AX 실증산단 사업 설명회", 2, START)
    public = visible_text(client.get(f"/calls/{call.code}").get_data(as_text=True))
    assert "사업 설명회" in public and "정원 2명 중 0명 등록" in public
    # The online link is for seat holders only.
    assert "meet.example.kr" not in client.get(f"/calls/{call.code}/sessions/{session.id}").get_data(as_text=True)
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "info_session.created")) is not None


def test_capacity_then_waiting_list_in_order_and_a_withdrawal_promotes_the_first(scene, client, clock, mailbox):
    call, officer, people = scene
    session = created(client, call, officer)
    for person in people:
        assert register(client, session, person).status_code == 303
    assert statuses(session) == [("참가자0", "seated"), ("참가자1", "seated"), ("참가자2", "waiting"),
                                 ("참가자3", "waiting")]
    page = visible_text(client.get(f"/calls/{call.code}/sessions/{session.id}").get_data(as_text=True))
    assert "대기자 명단 2번째입니다." in page  # as 참가자3
    # The confirmation carries the calendar event; the waiting list's mail does not.
    seated_mail = read_mails(mailbox, to=people[0].email)[0]
    cal = ics_of(seated_mail)
    event = cal.walk("VEVENT")[0]
    assert str(event["summary"]).endswith("AX 실증산단 사업 설명회")
    assert event.decoded("dtstart") == START and "meet.example.kr" in seated_mail.get_body(("plain",)).get_content()
    waiting_mail = read_mails(mailbox, to=people[2].email)[0]
    assert "대기자 등록" in waiting_mail["Subject"] and not list(waiting_mail.iter_attachments())
    assert "meet.example.kr" not in waiting_mail.get_body(("plain",)).get_content()

    sign_in(client, people[0])
    assert client.post(f"/calls/{call.code}/sessions/{session.id}/withdraw").status_code == 303
    assert statuses(session) == [("참가자1", "seated"), ("참가자2", "seated"), ("참가자3", "waiting")]
    promoted = [m for m in read_mails(mailbox, to=people[2].email) if "대기 해제" in m["Subject"]]
    assert len(promoted) == 1 and ics_of(promoted[0]).walk("VEVENT")[0].decoded("dtstart") == START
    actions = set(db.session.scalars(select(AuditEntry.action).where(AuditEntry.action.like("info_session.%"))))
    assert {"info_session.registered", "info_session.withdrawn", "info_session.promoted"} <= actions
    # A withdrawn person may register again, at the end of the queue.
    clock.shift(timedelta(minutes=1))
    assert register(client, session, people[0]).status_code == 303
    assert statuses(session)[-1] == ("참가자0", "waiting")


def test_a_second_registration_is_refused_and_changes_nothing(scene, client):
    call, officer, people = scene
    session = created(client, call, officer)
    assert register(client, session, people[0]).status_code == 303
    before = db.session.scalar(select(db.func.count(OutboxMessage.id)))
    resp = register(client, session, people[0])
    assert resp.status_code == 422 and "이미 이 설명회에 신청했습니다." in resp.get_data(as_text=True)
    assert db.session.scalar(select(db.func.count(InfoSessionRegistration.id))) == 1
    assert db.session.scalar(select(db.func.count(OutboxMessage.id))) == before
    resp = register(client, session, people[1], org="")
    assert resp.status_code == 422 and "소속 기관명을 입력하십시오." in resp.get_data(as_text=True)


def test_registration_closes_at_the_deadline(scene, client, clock):
    call, officer, people = scene
    session = created(client, call, officer)
    clock.move_to(session.registration_closes_at - timedelta(seconds=1))
    assert register(client, session, people[0]).status_code == 303
    clock.move_to(session.registration_closes_at)
    resp = register(client, session, people[1])
    assert resp.status_code == 422 and "설명회 신청이 마감되었습니다" in resp.get_data(as_text=True)
    assert "신청을 받지 않습니다." in visible_text(
        client.get(f"/calls/{call.code}/sessions/{session.id}").get_data(as_text=True))


def test_reminder_goes_once_per_seat_holder_the_day_before(scene, client, clock, mailbox):
    call, officer, people = scene
    session = created(client, call, officer)
    for person in people[:3]:
        register(client, session, person)
    clock.move_to(START - timedelta(days=1, minutes=1))
    assert reminders.run()["info_session_reminders"] == 0
    clock.move_to(START - timedelta(days=1))
    assert reminders.run()["info_session_reminders"] == 2
    clock.shift(timedelta(hours=3))
    assert reminders.run()["info_session_reminders"] == 0  # claimed: never twice
    sent = db.session.scalars(select(OutboxMessage).where(OutboxMessage.template == "info_session",
                                                          OutboxMessage.context["kind"].as_string() == "reminder")).all()
    assert sorted(m.user_id for m in sent) == sorted(p.id for p in people[:2])  # the waiting one is not reminded
    mail = [m for m in read_mails(mailbox, to=people[0].email) if "내일 설명회" in m["Subject"]]
    assert len(mail) == 1 and ics_of(mail[0]).walk("VEVENT")[0].decoded("dtstart") == START
    clock.move_to(START + timedelta(minutes=5))
    assert reminders.run()["info_session_reminders"] == 0
    assert session_clock.claim_kind(session) == f"ses{session.id}-d1-202507201400"


def test_a_change_of_time_is_told_with_the_same_event_and_cancellation_withdraws_it(scene, client, mailbox):
    call, officer, people = scene
    session = created(client, call, officer)
    register(client, session, people[0])
    sign_in(client, officer)
    later = START + timedelta(hours=1)
    resp = client.post(f"/officer/sessions/{session.id}",
                       data=session_form(starts_at=_wall(later), ends_at=_wall(later + timedelta(hours=2))))
    assert resp.status_code == 303
    changed = [m for m in read_mails(mailbox, to=people[0].email) if "일정 변경" in m["Subject"]]
    event = ics_of(changed[0]).walk("VEVENT")[0]
    assert event.decoded("dtstart") == later and int(event["sequence"]) == 1
    assert str(event["uid"]) == f"info-session-{session.id}@gongmo"
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "info_session.updated"))
    assert "starts_at" in entry.data["changes"]
    # Fewer seats than taken is refused beside the field.
    resp = client.post(f"/officer/sessions/{session.id}", data=session_form(capacity="0"))
    assert resp.status_code == 422
    resp = client.post(f"/officer/sessions/{session.id}/cancel", data={"reason": "강사 사정으로 취소합니다."})
    assert resp.status_code == 422 and db.session.get(InfoSession, session.id).state == "scheduled"
    resp = client.post(f"/officer/sessions/{session.id}/cancel", data={"reason": "강사 사정으로 취소합니다.", "confirm": "y"})
    assert resp.status_code == 303
    cancelled = [m for m in read_mails(mailbox, to=people[0].email) if "설명회 취소" in m["Subject"]]
    event = ics_of(cancelled[0]).walk("VEVENT")[0]
    assert str(event["status"]) == "CANCELLED" and int(event["sequence"]) == 2
    assert "강사 사정으로" in cancelled[0].get_body(("plain",)).get_content()
    resp = register(client, session, people[1])
    assert resp.status_code == 422 and "취소된 설명회입니다." in resp.get_data(as_text=True)


def test_attendance_is_ticked_after_the_start_and_audited(scene, client, clock):
    call, officer, people = scene
    session = created(client, call, officer)
    for person in people[:2]:
        register(client, session, person)
    rows = session_seats.seated(session)
    sign_in(client, officer)
    url = f"/officer/sessions/{session.id}/attendance"
    resp = client.post(url, data={"attended": [str(rows[0].id)]})
    assert resp.status_code == 422 and "설명회가 시작된 뒤에" in resp.get_data(as_text=True)
    clock.move_to(START + timedelta(minutes=30))
    assert client.post(url, data={"attended": [str(rows[0].id)]}).status_code == 303
    db.session.expire_all()
    assert [(r.user.name, r.attended) for r in session_seats.seated(session)] == [("참가자0", True), ("참가자1", False)]
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "info_session.attendance"))
    assert entry.data["changes"]["attended"] == [[], [people[0].id]]
    page = client.get(f"/officer/sessions/{session.id}").get_data(as_text=True)
    assert f'value="{rows[0].id}" checked' in page or f'checked value="{rows[0].id}"' in page or "checked" in page
    resp = client.post(url, data={"attended": ["999999"]})
    assert resp.status_code == 422


def test_slides_are_checked_by_content_told_to_registrants_and_public(app, scene, client, mailbox):
    call, officer, people = scene
    session = created(client, call, officer)
    register(client, session, people[0])
    sign_in(client, officer)
    url = f"/officer/sessions/{session.id}/slides"
    for data, name in ((docx_bytes(), "자료.docx"), (b"MZ\x90\x00not a pdf", "자료.pdf")):
        resp = client.post(url, data={"slides": (io.BytesIO(data), name)}, content_type="multipart/form-data")
        assert resp.status_code == 422
    assert db.session.get(InfoSession, session.id).slides_sha256 is None
    resp = client.post(url, data={"slides": (io.BytesIO(pptx_bytes()), "설명회 자료.pptx")},
                       content_type="multipart/form-data")
    assert resp.status_code == 303
    told = [m for m in read_mails(mailbox, to=people[0].email) if "발표자료" in m["Subject"]]
    assert len(told) == 1
    anonymous = app.test_client().get(f"/calls/{call.code}/sessions/{session.id}/slides")
    assert anonymous.status_code == 200 and anonymous.data == pptx_bytes()
    assert "설명회 자료.pptx" in anonymous.headers["Content-Disposition"] or "attachment" in anonymous.headers[
        "Content-Disposition"]
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "info_session.slides_uploaded"))
    assert entry.data["type"] == "pptx"


def test_a_draft_calls_sessions_are_hidden_and_others_officers_cannot_run_them(scene, client):
    call, officer, people = scene
    session = created(client, call, officer)
    call.phase = "draft"
    db.session.commit()
    sign_in(client, people[0])
    assert client.get(f"/calls/{call.code}/sessions/{session.id}").status_code == 404
    assert register(client, session, people[0]).status_code == 404
    assert client.get(f"/calls/OTHER/sessions/{session.id}").status_code == 404
    assert client.get(f"/officer/sessions/{session.id}").status_code == 404


def test_a_raised_capacity_seats_the_waiting_list_in_order(scene, client, mailbox):
    call, officer, people = scene
    session = created(client, call, officer, capacity="1")
    for person in people[:3]:
        register(client, session, person)
    assert [s for _, s in statuses(session)] == ["seated", "waiting", "waiting"]
    sign_in(client, officer)
    assert client.post(f"/officer/sessions/{session.id}", data=session_form(capacity="2")).status_code == 303
    assert statuses(session) == [("참가자0", "seated"), ("참가자1", "seated"), ("참가자2", "waiting")]
    assert [m["Subject"] for m in read_mails(mailbox, to=people[1].email)][-1].startswith("[공모] 설명회 등록 확정")


def test_the_last_seat_is_taken_once_while_the_session_row_is_locked(app, scene, client, db_backend):
    """PostgreSQL: a registration holds the session's row; the next one waits, then counts the seat taken."""
    if db_backend != "postgresql":
        pytest.skip("SQLite has one writer at a time and no row locks")
    call, officer, people = scene
    session = created(client, call, officer, capacity="1")
    ids = (session.id, people[1].id)
    outcome: list[str] = []

    def second_registers():
        with app.app_context():
            try:
                row = session_seats.register(db.session.get(InfoSession, ids[0]), db.session.get(User, ids[1]), "B")
                db.session.commit()
                outcome.append(row.status)
            finally:
                db.session.remove()

    first = session_seats.register(db.session.get(InfoSession, session.id), people[0], "A")  # holds the row
    worker = threading.Thread(target=second_registers)
    worker.start()
    worker.join(timeout=1.0)
    assert worker.is_alive(), "the second registration counted seats while the first held the session"
    db.session.commit()
    worker.join(timeout=10)
    assert first.status == SeatStatus.SEATED and outcome == [SeatStatus.WAITING]
