"""Passwords and e-mail ownership: changes, signed one-use reset and verification links.

Every function that changes state records it in the audit log and leaves the commit to its caller.
"""
from __future__ import annotations

import math
import secrets
from datetime import timedelta

from flask import current_app, url_for
from itsdangerous import BadData, URLSafeTimedSerializer

from app.extensions import db
from app.models import User
from app import audit
from app.accounts import login_throttle, membership, passwords, sessions
from app.notifications import outbox
from app.core.clock import now
from app.core.links import portal_url
from app.accounts.errors import WeakPassword
from app.accounts.directory import normalise_email, find_user_by_email

RESET_SALT = "password-reset"
VERIFY_SALT = "email-verification"
# Seconds a verification link stays good (EMAIL_VERIFICATION_MAX_AGE overrides it).
VERIFICATION_MAX_AGE = 48 * 3600
# One verification mail per account and minute, however often "send again" is pressed.
RESEND_INTERVAL_SECONDS = 60


def check_password(user: User, password: str) -> bool:
    return passwords.verify_password(user.password_hash, password)


def password_stamp(user: User) -> str:
    """Changes whenever the password does: reset links and a pending code step carry it."""
    return str(int(user.password_changed_at.timestamp()))


def _set_password(user: User, new_password: str) -> None:
    problems = passwords.strength_problems(new_password, email=user.email, name=user.name)
    if problems:
        raise WeakPassword(problems)
    user.password_hash = passwords.hash_password(new_password)
    previous = user.password_changed_at
    stamp = now().replace(microsecond=0)
    # The stamp has whole-second resolution; two changes within a second must still differ,
    # or a used reset link would stay valid.
    if previous is not None and stamp <= previous:
        stamp = previous.replace(microsecond=0) + timedelta(seconds=1)
    user.password_changed_at = stamp


def change_password(user: User, new_password: str, *, keep_session: str | None = None) -> None:
    """A new password from the signed-in user; every other session ends, ``keep_session`` goes on."""
    _set_password(user, new_password)
    db.session.flush()
    ended = sessions.end_all(user, keep=keep_session)
    audit.record(user, "user.password_changed", user, sessions_ended=ended)


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=RESET_SALT)


def make_reset_token(user: User) -> tuple[str, str]:
    """A signed link token and its id; it carries the password stamp so it works once."""
    token_id = secrets.token_hex(8)
    token = _serializer().dumps({"u": user.id, "s": password_stamp(user), "n": token_id})
    return token, token_id


def user_for_reset_token(token: str) -> User | None:
    """The user a reset token is good for, or None when forged, expired, used or the user is inactive."""
    try:
        data = _serializer().loads(token, max_age=current_app.config["PASSWORD_RESET_MAX_AGE"])
        user = db.session.get(User, int(data["u"]))
    except (BadData, KeyError, TypeError, ValueError):
        return None
    if user is None or not user.active or data.get("s") != password_stamp(user):
        return None
    return user


def request_password_reset(email: str) -> bool:
    """Queue a reset mail for an active account; the caller answers the same either way.

    An unverified account gets one too: the link reaches the mailbox, so following it proves
    the address. A request that mails nothing is audited all the same, so both cost the
    same writes.
    """
    user = find_user_by_email(email)
    if user is None or not user.active:
        audit.record(None, "user.password_reset_requested", object_type="user",
                     email=normalise_email(email)[:254], sent=False)
        return False
    token, token_id = make_reset_token(user)
    max_age = int(current_app.config["PASSWORD_RESET_MAX_AGE"])
    outbox.queue(
        key=f"password_reset:{user.id}:{token_id}",
        template="password_reset",
        user=user,
        context={
            "name": user.name,
            "reset_url": url_for("auth.reset", token=token, _external=True),
            "valid_minutes": max(1, math.ceil(max_age / 60)),
        },
    )
    audit.record(None, "user.password_reset_requested", user, token_id=token_id)
    return True


def reset_password(user: User, new_password: str) -> None:
    """A new password through a mailed link: it proves the mailbox, so it also verifies the
    address (an invitation's set-password link is such a link); every session ends and every
    wait on the address is lifted."""
    _set_password(user, new_password)
    db.session.flush()
    ended = sessions.end_all(user)
    login_throttle.forget(user.email)
    audit.record(user, "user.password_reset", user, sessions_ended=ended)
    if user.email_verified_at is None:
        _mark_verified(user, via="password_link")


# --- e-mail ownership ----------------------------------------------------------------------

def _mark_verified(user: User, *, via: str) -> None:
    user.email_verified_at = now()
    audit.record(user, "user.email_verified", user, via=via)
    if user.organisation_id is not None and user.organisation_confirmed_at is None:
        # Only now are colleagues asked: an unproven registration mails nobody.
        membership.request_confirmation(user)


def _verification_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=VERIFY_SALT)


def verification_max_age() -> int:
    return int(current_app.config.get("EMAIL_VERIFICATION_MAX_AGE", VERIFICATION_MAX_AGE))


def make_verification_token(user: User) -> tuple[str, str]:
    """A signed token for the account and its address as registered; good until the address is verified."""
    token_id = secrets.token_hex(8)
    token = _verification_serializer().dumps({"u": user.id, "e": user.email, "n": token_id})
    return token, token_id


def user_for_verification_token(token: str) -> User | None:
    """The unverified account a link is good for, or None when forged, expired, used or inactive."""
    try:
        data = _verification_serializer().loads(token, max_age=verification_max_age())
        user = db.session.get(User, int(data["u"]))
    except (BadData, KeyError, TypeError, ValueError):
        return None
    if user is None or not user.active or user.email_verified_at is not None or data.get("e") != user.email:
        return None
    return user


def send_verification(user: User) -> bool:
    """Queue the verification mail; False when one went out for this account in the last minute."""
    token, token_id = make_verification_token(user)
    slot = int(now().timestamp() // RESEND_INTERVAL_SECONDS)
    queued = outbox.queue(
        key=f"email_verification:{user.id}:{slot}", template="email_verification", user=user,
        context={"name": user.name, "verify_url": portal_url("auth.verify_email", token=token),
                 "valid_hours": max(1, verification_max_age() // 3600)},
    )
    if queued is None:
        return False
    audit.record(None, "user.verification_sent", user, token_id=token_id)
    return True


def resend_verification(email: str) -> bool:
    """Mail a new link to an account still waiting for one; the caller answers the same either way."""
    user = find_user_by_email(email)
    if user is None or not user.active or user.email_verified_at is not None:
        return False
    return send_verification(user)


def reclaim_unverified(user: User, *, name: str, department: str, actor: User | None, **context) -> None:
    """Take over an account whose address nobody has proved, for an invitation to that address.

    Whoever registered it may not be the owner of the mailbox (anyone can type any address),
    so nothing they chose survives: the password becomes one nobody knows (their
    verification link needs it, so it dies too), the name and department become the
    inviter's, the organisation they claimed is dropped and every session ends. Only the
    person who follows the link mailed with the invitation sets a password and gets in.
    """
    previous = {"name": user.name, "organisation_id": user.organisation_id}
    user.password_hash = passwords.hash_password(secrets.token_urlsafe(32))
    user.name = name.strip() or user.email.split("@")[0]
    user.department = department.strip()
    user.organisation = None
    user.organisation_confirmed_at = None
    db.session.flush()
    sessions.end_all(user)
    audit.record(actor, "user.unverified_account_reclaimed", user, previous=previous, **context)
