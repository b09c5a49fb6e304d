"""What a 설명회 tells its registrants, through the outbox: one mail template, one sentence per kind.

A seat holder's mail carries the session as a calendar event (``invite.ics``, built by
``app.notifications.ics`` from the facts kept on the outbox row): the same uid for every mail
about the session, a higher sequence after each change, ``CANCELLED`` when it is called off.
People on the waiting list get no event until they have a seat.
"""
from __future__ import annotations

from datetime import datetime

from app.core import clock
from app.core.links import portal_url
from app.models.info_sessions import InfoSession, InfoSessionRegistration, SeatStatus
from app.notifications import outbox

# kind -> whether the mail carries the calendar event
KINDS = {"seated": True, "waiting": False, "promoted": True, "changed": True, "cancelled": True,
         "reminder": True, "slides": False}


def kst_text(value: datetime | None) -> str:
    return clock.to_kst(value).strftime("%Y-%m-%d %H:%M") + " KST" if value else ""


def session_url(session: InfoSession, *, external: bool = True) -> str:
    return portal_url("calls.info_session", code=session.call.code, info_session_id=session.id, external=external)


def event(session: InfoSession) -> dict:
    """The calendar event's facts (``app.notifications.ics``)."""
    facts = {
        "uid": f"info-session-{session.id}@gongmo", "sequence": session.sequence,
        "stamp": clock.now().replace(microsecond=0).isoformat(),
        "start": session.starts_at.isoformat(), "end": session.ends_at.isoformat(),
        "summary": f"[{session.call.title}] {session.title}",
        "location": " / ".join(p for p in (session.place, session.online_url) if p),
        "description": session.description, "url": session.online_url or session_url(session),
    }
    if session.cancelled:
        facts["status"] = "CANCELLED"
    return facts


def _notice(kind: str, session: InfoSession) -> outbox.Notice:
    # One whole sentence per kind, for the translator.
    title, when = session.title, kst_text(session.starts_at)
    return {
        "seated": outbox.notice("설명회 '%(title)s'(%(when)s)에 등록되었습니다.", title=title, when=when),
        "waiting": outbox.notice("설명회 '%(title)s'의 정원이 차서 대기자 명단에 올랐습니다.", title=title),
        "promoted": outbox.notice("대기 중이던 설명회 '%(title)s'(%(when)s)에 자리가 나서 등록되었습니다.",
                                  title=title, when=when),
        "changed": outbox.notice("설명회 '%(title)s'의 일시나 장소가 바뀌었습니다: %(when)s", title=title, when=when),
        "cancelled": outbox.notice("설명회 '%(title)s'(%(when)s)가 취소되었습니다.", title=title, when=when),
        "reminder": outbox.notice("내일 설명회 '%(title)s'(%(when)s)가 열립니다.", title=title, when=when),
        "slides": outbox.notice("설명회 '%(title)s'의 발표자료가 올라왔습니다.", title=title),
    }[kind]


def tell(registration: InfoSessionRegistration, kind: str, key: str) -> None:
    """Queue the ``kind`` mail (and notice) to one registrant; ``key`` makes it happen once."""
    session = registration.session
    user = registration.user
    seated = registration.status == SeatStatus.SEATED
    context = {
        "kind": kind, "name": user.name, "call_title": session.call.title, "title": session.title,
        "starts_at": kst_text(session.starts_at), "ends_at": clock.to_kst(session.ends_at).strftime("%H:%M"),
        "place": session.place, "online_url": session.online_url if seated else "",
        "description": session.description, "reason": session.cancel_reason,
        "url": session_url(session),
    }
    if KINDS[kind] and seated:
        context["ics"] = {"events": [event(session)]}
    outbox.queue(f"info-session:{session.id}:{key}:{user.id}", "info_session", user, context,
                 in_app=_notice(kind, session), url=session_url(session, external=False))
