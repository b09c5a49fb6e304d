"""What happens on the clock: calls opening and closing, deadline and review reminders.

The beat runs ``run`` every minute. Each event is claimed by inserting a
``ReminderLog`` row (unique per call, kind and recipient) with ON CONFLICT DO
NOTHING, in the same transaction as the mails it queues: whoever inserted the row
does the work, so two beat processes or many workers never send anything twice,
and a rolled-back run leaves nothing claimed. A Redis lock would not be enough:
the database is the only place that knows what was really committed.

When the beat was down (an outage, a deploy), a run sends only the latest reminder
that is due, never the burst of everything missed; opening and closing notices
older than ``CATCH_UP`` are recorded without mail, since they would only confuse.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import exists, select
from sqlalchemy.dialects import postgresql, sqlite

from app.extensions import db
from app.models import Call, Organisation, Programme, Proposal, User
from app.models.calls import CallPhase
from app.models.outbox import ReminderLog, Subscription
from app.models.proposals import ProposalStatus
from app.models.review import ACTIVE_COI, ReviewAssignment, ReviewSheet, SheetStatus
from app import audit
from app.core import clock
from app.models.webhooks import WebhookEvent
from app.notifications import outbox, webhooks
from app.notifications.contacts import call_officers, consortium_contacts
from app.core.links import portal_url

# Reminder kinds before the closing instant, from the earliest to the latest.
DEADLINE_OFFSETS: tuple[tuple[str, timedelta], ...] = (
    ("d7", timedelta(days=7)),
    ("d3", timedelta(days=3)),
    ("d1", timedelta(days=1)),
    ("h3", timedelta(hours=3)),
)
REVIEW_DUE_SOON = timedelta(days=2)
CATCH_UP = timedelta(days=3)
CALL_WIDE = 0  # ReminderLog.user_id of events about the call itself
REMINDED_STATUSES = (ProposalStatus.DRAFT, ProposalStatus.WITHDRAWN)


def run(at: datetime | None = None) -> dict[str, int]:
    """One beat tick: every clock-driven side effect due at ``at``. Returns what was done."""
    at = at or clock.now()
    return {
        "opened": open_calls(at),
        "closed": close_calls(at),
        "deadline_reminders": deadline_reminders(at),
        "review_reminders": review_reminders(at),
        **{name: work(at) for name, work in CLOCK_WORK.items()},
    }


# Clock work of the domains that notify (they import this module; it cannot import them back):
# name -> work(at) returning how much it did; each commits per call like ``_each_call``.
CLOCK_WORK: dict[str, Callable[[datetime], int]] = {}


def on_the_clock(name: str, work: Callable[[datetime], int]) -> None:
    CLOCK_WORK[name] = work


# --- the claim -----------------------------------------------------------------------

def claim(call_id: int, kind: str, user_id: int = CALL_WIDE) -> bool:
    """Record that this event happened; False when somebody already recorded it.

    On PostgreSQL a concurrent insert of the same row waits for the other
    transaction and then does nothing if it committed; SQLite serialises writers.
    """
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(ReminderLog.__table__).values(
        call_id=call_id, kind=kind, user_id=user_id, created_at=clock.now()
    ).on_conflict_do_nothing().returning(ReminderLog.__table__.c.id)
    return db.session.execute(stmt).scalar() is not None


def _logged(kind: str):
    return exists().where(ReminderLog.call_id == Call.id, ReminderLog.kind == kind, ReminderLog.user_id == CALL_WIDE)


def each_row(model, ids, work: Callable[[Any], int | None]) -> int:
    """Run ``work(row)`` for the ``model`` row of each id, each in its own transaction: a failing one
    is logged and rolled back and does not stop the others (the next tick tries it again)."""
    done = 0
    for row_id in ids:
        try:
            done += work(db.session.get(model, row_id)) or 0
            db.session.commit()
        except Exception:  # noqa: BLE001 - logged; the next tick tries again
            db.session.rollback()
            current_app.logger.exception("clock work on %s %s failed", model.__name__, row_id)
    return done


def _each_call(calls, work) -> int:
    return each_row(Call, calls, work)


# --- opening and closing -------------------------------------------------------------

def open_calls(at: datetime) -> int:
    due = db.session.scalars(
        select(Call.id).where(Call.phase == CallPhase.PUBLISHED, Call.opens_at <= at, Call.closes_at > at,
                              ~_logged("opened"))
        .order_by(Call.id)
    ).all()

    def work(call: Call) -> int:
        if not claim(call.id, "opened"):
            return 0
        audit.record(None, "call.opened", call, opens_at=call.opens_at.isoformat())
        if at - call.opens_at > CATCH_UP:
            return 1
        for user in subscribers(call.programme_id):
            _notify(user, "call_opened", f"call-opened:{call.id}:{user.id}", call,
                    in_app=outbox.notice("새 공모 '%(call)s'의 접수가 시작되었습니다.", call=call.title))
        return 1

    return _each_call(due, work)


def close_calls(at: datetime) -> int:
    due = db.session.scalars(
        select(Call.id).where(Call.phase == CallPhase.PUBLISHED, Call.closes_at <= at, ~_logged("closed"))
        .order_by(Call.id)
    ).all()

    def work(call: Call) -> int:
        if not claim(call.id, "closed"):
            return 0
        proposals = db.session.scalars(select(Proposal).where(Proposal.call_id == call.id).order_by(Proposal.id)).all()
        submitted = sum(1 for p in proposals if p.status == ProposalStatus.SUBMITTED)
        # Drafts need no change: every write checks the clock (deadline.ensure_writable).
        audit.record(None, "call.closed", call, submitted=submitted, unsubmitted=len(proposals) - submitted)
        # Another system is told even after an outage: unlike a mail, it records, it does not read.
        webhooks.announce(call, WebhookEvent.CALL_CLOSED)
        if at - call.closes_at > CATCH_UP:
            return 1
        for user in call_officers(call):
            _notify(user, "call_closed", f"call-closed:{call.id}:{user.id}", call,
                    audience="officer", submitted=submitted, unsubmitted=len(proposals) - submitted,
                    in_app=outbox.notice("'%(call)s' 접수가 마감되었습니다. 제출 %(n)d건.", call=call.title,
                                         n=submitted))
        for proposal in proposals:
            for user in consortium_contacts(proposal.consortium):
                _notify(user, "call_closed", f"call-closed:{call.id}:{user.id}", call,
                        audience="applicant", proposal_title=proposal.title, proposal_status=proposal.status,
                        receipt_no=proposal.receipt_no or "",
                        in_app=outbox.notice("'%(call)s' 접수가 마감되었습니다.", call=call.title))
        return 1

    return _each_call(due, work)


# --- deadline reminders --------------------------------------------------------------

def due_deadline_kind(call: Call, at: datetime) -> str | None:
    """The latest reminder due at ``at``; earlier ones missed while the beat was down are skipped."""
    if not (call.opens_at <= at < call.closes_at):
        return None
    latest = None
    for kind, offset in DEADLINE_OFFSETS:
        instant = call.closes_at - offset
        # A reminder that would have fallen before the opening was never meant to be sent.
        if call.opens_at <= instant <= at:
            latest = kind
    return latest


def deadline_reminders(at: datetime) -> int:
    horizon = max(offset for _, offset in DEADLINE_OFFSETS)
    calls = db.session.scalars(
        select(Call.id).where(Call.phase == CallPhase.PUBLISHED, Call.opens_at <= at, Call.closes_at > at,
                              Call.closes_at <= at + horizon).order_by(Call.id)
    ).all()

    def work(call: Call) -> int:
        kind = due_deadline_kind(call, at)
        if kind is None:
            return 0
        sent = 0
        proposals = db.session.scalars(
            select(Proposal).where(Proposal.call_id == call.id, Proposal.status.in_(REMINDED_STATUSES))
            .order_by(Proposal.id)
        ).all()
        for proposal in proposals:
            for user in consortium_contacts(proposal.consortium):
                if not claim(call.id, kind, user.id):
                    continue
                _notify(user, "deadline_reminder", f"deadline:{call.id}:{kind}:{user.id}", call,
                        kind=kind, proposal_title=proposal.title, proposal_status=proposal.status,
                        proposal_url=portal_url("proposals.show", proposal_id=proposal.id),
                        in_app=_deadline_notice(kind, call.title))
                sent += 1
        return sent

    return _each_call(calls, work)


def _deadline_notice(kind: str, title: str) -> outbox.Notice:
    # One whole sentence per kind: a translator never assembles "3일" into a sentence.
    return {
        "d7": outbox.notice("'%(call)s' 마감 7일 전입니다. 신청서가 아직 제출되지 않았습니다.", call=title),
        "d3": outbox.notice("'%(call)s' 마감 3일 전입니다. 신청서가 아직 제출되지 않았습니다.", call=title),
        "d1": outbox.notice("'%(call)s' 마감 1일 전입니다. 신청서가 아직 제출되지 않았습니다.", call=title),
        "h3": outbox.notice("'%(call)s' 마감 3시간 전입니다. 신청서가 아직 제출되지 않았습니다.", call=title),
    }[kind]


# --- review reminders ----------------------------------------------------------------

def review_reminders(at: datetime) -> int:
    """Two days before an assignment's due date, and once when it is overdue, until the sheet is in."""
    rows = db.session.execute(
        select(ReviewAssignment.id, ReviewAssignment.call_id)
        .join(Call, Call.id == ReviewAssignment.call_id)
        .outerjoin(ReviewSheet, ReviewSheet.assignment_id == ReviewAssignment.id)
        .where(ReviewAssignment.coi_status.in_(ACTIVE_COI), Call.phase.in_((CallPhase.PUBLISHED, CallPhase.IN_REVIEW)),
               (ReviewSheet.id.is_(None)) | (ReviewSheet.status != SheetStatus.SUBMITTED))
        .order_by(ReviewAssignment.id)
    ).all()
    by_call: dict[int, list[int]] = {}
    for assignment_id, call_id in rows:
        by_call.setdefault(call_id, []).append(assignment_id)

    def work(call: Call) -> int:
        sent = 0
        for assignment in db.session.scalars(select(ReviewAssignment).where(ReviewAssignment.id.in_(by_call[call.id]))):
            due = assignment.due
            if due is None:
                continue
            if at >= due:
                kind, stale = "overdue", at - due > CATCH_UP
            elif at >= due - REVIEW_DUE_SOON:
                kind, stale = "due_soon", False
            else:
                continue
            if not claim(call.id, f"review_{kind}:{assignment.id}", assignment.reviewer_id) or stale:
                continue
            reviewer = assignment.reviewer
            _notify(reviewer, "review_reminder", f"review-{kind}:{assignment.id}", call,
                    kind=kind, due_at=_kst(due), proposal_title=assignment.proposal.title,
                    review_url=portal_url("review.index"),
                    in_app=(outbox.notice("'%(call)s' 평가 마감이 지났습니다.", call=call.title) if kind == "overdue"
                            else outbox.notice("'%(call)s' 평가 마감이 이틀 남았습니다.", call=call.title)))
            sent += 1
        return sent

    return _each_call(sorted(by_call), work)


