"""Calendar events (ICS, RFC 5545) attached to a mail, built when the mail is sent.

The outbox row keeps only the events' facts in its context (``ics``: ``{"events": [{uid,
sequence, stamp, start, end (ISO instants), summary, location, description, url}]}``), so
every attempt at the row builds the same file. Times are written in Seoul time with its
VTIMEZONE, which every calendar reads; a changed event keeps its uid with a higher sequence,
so the calendar updates the event instead of adding a second one.
"""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from app.core.clock import KST

if TYPE_CHECKING:
    from icalendar import Event

FILENAME = "invite.ics"


def _event(facts: dict) -> Event:
    from icalendar import Event

    event = Event()
    event.add("uid", facts["uid"])
    event.add("sequence", int(facts.get("sequence", 0)))
    event.add("dtstamp", datetime.fromisoformat(facts["stamp"]))
    event.add("dtstart", datetime.fromisoformat(facts["start"]).astimezone(KST))
    event.add("dtend", datetime.fromisoformat(facts["end"]).astimezone(KST))
    event.add("summary", facts.get("summary", ""))
    # ``status`` CANCELLED (with a higher sequence) withdraws a published event (RFC 5546 PUBLISH).
    for name in ("location", "description", "url", "status"):
        if facts.get(name):
            event.add(name, facts[name])
    return event


def event_ics(facts: dict) -> bytes:
    # Imported here: only the process sending a mail with an event needs icalendar (~3 MiB,
    # 90 modules), and a web worker with Redis sends no mail.
    from icalendar import Calendar

    cal = Calendar()
    cal.add("prodid", "-//Gongmo//presentation//KO")
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    for event in facts.get("events", []):
        cal.add_component(_event(event))
    cal.add_missing_timezones()
    return cal.to_ical()
