"""The agreement on the clock: reminders before the revision and signing due dates, and the
overdue flag once signing runs past its date.

Registered with ``app.notifications.reminders.on_the_clock``; every event is claimed (unique per
call, kind and recipient), so two beats never send anything twice. As with the call's deadline
reminders, a beat that was down sends only the latest reminder due, not all it missed.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from app import audit
from app.extensions import db
from app.models.agreements import Agreement, AgreementStatus
from app.agreements import notices
from app.agreements.document import AGENCY
from app.notifications import outbox, reminders

REVISION_OFFSETS = (("d3", timedelta(days=3)), ("d1", timedelta(days=1)))
SIGNING_OFFSETS = (("d7", timedelta(days=7)), ("d1", timedelta(days=1)))


def latest_kind(due: datetime, offsets, at: datetime) -> str | None:
    """The latest reminder due at ``at`` before ``due``; None outside every window."""
    if at >= due:
        return None
    found = None
    for kind, offset in offsets:
        if at >= due - offset:
            found = kind
    return found


def tick(at: datetime) -> int:
    ids = db.session.scalars(select(Agreement.id).where(
        Agreement.status.in_((AgreementStatus.REVISING, AgreementStatus.SIGNING))).order_by(Agreement.id)).all()
    return reminders.each_row(Agreement, ids, lambda agreement: _one(agreement, at))


def _one(agreement: Agreement, at: datetime) -> int:
    if agreement.status == AgreementStatus.REVISING:
        return _revision_reminder(agreement, at)
    return _signing_reminders(agreement, at) + _overdue(agreement, at)


def _revision_reminder(agreement: Agreement, at: datetime) -> int:
    kind = latest_kind(agreement.revision_due_at, REVISION_OFFSETS, at)
    if kind is None:
        return 0
    # A returned revision gets a new due date and its own reminders: the round is in the kind.
    key = f"agr{agreement.id}-r{len(agreement.revisions)}-{kind}"
    sent = 0
    for user in notices.lead_contacts(agreement):
        if not reminders.claim(agreement.call_id, key, user.id):
            continue
        notice = (outbox.notice("[%(call)s] 보완 사업계획 제출 기한이 1일 남았습니다.", call=agreement.call.title)
                  if kind == "d1" else
                  outbox.notice("[%(call)s] 보완 사업계획 제출 기한이 3일 남았습니다.", call=agreement.call.title))
        sent += notices.send(agreement, [user], f"revision_{kind}", key, notice, due=agreement.revision_due_at)
    return sent


def _signing_reminders(agreement: Agreement, at: datetime) -> int:
    kind = latest_kind(agreement.sign_due_at, SIGNING_OFFSETS, at)
    if kind is None:
        return 0
    key = f"agr{agreement.id}-sign-{kind}"
    sent = 0
    for signature in agreement.signatures:
        if signature.signed_at is not None:
            continue
        people = (notices.officers(agreement) if signature.party == AGENCY
                  else notices.applicants_of(signature.organisation_id))
        for user in people:
            if not reminders.claim(agreement.call_id, key, user.id):
                continue
            notice = (outbox.notice("[%(call)s] 협약서 서명 기한이 1일 남았습니다.", call=agreement.call.title)
                      if kind == "d1" else
                      outbox.notice("[%(call)s] 협약서 서명 기한이 7일 남았습니다.", call=agreement.call.title))
            sent += notices.send(agreement, [user], f"signing_{kind}", key, notice, due=agreement.sign_due_at)
    return sent


def _overdue(agreement: Agreement, at: datetime) -> int:
    if agreement.sign_due_at is None or at < agreement.sign_due_at or agreement.overdue_flagged_at is not None:
        return 0
    if not reminders.claim(agreement.call_id, f"agr{agreement.id}-overdue"):
        return 0
    agreement.overdue_flagged_at = at
    unsigned = [s.party for s in agreement.signatures if s.signed_at is None]
    audit.record(None, "agreement.overdue", agreement, sign_due_at=agreement.sign_due_at.isoformat(), unsigned=unsigned,
                 changes=audit.changes({"overdue_flagged_at": None}, {"overdue_flagged_at": at}))
    notices.send(agreement, notices.officers(agreement), "overdue", "overdue",
                 outbox.notice("[%(call)s] %(consortium)s의 협약서 서명 기한이 지났습니다.", call=agreement.call.title,
                               consortium=agreement.proposal.consortium.name), due=agreement.sign_due_at)
    return 1


reminders.on_the_clock("agreements", tick)
