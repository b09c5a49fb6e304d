"""Signing in: the password with growing delays instead of a lock-out, the second factor, signing out.

Every attempt is audited; the caller commits.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from flask import current_app
from sqlalchemy import select

from app.extensions import db
from app.models import User
from app import audit
from app.accounts import login_throttle, passwords, sessions, totp
from app.core.clock import now
from app.accounts.errors import UnknownUser
from app.accounts.directory import normalise_email, find_user_by_email
from app.accounts.credentials import password_stamp, _mark_verified

# How long a right password waits for the code of the second factor before it must be typed again.
CODE_STEP_WINDOW = timedelta(minutes=5)


class LoginStatus(StrEnum):
    OK = "ok"
    CODE_REQUIRED = "code_required"  # the password was right; the second factor's code comes next
    INVALID = "invalid"
    THROTTLED = "throttled"
    INACTIVE = "inactive"
    UNVERIFIED = "unverified"
    EXPIRED = "expired"  # the code step waited too long, or the password changed meanwhile
    UNREADABLE = "unreadable"  # the stored second-factor secret cannot be opened


@dataclass(frozen=True)
class LoginOutcome:
    status: LoginStatus
    user: User | None = None
    wait: timedelta | None = None  # throttled: how long before the next attempt

    @property
    def ok(self) -> bool:
        return self.status == LoginStatus.OK


_dummy_hashes: dict[bool, str] = {}


def _spend_verification_time(password: str) -> None:
    """Verify against a throw-away hash so an unknown address answers as slowly as a known one."""
    testing = bool(current_app.config.get("TESTING"))
    if testing not in _dummy_hashes:
        _dummy_hashes[testing] = passwords.hash_password(secrets.token_urlsafe(16))
    passwords.verify_password(_dummy_hashes[testing], password)


def _user_for_update(user_id: int) -> User | None:
    # The row lock serialises concurrent attempts so no code is used twice.
    return db.session.scalar(select(User).where(User.id == user_id).with_for_update())


def _throttled(address: str, client: str, moment: datetime, user: User | None) -> LoginOutcome | None:
    wait = login_throttle.refusal(address, client, moment)
    if wait is None:
        return None
    # Refused before the password is looked at: an early attempt tells nothing and costs nothing.
    audit.record(None, "user.login_failed", user, **({} if user else {"object_type": "user", "email": address[:254]}),
                 reason="throttled", wait_seconds=login_throttle.wait_seconds(wait))
    return LoginOutcome(LoginStatus.THROTTLED, user, wait=wait)


def _failed(address: str, client: str, moment: datetime, user: User | None, reason: str) -> LoginOutcome:
    failures = login_throttle.fail(address, client, moment)
    audit.record(None, "user.login_failed", user, **({} if user else {"object_type": "user", "email": address[:254]}),
                 reason=reason, failures=failures)
    return LoginOutcome(LoginStatus.INVALID, user)


def authenticate(email: str, password: str, client: str | None = None, *,
                 verifying: User | None = None) -> LoginOutcome:
    """Check a login attempt from ``client`` (the remote address) and count it; the caller commits.

    With the second factor on, a right password gives "code_required": the user is not
    logged in, and the failure count stands until the code is right too, or somebody who
    knows the password could guess codes forever. ``verifying`` is the account of a
    verification link just opened: a right password then also proves the address.
    """
    address = normalise_email(email)
    client = login_throttle.client_key(client)
    user = db.session.scalar(select(User).where(User.email == address).with_for_update()) if address else None
    moment = now()
    refusal = _throttled(address, client, moment, user)
    if refusal is not None:
        return refusal
    if user is None:
        _spend_verification_time(password)
        return _failed(address, client, moment, None, "unknown_email")
    if not passwords.verify_password(user.password_hash, password):
        return _failed(address, client, moment, user, "wrong_password")

    # From here on the password was right: what follows is told only to whoever knows it.
    if not user.active:
        audit.record(None, "user.login_failed", user, reason="inactive")
        return LoginOutcome(LoginStatus.INACTIVE, user)
    if user.email_verified_at is None:
        if verifying is None or verifying.id != user.id:
            audit.record(None, "user.login_failed", user, reason="unverified")
            return LoginOutcome(LoginStatus.UNVERIFIED, user)
        _mark_verified(user, via="link")

    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    if totp.is_enabled(user):
        audit.record(None, "user.login_code_required", user)
        return LoginOutcome(LoginStatus.CODE_REQUIRED, user)
    login_throttle.succeed(address, client, moment)
    audit.record(user, "user.login", user)
    return LoginOutcome(LoginStatus.OK, user)


def complete_login(user_id: int, stamp: str, code: str, client: str | None = None) -> LoginOutcome:
    """The second step: the code from the authenticator app, for a password checked a moment ago.

    ``stamp`` is the password stamp seen at the first step; a password changed since
    (a reset, say) sends the person back to the first step. A wrong code counts like a
    wrong password. The caller commits.
    """
    user = _user_for_update(user_id)
    if user is None or password_stamp(user) != stamp or not totp.is_enabled(user):
        return LoginOutcome(LoginStatus.EXPIRED, user)
    client = login_throttle.client_key(client)
    moment = now()
    refusal = _throttled(user.email, client, moment, user)
    if refusal is not None:
        return refusal
    if not user.active:
        audit.record(None, "user.login_failed", user, reason="inactive")
        return LoginOutcome(LoginStatus.INACTIVE, user)
    if user.email_verified_at is None:
        return LoginOutcome(LoginStatus.EXPIRED, user)
    try:
        totp.use(user, code, moment)
    except totp.CodeRefused as refused:
        if refused.reason == "unreadable":
            # Not the person's fault (the SECRET_KEY changed without a fallback): not counted.
            audit.record(None, "user.totp_failed", user, purpose="login", reason="unreadable")
            return LoginOutcome(LoginStatus.UNREADABLE, user)
        return _failed(user.email, client, moment, user, f"{refused.reason}_code")
    login_throttle.succeed(user.email, client, moment)
    audit.record(user, "user.login", user, second_factor="totp")
    return LoginOutcome(LoginStatus.OK, user)


def remove_second_factor(email: str, *, actor: User | None = None, **context) -> tuple[User, bool]:
    """Switch off the second factor of someone who lost the phone; returns the user and whether it was on."""
    user = find_user_by_email(email)
    if user is None:
        raise UnknownUser(email)
    return user, totp.remove(user, actor, **context)


def record_logout(user: User) -> None:
    sessions.end(user.session_token)
    audit.record(user, "user.logout", user)
