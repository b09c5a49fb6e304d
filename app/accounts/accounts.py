"""Accounts: registration with e-mail verification, authentication with growing delays (and the
second factor), password changes and resets.

Every function that changes state records it in the audit log and leaves the
commit to its caller, so a view or command commits the change and its audit
entry together.
"""
from __future__ import annotations

import math
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app, url_for
from itsdangerous import BadData, URLSafeTimedSerializer
from sqlalchemy import select

from app.extensions import db
from app.models import Organisation, User
from app.models.organisations import ORG_TYPES, ROLES
from app.core import audit
from app.accounts import brn, login_throttle, membership, passwords, sessions, totp
from app.notifications import outbox
from app.core.clock import now
from app.core.links import portal_url

# How long a right password waits for the code of the second factor before it must be typed again.
CODE_STEP_WINDOW = timedelta(minutes=5)
RESET_SALT = "password-reset"
VERIFY_SALT = "email-verification"
# Seconds a verification link stays good (EMAIL_VERIFICATION_MAX_AGE overrides it).
VERIFICATION_MAX_AGE = 48 * 3600
# One verification mail per account and minute, however often "send again" is pressed.
RESEND_INTERVAL_SECONDS = 60
DEFAULT_ROLE = "applicant"

# Deliberately loose: the mail server is the judge of an address; this only catches typos.
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s.]+$")


class AccountError(Exception):
    """A refusal that the caller shows to the person who asked."""


class EmailTaken(AccountError):
    pass


class InvalidBrn(AccountError):
    pass


class OrganisationDetailsMissing(AccountError):
    def __init__(self, missing: list[str]):
        super().__init__("missing organisation details: " + ", ".join(missing))
        self.missing = missing


class WeakPassword(AccountError):
    def __init__(self, problems: list[str]):
        super().__init__("weak password: " + ", ".join(problems))
        self.problems = problems


class UnknownUser(AccountError):
    pass


class UnknownRole(AccountError):
    pass


# --- lookups -------------------------------------------------------------------------------

def normalise_email(email: str | None) -> str:
    return (email or "").strip().lower()


def is_plausible_email(email: str) -> bool:
    return len(email) <= 254 and bool(_EMAIL.match(email))


def find_user_by_email(email: str | None) -> User | None:
    address = normalise_email(email)
    if not address:
        return None
    return db.session.scalar(select(User).where(User.email == address))


def find_organisation_by_brn(number: str | None) -> Organisation | None:
    digits = brn.normalise(number or "")
    if not brn.is_valid(digits):
        return None
    return db.session.scalar(select(Organisation).where(Organisation.brn == digits))


def organisation_details_missing(org_name: str | None, org_type: str | None) -> list[str]:
    """Which details a new organisation still lacks (region is optional in the model, not here)."""
    missing = []
    if not (org_name or "").strip():
        missing.append("name")
    if org_type not in ORG_TYPES:
        missing.append("type")
    return missing


# --- creating accounts ---------------------------------------------------------------------

def _check_new_account(email: str, name: str, password: str, *, taken_is_error: bool = True) -> None:
    if not is_plausible_email(email):
        raise AccountError(f"not an e-mail address: {email!r}")
    if not name:
        raise AccountError("the name must not be empty")
    if taken_is_error and find_user_by_email(email) is not None:
        raise EmailTaken(email)
    problems = passwords.strength_problems(password, email=email, name=name)
    if problems:
        raise WeakPassword(problems)


def _existing_or_new_organisation(number: str, org_name: str | None, org_type: str | None,
                                  region: str | None, *, require_region: bool) -> Organisation:
    """The organisation with this BRN, or a new unsaved one built from the given details."""
    digits = brn.normalise(number)
    if not brn.is_valid(digits):
        raise InvalidBrn(number)
    existing = db.session.scalar(select(Organisation).where(Organisation.brn == digits))
    if existing is not None:
        return existing
    missing = organisation_details_missing(org_name, org_type)
    if require_region and not (region or "").strip():
        missing.append("region")
    if missing:
        raise OrganisationDetailsMissing(missing)
    return Organisation(name=org_name.strip(), type=org_type, region=(region or "").strip(), brn=digits)


def _attach(user: User, org: Organisation, actor: User | None) -> bool:
    """Put the user in the organisation; True when the organisation is new (and audited as such)."""
    created = org.id is None
    user.organisation = org
    db.session.flush()
    if created:
        audit.record(actor, "organisation.created", org, brn=org.brn, name=org.name, type=org.type)
    return created


def register(*, email: str, name: str, password: str, brn_number: str,
             org_name: str | None = None, org_type: str | None = None, region: str | None = None,
             locale: str = "ko") -> User | None:
    """A new applicant who joins the organisation of ``brn_number``, creating it when unknown.

    The account cannot log in until the owner of the address follows the mailed link. An
    address that already has an account gets no second one and no different answer (the
    caller says "check your mailbox" either way): its owner is told by mail, and the
    result is None.
    """
    email = normalise_email(email)
    name = name.strip()
    _check_new_account(email, name, password, taken_is_error=False)
    org = _existing_or_new_organisation(brn_number, org_name, org_type, region, require_region=True)
    existing = find_user_by_email(email)
    if existing is not None:
        passwords.hash_password(password)  # the time a new account's hash would take
        _tell_owner_of_repeated_registration(existing)
        return None
    user = User(email=email, name=name, password_hash=passwords.hash_password(password),
                locale=locale if locale in ("ko", "en") else "ko", email_verified_at=None)
    user.grant(DEFAULT_ROLE)
    db.session.add(user)
    created = _attach(user, org, user)
    if not created:
        # Colleagues are asked once the address is verified (``_mark_verified``), not for every
        # unproven registration somebody types in.
        user.organisation_confirmed_at = None
    audit.record(user, "user.registered", user, email=email, organisation_id=org.id,
                 new_organisation=created, roles=[DEFAULT_ROLE])
    send_verification(user)
    return user


