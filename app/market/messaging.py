"""Messages between a firm and a supplier, started from a need or a capability page.

A thread joins two organisations: the one whose person wrote first and the listing's owner. The
confirmed people of both read and answer it; nobody else learns it exists (the loader's 404).
Each message tells the other side's people by mail and notice through the outbox, in the same
transaction; the thread's start is audited (messages themselves are the record of the rest).
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from app import access, audit
from app.accounts import membership
from app.core.errors import MarketError
from app.core.links import portal_url
from app.extensions import db
from app.models.marketplace import Capability, ListingState, Message, MessageThread, Need
from app.notifications import outbox

SUBJECT_MAX = 200
BODY_MAX = 5000


def threads_of(user) -> list[MessageThread]:
    """The threads of the user's organisation, the most recently active first."""
    org = user.acting_organisation_id
    if org is None:
        return []
    rows = db.session.scalars(
        select(MessageThread).where(or_(MessageThread.from_org_id == org, MessageThread.to_org_id == org))
        .options(selectinload(MessageThread.messages), selectinload(MessageThread.from_org),
                 selectinload(MessageThread.to_org)))
    return sorted(rows, key=lambda t: (t.messages[-1].created_at if t.messages else t.created_at, t.id), reverse=True)


def _text(value, limit: int, field: str, empty) -> str:
    text = (value or "").strip()
    if not text:
        raise MarketError(empty, field)
    if len(text) > limit:
        raise MarketError(_l("%(max)d자 이내로 입력하십시오.", max=limit), field)
    return text


def start(user, listing: Need | Capability, subject: str, body: str) -> MessageThread:
    """A new thread from ``user``'s organisation to the listing's, with its first message."""
    if user.acting_organisation_id is None:
        raise MarketError(_l("소속 기관이 확인된 회원만 연락할 수 있습니다."))
    if user.acting_organisation_id == listing.organisation_id:
        raise MarketError(_l("우리 기관의 게시물에는 연락할 수 없습니다."))
    if listing.state == ListingState.CLOSED:
        raise MarketError(_l("마감된 게시물에는 연락할 수 없습니다."))
    subject = _text(subject, SUBJECT_MAX, "subject", _l("제목을 입력하십시오."))
    body = _text(body, BODY_MAX, "body", _l("내용을 입력하십시오."))
    thread = MessageThread(from_org_id=user.acting_organisation_id, to_org_id=listing.organisation_id,
                           subject=subject, **({"need_id": listing.id} if isinstance(listing, Need)
                                               else {"capability_id": listing.id}))
    db.session.add(thread)
    db.session.flush()
    audit.record(user, "market.thread_started", thread, to_org_id=thread.to_org_id, subject=subject,
                 need_id=thread.need_id, capability_id=thread.capability_id)
    _add(thread, user, body)
    return thread


def reply(thread: MessageThread, user, body: str) -> Message:
    if not access.can_view_thread(user, thread):
        raise MarketError(_l("이 대화의 기관 회원만 답할 수 있습니다."))
    return _add(thread, user, _text(body, BODY_MAX, "body", _l("내용을 입력하십시오.")))


def _add(thread: MessageThread, user, body: str) -> Message:
    message = Message(thread_id=thread.id, author_id=user.id, body=body)
    thread.messages.append(message)
    db.session.flush()
    _notify(thread, message, user)
    return message


def _notify(thread: MessageThread, message: Message, author) -> None:
    """The other organisation's confirmed people: a mail and a notice each."""
    mine = author.acting_organisation_id
    other_id = thread.to_org_id if mine == thread.from_org_id else thread.from_org_id
    sender = thread.from_org if mine == thread.from_org_id else thread.to_org
    url = portal_url("market.thread", thread_id=thread.id)
    for person in membership.confirmed_colleagues(other_id):
        outbox.queue(
            f"market_message:{message.id}:u{person.id}", "market_message", person,
            {"user_name": person.name, "sender": sender.name, "author": author.name, "subject": thread.subject,
             "body": message.body, "url": url},
            in_app=outbox.notice("%(org)s에서 메시지를 보냈습니다: %(subject)s", org=sender.name,
                                 subject=thread.subject),
            url=portal_url("market.thread", thread_id=thread.id, external=False),
        )