# --- recipients ----------------------------------------------------------------------

def subscribers(programme_id: int) -> list[User]:
    return list(db.session.scalars(
        select(User).join(Subscription, Subscription.user_id == User.id)
        .where(Subscription.programme_id == programme_id, User.active.is_(True)).order_by(User.id)
    ))


# --- subscriptions -------------------------------------------------------------------

def is_subscribed(user: User, programme: Programme) -> bool:
    return db.session.scalar(select(Subscription.id).where(
        Subscription.user_id == user.id, Subscription.programme_id == programme.id)) is not None


def subscribe(user: User, programme: Programme) -> bool:
    """Ask to be told when the programme opens a call; False when already asked."""
    if is_subscribed(user, programme):
        return False
    db.session.add(Subscription(user_id=user.id, programme_id=programme.id))
    audit.record(user, "subscription.created", programme, user_id=user.id)
    return True


def unsubscribe(user: User, programme: Programme) -> bool:
    row = db.session.scalar(select(Subscription).where(
        Subscription.user_id == user.id, Subscription.programme_id == programme.id))
    if row is None:
        return False
    db.session.delete(row)
    audit.record(user, "subscription.deleted", programme, user_id=user.id)
    return True


def programmes_with_subscription(user: User) -> list[tuple[Programme, bool]]:
    programmes = db.session.scalars(select(Programme).order_by(Programme.name, Programme.id)).all()
    mine = set(db.session.scalars(select(Subscription.programme_id).where(Subscription.user_id == user.id)))
    return [(p, p.id in mine) for p in programmes]


# --- mail helpers --------------------------------------------------------------------

def _notify(user: User, template: str, key: str, call: Call, *, in_app: outbox.Notice, **context) -> None:
    agency = db.session.get(Organisation, call.programme.agency_id)
    call_url = portal_url("calls.show", code=call.code)
    base = {
        "name": user.name, "call_title": call.title, "call_code": call.code,
        "agency": agency.name if agency else "", "opens_at": _kst(call.opens_at),
        "closes_at": _kst(call.closes_at), "call_url": call_url,
    }
    base.update(context)
    outbox.queue(key, template, user, base, in_app=in_app, url=portal_url("calls.show", code=call.code, external=False))


def _kst(value: datetime) -> str:
    return clock.to_kst(value).strftime("%Y-%m-%d %H:%M") + " KST"

