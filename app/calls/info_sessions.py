"""사업 설명회 of a call, the officer's side: create, edit, cancel, attendance, slides.

The call's officers set a session's title, time (KST), place and/or online link, capacity,
registration deadline and description. A change to the time or place after people registered
is news: the calendar event's sequence goes up and every registrant is told; a raised capacity
seats people from the waiting list, a capacity below the seats already taken is refused.
Cancelling tells everyone. Attendance is ticked per seat holder once the session has started;
the slides (PDF or PPTX, kept by content by the caller with ``app.proposals.blobs``) are told to
every registrant and are downloadable by everyone who may see the call, as the call's own
documents are: what was said at a session must reach the applicants who could not come.
Registration itself is in ``session_seats``.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from flask_babel import gettext as _
from sqlalchemy import select

from app import audit
from app.calls import session_notices, session_seats
from app.calls.session_seats import SessionError
from app.core import clock
from app.extensions import db
from app.models import Call, User
from app.models.calls import CallPhase
from app.models.info_sessions import InfoSession, InfoSessionState, SeatStatus

CAPACITY = (1, 10000)
TITLE_MAX, PLACE_MAX, URL_MAX, DESCRIPTION_MAX = 200, 200, 500, 4000
NEWS_FIELDS = ("starts_at", "ends_at", "place", "online_url")
FIELDS = ("title", *NEWS_FIELDS, "capacity", "registration_closes_at", "description")
SLIDE_TYPES = ("pdf", "pptx")


class SessionProblems(SessionError):
    """Several fields at fault: ``problems`` lists (field, message)."""

    def __init__(self, problems: list[tuple[str, str]]):
        super().__init__(_("설명회를 저장하지 못했습니다. 표시된 항목을 확인하십시오."))
        self.problems = problems


# --- reading -------------------------------------------------------------------------------

def sessions_of(call: Call) -> list[InfoSession]:
    return list(db.session.scalars(select(InfoSession).where(InfoSession.call_id == call.id)
                                   .order_by(InfoSession.starts_at, InfoSession.id)))


def public_sessions_of(call: Call) -> list[InfoSession]:
    return sessions_of(call) if call.phase != CallPhase.DRAFT else []


def slides_key(session: InfoSession) -> str | None:
    return session.slides_storage_key or None


# --- creating and editing --------------------------------------------------------------------

def _problems(data: dict, session: InfoSession | None) -> list[tuple[str, str]]:
    out = []
    at = clock.now()
    title = (data.get("title") or "").strip()
    if not title:
        out.append(("title", _("설명회 제목을 입력하십시오.")))
    elif len(title) > TITLE_MAX:
        out.append(("title", _("설명회 제목은 %(n)d자 이내로 입력하십시오.", n=TITLE_MAX)))
    starts, ends, closes = data.get("starts_at"), data.get("ends_at"), data.get("registration_closes_at")
    moved = session is None or starts != session.starts_at
    if starts is None:
        out.append(("starts_at", _("설명회 시작 일시를 입력하십시오.")))
    elif moved and starts <= at:
        out.append(("starts_at", _("설명회 시작 일시는 지금 이후여야 합니다.")))
    if ends is None:
        out.append(("ends_at", _("설명회 종료 일시를 입력하십시오.")))
    elif starts is not None and ends <= starts:
        out.append(("ends_at", _("종료 일시는 시작 일시보다 뒤여야 합니다.")))
    if closes is None:
        out.append(("registration_closes_at", _("신청 마감 일시를 입력하십시오.")))
    elif starts is not None and closes > starts:
        out.append(("registration_closes_at", _("신청 마감은 설명회 시작 전이어야 합니다.")))
    place, url = (data.get("place") or "").strip(), (data.get("online_url") or "").strip()
    if not place and not url:
        out.append(("place", _("장소나 온라인 참여 링크 가운데 하나는 입력하십시오.")))
    if len(place) > PLACE_MAX:
        out.append(("place", _("장소는 %(n)d자 이내로 입력하십시오.", n=PLACE_MAX)))
    if url and (urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc or len(url) > URL_MAX):
        out.append(("online_url", _("온라인 참여 링크는 http:// 또는 https://로 시작하는 주소여야 합니다.")))
    capacity = data.get("capacity")
    if capacity is None or not CAPACITY[0] <= capacity <= CAPACITY[1]:
        out.append(("capacity", _("정원은 %(low)d명에서 %(high)d명 사이로 입력하십시오.", low=CAPACITY[0],
                                  high=CAPACITY[1])))
    elif session is not None and capacity < session_seats.seated_count(session):
        out.append(("capacity", _("이미 %(n)d명이 등록했습니다. 정원을 그보다 줄일 수 없습니다.",
                                  n=session_seats.seated_count(session))))
    if len(data.get("description") or "") > DESCRIPTION_MAX:
        out.append(("description", _("안내 내용은 %(n)d자 이내로 입력하십시오.", n=DESCRIPTION_MAX)))
    return out


def _clean(data: dict) -> dict:
    return {f: (data.get(f).strip() if isinstance(data.get(f), str) else data.get(f)) for f in FIELDS}


def _snapshot(session: InfoSession) -> dict:
    return {f: getattr(session, f) for f in FIELDS}


def create(call: Call, actor: User, data: dict) -> InfoSession:
    problems = _problems(data, None)
    if problems:
        raise SessionProblems(problems)
    session = InfoSession(call_id=call.id, created_by_id=actor.id, **_clean(data))
    db.session.add(session)
    db.session.flush()
    audit.record(actor, "info_session.created", session, call=call.id,
                 **{k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in _clean(data).items()})
    return session


def update(session: InfoSession, actor: User, data: dict) -> InfoSession:
    session = session_seats.lock(session)
    if session.cancelled:
        raise SessionError(_("취소된 설명회는 바꿀 수 없습니다."))
    problems = _problems(data, session)
    if problems:
        raise SessionProblems(problems)
    before = _snapshot(session)
    for name, value in _clean(data).items():
        setattr(session, name, value)
    changes = audit.changes(before, _snapshot(session))
    if not changes:
        return session
    news = any(name in changes for name in NEWS_FIELDS)
    if news:
        session.sequence += 1
    db.session.flush()
    audit.record(actor, "info_session.updated", session, call=session.call_id, changes=changes)
    if news:
        for row in session.registrations:
            if row.status != SeatStatus.WITHDRAWN:
                session_notices.tell(row, "changed", f"changed:{session.sequence}")
    session_seats.promote(session, actor)
    return session


def cancel(session: InfoSession, actor: User, reason: str) -> InfoSession:
    session = session_seats.lock(session)
    if session.cancelled:
        raise SessionError(_("이미 취소된 설명회입니다."))
    if clock.now() >= session.starts_at:
        raise SessionError(_("이미 시작한 설명회는 취소할 수 없습니다."))
    reason = (reason or "").strip()
    if not reason:
        raise SessionError(_("취소 사유를 입력하십시오."), field="reason")
    if len(reason) > DESCRIPTION_MAX:
        raise SessionError(_("취소 사유는 %(n)d자 이내로 입력하십시오.", n=DESCRIPTION_MAX), field="reason")
    session.state, session.cancel_reason, session.cancelled_at = InfoSessionState.CANCELLED, reason, clock.now()
    session.sequence += 1
    db.session.flush()
    audit.record(actor, "info_session.cancelled", session, call=session.call_id, reason=reason,
                 changes=audit.changes({"state": InfoSessionState.SCHEDULED}, {"state": session.state}))
    for row in session.registrations:
        if row.status != SeatStatus.WITHDRAWN:
            session_notices.tell(row, "cancelled", "cancelled")
    return session


# --- on the day and after ------------------------------------------------------------------

def record_attendance(session: InfoSession, actor: User, attended_ids: set[int]) -> InfoSession:
    """Tick who came: exactly the seat holders in ``attended_ids``."""
    if session.cancelled:
        raise SessionError(_("취소된 설명회입니다."), field="attended")
    if clock.now() < session.starts_at:
        raise SessionError(_("설명회가 시작된 뒤에 참석을 기록할 수 있습니다."), field="attended")
    rows = session_seats.seated(session)
    if not attended_ids <= {r.id for r in rows}:
        raise SessionError(_("등록자 명단에 없는 사람은 참석으로 기록할 수 없습니다."), field="attended")
    before = sorted(r.user_id for r in rows if r.attended)
    for row in rows:
        value = row.id in attended_ids
        if value != row.attended:
            row.attended, row.attendance_at, row.attendance_by_id = value, clock.now(), actor.id
    after = sorted(r.user_id for r in rows if r.attended)
    if before != after:
        audit.record(actor, "info_session.attendance", session, call=session.call_id,
                     changes=audit.changes({"attended": before}, {"attended": after}))
    return session


def store_slides(session: InfoSession, actor: User, stored) -> InfoSession:
    """Record slides already kept by content; a later upload replaces them and is told again."""
    if session.cancelled:
        raise SessionError(_("취소된 설명회입니다."), field="slides")
    if stored.detected_type not in SLIDE_TYPES:
        raise SessionError(_("발표자료는 PDF 또는 PPTX 파일만 올릴 수 있습니다."), field="slides")
    before = {"slides_filename": session.slides_filename, "slides_sha256": session.slides_sha256}
    session.slides_filename, session.slides_size, session.slides_sha256 = stored.filename, stored.size, stored.sha256
    session.slides_type, session.slides_storage_key = stored.detected_type, stored.storage_key
    session.slides_uploaded_at = clock.now()
    db.session.flush()
    audit.record(actor, "info_session.slides_uploaded", session, call=session.call_id, size=stored.size,
                 type=stored.detected_type,
                 changes=audit.changes(before, {"slides_filename": stored.filename, "slides_sha256": stored.sha256}))
    if before["slides_sha256"] != stored.sha256:
        for row in session.registrations:
            if row.status != SeatStatus.WITHDRAWN:
                session_notices.tell(row, "slides", f"slides:{stored.sha256[:16]}")
    return session