def _tell_owner_of_repeated_registration(user: User) -> None:
    # At most one notice an hour: somebody pressing "register" again and again mails nobody a flood.
    hour = int(now().timestamp() // 3600)
    outbox.queue(
        key=f"account_exists:{user.id}:{hour}", template="account_exists", user=user,
        context={"name": user.name, "login_url": portal_url("auth.login"),
                 "reset_request_url": portal_url("auth.reset_request")},
    )
    audit.record(None, "user.registration_repeated", user)


def create_admin(*, email: str, name: str, password: str, org_brn: str | None = None,
                 org_name: str | None = None, org_type: str = "public_agency",
                 region: str = "") -> User:
    """An administrator, from the command line; attached to an organisation only when asked."""
    email = normalise_email(email)
    name = name.strip()
    _check_new_account(email, name, password)
    # An administrator's organisation may be a ministry with no region to record.
    org = _existing_or_new_organisation(org_brn, org_name, org_type, region, require_region=False) if org_brn else None
    # Typed by the operator on the server: the address counts as verified.
    user = User(email=email, name=name, password_hash=passwords.hash_password(password), email_verified_at=now())
    user.grant("admin")
    db.session.add(user)
    db.session.flush()
    if org is not None:
        _attach(user, org, None)
    audit.record(None, "user.created", user, email=email, roles=["admin"],
                 organisation_id=org.id if org else None, via="cli")
    return user


def grant_role(email: str, role: str, *, actor: User | None = None, **context) -> tuple[User, bool]:
    """Give a role; returns the user and whether anything changed."""
    if role not in ROLES:
        raise UnknownRole(role)
    user = find_user_by_email(email)
    if user is None:
        raise UnknownUser(email)
    if user.has_role(role):
        return user, False
    user.grant(role)
    db.session.flush()
    audit.record(actor, "user.role_granted", user, role=role, roles=sorted(user.roles), **context)
    return user, True


# --- logging in ----------------------------------------------------------------------------

@dataclass(frozen=True)
class LoginOutcome:
    status: str  # ok | code_required | invalid | throttled | inactive | unverified | expired | unreadable
    user: User | None = None
    wait: timedelta | None = None  # throttled: how long before the next attempt

    @property
    def ok(self) -> bool:
        return self.status == "ok"


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
    return LoginOutcome("throttled", user, wait=wait)


def _failed(address: str, client: str, moment: datetime, user: User | None, reason: str) -> LoginOutcome:
    failures = login_throttle.fail(address, client, moment)
    audit.record(None, "user.login_failed", user, **({} if user else {"object_type": "user", "email": address[:254]}),
                 reason=reason, failures=failures)
    return LoginOutcome("invalid", user)


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
        return LoginOutcome("inactive", user)
    if user.email_verified_at is None:
        if verifying is None or verifying.id != user.id:
            audit.record(None, "user.login_failed", user, reason="unverified")
            return LoginOutcome("unverified", user)
        _mark_verified(user, via="link")

    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    if totp.is_enabled(user):
        audit.record(None, "user.login_code_required", user)
        return LoginOutcome("code_required", user)
    login_throttle.succeed(address, client, moment)
    audit.record(user, "user.login", user)
    return LoginOutcome("ok", user)


def complete_login(user_id: int, stamp: str, code: str, client: str | None = None) -> LoginOutcome:
    """The second step: the code from the authenticator app, for a password checked a moment ago.

    ``stamp`` is the password stamp seen at the first step; a password changed since
    (a reset, say) sends the person back to the first step. A wrong code counts like a
    wrong password. The caller commits.
    """
    user = _user_for_update(user_id)
    if user is None or password_stamp(user) != stamp or not totp.is_enabled(user):
        return LoginOutcome("expired", user)
    client = login_throttle.client_key(client)
    moment = now()
    refusal = _throttled(user.email, client, moment, user)
    if refusal is not None:
        return refusal
    if not user.active:
        audit.record(None, "user.login_failed", user, reason="inactive")
        return LoginOutcome("inactive", user)
    if user.email_verified_at is None:
        return LoginOutcome("expired", user)
    try:
        totp.use(user, code, moment)
    except totp.CodeRefused as refused:
        if refused.reason == "unreadable":
            # Not the person's fault (the SECRET_KEY changed without a fallback): not counted.
            audit.record(None, "user.totp_failed", user, purpose="login", reason="unreadable")
            return LoginOutcome("unreadable", user)
        return _failed(user.email, client, moment, user, f"{refused.reason}_code")
    login_throttle.succeed(user.email, client, moment)
    audit.record(user, "user.login", user, second_factor="totp")
    return LoginOutcome("ok", user)


def remove_second_factor(email: str, *, actor: User | None = None, **context) -> tuple[User, bool]:
    """Switch off the second factor of someone who lost the phone; returns the user and whether it was on."""
    user = find_user_by_email(email)
    if user is None:
        raise UnknownUser(email)
    return user, totp.remove(user, actor, **context)


def record_logout(user: User) -> None:
    sessions.end(user.session_token)
    audit.record(user, "user.logout", user)


# --- passwords -----------------------------------------------------------------------------

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
