"""The 발표평가 schedule's mail through a real SMTP server (aiosmtpd), its calendar event attached."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from icalendar import Calendar

from app.core import clock as app_clock
from app.extensions import db
from app.review import presentation
from tests.app.test_presentation import START, presentation_world


def test_the_published_schedule_arrives_by_smtp_with_a_parseable_calendar_event(app, clock, smtp_server, inbox,
                                                                                 isolated_dirs):
    w = presentation_world(receipts=("0001",))
    app.config.update(MAIL_BACKEND="smtp", MAIL_HOST="127.0.0.1", MAIL_PORT=smtp_server.port, MAIL_TIMEOUT=5)
    try:
        presentation.configure(w.stage, w.officer, {
            "starts_at": START, "room": "", "video_url": "https://meet.example.go.kr/ax-2025",
            "slot_minutes": 40, "break_minutes": 10, "presenter_rule": "주관기관 사업책임자가 발표",
            "slides_due_at": START - timedelta(days=1), "no_show_rule": "exclude", "chair_id": w.chair.id})
        presentation.generate(w.stage, w.officer)
        presentation.publish(w.stage, w.officer)
        db.session.commit()  # eager delivery: each mail goes to the SMTP server right after the commit
    finally:
        app.config.update(MAIL_BACKEND="file")

    got = {m["rcpt"][0]: m["mail"] for m in inbox.wait_for(3, timeout=10)}
    assert set(got) == {w.leads[0].email, w.chair.email, w.member.email}
    mail = got[w.leads[0].email]
    (part,) = [p for p in mail.iter_attachments() if p.get_content_type() == "text/calendar"]
    assert part.get_param("method") == "PUBLISH" and part.get_filename() == "invite.ics"
    (event,) = Calendar.from_ical(part.get_payload(decode=True)).walk("VEVENT")
    start = event.decoded("dtstart")
    assert start == datetime(2025, 7, 20, 1, 0, tzinfo=timezone.utc)  # 10:00 in Seoul is 01:00 UTC
    assert app_clock.to_kst(start).strftime("%H:%M") == "10:00" and start.utcoffset() == timedelta(hours=9)
    assert event.decoded("dtend") == start + timedelta(minutes=40)
    assert str(event["url"]) == "https://meet.example.go.kr/ax-2025"
    assert str(event["uid"]).startswith("presentation-") and int(event["sequence"]) == 0
