"""The reviewer pool of a call (평가위원 풀) and invitations.

An officer invites a person by e-mail with the organisation and department they
review under. An address whose owner has proved it is linked to its account (which
gains the reviewer role); an unknown one gets a new account with an unusable password
and a set-password link, the same kind of link as the password-reset flow. An address
registered but never proved may have been typed by somebody else: that account is
taken over as if new (``credentials.reclaim_unverified``), so only whoever follows the
mailed link gets in.
"""
from __future__ import annotations

import secrets

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import ReviewAssignment, ReviewerPoolEntry, User
from app.models.organisations import Role
from app.models.review import ACTIVE_COI
from app import audit
from app.core import clock
from app.notifications import outbox
from app.core.clock import now
from app.core.errors import ReviewError
from app.core.links import portal_url
from app.accounts.credentials import make_reset_token
from app.accounts.passwords import hash_password

class PoolError(ReviewError):
    pass


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def pool(call) -> list[ReviewerPoolEntry]:
    return list(db.session.scalars(
        select(ReviewerPoolEntry).where(ReviewerPoolEntry.call_id == call.id).order_by(ReviewerPoolEntry.user_id)
    ))


def assignments_for(user) -> list[ReviewAssignment]:
    """A reviewer's own assignments in every call, newest call first, with what their list shows."""
    return list(db.session.scalars(
        select(ReviewAssignment).where(ReviewAssignment.reviewer_id == user.id)
        .options(selectinload(ReviewAssignment.sheet), selectinload(ReviewAssignment.proposal),
                 selectinload(ReviewAssignment.call))
        .order_by(ReviewAssignment.call_id.desc(), ReviewAssignment.id)
    ))


def entry_for(call, user_id: int) -> ReviewerPoolEntry | None:
    return db.session.scalar(select(ReviewerPoolEntry).where(
        ReviewerPoolEntry.call_id == call.id, ReviewerPoolEntry.user_id == user_id))


def loads(call) -> dict[int, int]:
    """Active assignments per reviewer in this call."""
    rows = db.session.execute(
        select(ReviewAssignment.reviewer_id, func.count(ReviewAssignment.id))
        .where(ReviewAssignment.call_id == call.id, ReviewAssignment.coi_status.in_(ACTIVE_COI))
        .group_by(ReviewAssignment.reviewer_id)
    )
    return {rid: n for rid, n in rows}


def set_password_token(user: User) -> str:
    """The password-reset flow's own token, so setting a first password is a reset."""
    token, _token_id = make_reset_token(user)
    return token



def set_password_url(user: User) -> str:
    return portal_url("auth.reset", token=set_password_token(user))


def kst_text(value) -> str:
    """A due date for a mail body, which is rendered outside any request."""
    return clock.to_kst(value).strftime("%Y-%m-%d %H:%M") + " KST" if value else ""


def invite(call, *, email: str, name: str, organisation_name: str, department: str, actor) -> tuple[ReviewerPoolEntry, bool]:
    """Add a person to the call's pool; returns the entry and whether an account was created."""
    email = normalise_email(email)
    if not email or "@" not in email:
        raise PoolError(_l("올바른 이메일 주소를 입력하십시오."))
    user = db.session.scalar(select(User).where(func.lower(User.email) == email))
    created = user is None
    if created:
        user = User(
            email=email, name=name.strip() or email.split("@")[0],
            # Nobody knows this password: the invitee sets their own through the link, which
            # also proves the address (until then the account cannot log in).
            password_hash=hash_password(secrets.token_urlsafe(32)),
            department=department.strip(), locale="ko", email_verified_at=None,
        )
        db.session.add(user)
        user.grant(Role.REVIEWER)
        db.session.flush()
    else:
        if entry_for(call, user.id) is not None:
            raise PoolError(_l("이미 이 공모의 평가위원 풀에 있는 사람입니다."))
        if user.email_verified_at is None:
            from app.accounts.credentials import reclaim_unverified

            reclaim_unverified(user, name=name, department=department, actor=actor, call_id=call.id)
            # From here on it is a new account to the invitee: the mail carries the set-password link.
            created = True
        user.grant(Role.REVIEWER)
    org_name = organisation_name.strip() or (user.organisation.name if user.organisation else "")
    entry = ReviewerPoolEntry(
        call_id=call.id, user_id=user.id, organisation_name=org_name,
        department=department.strip() or user.department, invited_at=now(), invited_by_id=actor.id,
    )
    db.session.add(entry)
    db.session.flush()
    audit.record(actor, "reviewer.invited", entry, call_id=call.id, user_id=user.id,
                 email=email, organisation=org_name, account_created=created)
    _notify_invited(call, user, entry, created)
    return entry, created


def _notify_invited(call, user: User, entry: ReviewerPoolEntry, created: bool) -> None:
    review_url = portal_url("review.index")
    context = {
        "name": user.name, "call_title": call.title, "organisation": entry.organisation_name,
        "department": entry.department, "account_created": created,
        "set_password_url": set_password_url(user) if created else "",
        "review_url": review_url, "login_url": portal_url("auth.login"),
        "review_due_at": kst_text(call.review_due_at),
        "reset_request_url": portal_url("auth.reset_request"),
    }
    outbox.queue(
        f"reviewer-invited:{call.id}:{user.id}", "reviewer_invited", user, context,
        in_app=outbox.notice("'%(call)s' 평가위원으로 위촉되었습니다.", call=call.title),
        url=review_url,
    )


def remove(entry: ReviewerPoolEntry, actor) -> None:
    """Take a person off the pool; only while they hold no live assignment in the call."""
    live = db.session.scalar(select(func.count(ReviewAssignment.id)).where(
        ReviewAssignment.call_id == entry.call_id, ReviewAssignment.reviewer_id == entry.user_id,
        ReviewAssignment.coi_status.in_(ACTIVE_COI)))
    if live:
        raise PoolError(_l("배정된 평가가 있는 평가위원은 풀에서 뺄 수 없습니다. 먼저 배정을 해제하십시오."))
    audit.record(actor, "reviewer.removed_from_pool", entry, call_id=entry.call_id, user_id=entry.user_id)
    db.session.delete(entry)
    db.session.flush()
