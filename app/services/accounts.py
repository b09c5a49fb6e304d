"""Accounts: registration, authentication with lock-out (and the second factor), password changes and resets.

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
from app.services import audit, brn, membership, outbox, passwords, totp
from app.services.clock import now

MAX_FAILED_LOGINS = 5
LOCK_DURATION = timedelta(minutes=15)
# How long a right password waits for the code of the second factor before it must be typed again.
CODE_STEP_WINDOW = timedelta(minutes=5)
RESET_SALT = "password-reset"
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

def _check_new_account(email: str, name: str, password: str) -> None:
    if not is_plausible_email(email):
        raise AccountError(f"not an e-mail address: {email!r}")
    if not name:
        raise AccountError("the name must not be empty")
    if find_user_by_email(email) is not None:
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
             locale: str = "ko") -> User:
    """A new applicant who joins the organisation of ``brn_number``, creating it when unknown."""
    email = normalise_email(email)
    name = name.strip()
    _check_new_account(email, name, password)
    org = _existing_or_new_organisation(brn_number, org_name, org_type, region, require_region=True)
    user = User(email=email, name=name, password_hash=passwords.hash_password(password),
                locale=locale if locale in ("ko", "en") else "ko")
    user.grant(DEFAULT_ROLE)
    db.session.add(user)
    created = _attach(user, org, user)
    if not created:
        membership.request_confirmation(user)
    audit.record(user, "user.registered", user, email=email, organisation_id=org.id,
                 new_organisation=created, roles=[DEFAULT_ROLE])
    return user


def create_admin(*, email: str, name: str, password: str, org_brn: str | None = None,
                 org_name: str | None = None, org_type: str = "public_agency",
                 region: str = "") -> User:
    """An administrator, from the command line; attached to an organisation only when asked."""
    email = normalise_email(email)
    name = name.strip()
    _check_new_account(email, name, password)
    # An administrator's organisation may be a ministry with no region to record.
    org = _existing_or_new_organisation(org_brn, org_name, org_type, region, require_region=False) if org_brn else None
    user = User(email=email, name=name, password_hash=passwords.hash_password(password))
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
    status: str  # ok | code_required | invalid | locked | inactive | expired | unreadable
    user: User | None = None
    locked_until: datetime | None = None

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


def _still_locked(user: User, moment: datetime) -> LoginOutcome | None:
    """The refusal while a lock lasts; once it has run out, the next five attempts start from zero."""
    if user.locked_until is None:
        return None
    if user.locked_until > moment:
        audit.record(None, "user.login_failed", user, reason="locked")
        return LoginOutcome("locked", user, user.locked_until)
    user.locked_until = None
    user.failed_logins = 0
    return None


def _count_failure(user: User, moment: datetime, reason: str) -> LoginOutcome:
    """A wrong password and a wrong code cost the same: five in a row lock the account."""
    user.failed_logins = (user.failed_logins or 0) + 1
    if user.failed_logins >= MAX_FAILED_LOGINS:
        user.locked_until = moment + LOCK_DURATION
        audit.record(None, "user.locked", user, failures=user.failed_logins, reason=reason,
                     until=user.locked_until.isoformat())
        return LoginOutcome("locked", user, user.locked_until)
    audit.record(None, "user.login_failed", user, reason=reason, failures=user.failed_logins)
    return LoginOutcome("invalid", user)


def _user_for_update(user_id: int) -> User | None:
    # The row lock serialises concurrent attempts so no failure is lost and no code is used twice.
    return db.session.scalar(select(User).where(User.id == user_id).with_for_update())


def authenticate(email: str, password: str) -> LoginOutcome:
    """Check a login attempt and count it; the caller commits whatever the outcome.

    With the second factor on, a right password gives "code_required": the user is not
    logged in, and the failure count stands until the code is right too, or somebody who
    knows the password could guess codes four at a time forever.
    """
    address = normalise_email(email)
    # The row lock serialises concurrent attempts so none of the five failures is lost.
    user = db.session.scalar(select(User).where(User.email == address).with_for_update()) if address else None
    if user is None:
        _spend_verification_time(password)
        audit.record(None, "user.login_failed", object_type="user", email=address[:254], reason="unknown_email")
        return LoginOutcome("invalid")

    moment = now()
    refusal = _still_locked(user, moment)
    if refusal is not None:
        return refusal

    if not passwords.verify_password(user.password_hash, password):
        return _count_failure(user, moment, "wrong_password")

    if not user.active:
        audit.record(None, "user.login_failed", user, reason="inactive")
        return LoginOutcome("inactive", user)

    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    if totp.is_enabled(user):
        audit.record(None, "user.login_code_required", user)
        return LoginOutcome("code_required", user)
    user.failed_logins = 0
    audit.record(user, "user.login", user)
    return LoginOutcome("ok", user)


def complete_login(user_id: int, stamp: str, code: str) -> LoginOutcome:
    """The second step: the code from the authenticator app, for a password checked a moment ago.

    ``stamp`` is the password stamp seen at the first step; a password changed since
    (a reset, say) sends the person back to the first step. The caller commits.
    """
    user = _user_for_update(user_id)
    if user is None or password_stamp(user) != stamp or not totp.is_enabled(user):
        return LoginOutcome("expired", user)
    moment = now()
    refusal = _still_locked(user, moment)
    if refusal is not None:
        return refusal
    if not user.active:
        audit.record(None, "user.login_failed", user, reason="inactive")
        return LoginOutcome("inactive", user)
    try:
        totp.use(user, code, moment)
    except totp.CodeRefused as refused:
        if refused.reason == "unreadable":
            # Not the person's fault (the SECRET_KEY changed without a fallback): no lock-out.
            audit.record(None, "user.totp_failed", user, purpose="login", reason="unreadable")
            return LoginOutcome("unreadable", user)
        return _count_failure(user, moment, f"{refused.reason}_code")
    user.failed_logins = 0
    audit.record(user, "user.login", user, second_factor="totp")
    return LoginOutcome("ok", user)


def remove_second_factor(email: str, *, actor: User | None = None, **context) -> tuple[User, bool]:
    """Switch off the second factor of someone who lost the phone; returns the user and whether it was on."""
    user = find_user_by_email(email)
    if user is None:
        raise UnknownUser(email)
    return user, totp.remove(user, actor, **context)


def unlock_display_time(locked_until: datetime) -> datetime:
    """The lock's end rounded up to the minute, so the time shown is never too early."""
    if locked_until.second or locked_until.microsecond:
        return locked_until.replace(second=0, microsecond=0) + timedelta(minutes=1)
    return locked_until


def record_logout(user: User) -> None:
    audit.record(user, "user.logout", user)


# --- passwords -----------------------------------------------------------------------------

def check_password(user: User, password: str) -> bool:
    return passwords.verify_password(user.password_hash, password)


def password_stamp(user: User) -> str:
    """The same stamp as in ``User.get_id``: it changes whenever the password does."""
    return str(int(user.password_changed_at.timestamp()))


def _set_password(user: User, new_password: str) -> None:
    problems = passwords.strength_problems(new_password, email=user.email, name=user.name)
    if problems:
        raise WeakPassword(problems)
    user.password_hash = passwords.hash_password(new_password)
    previous = user.password_changed_at
    stamp = now().replace(microsecond=0)
    # The stamp has whole-second resolution; two changes within a second must still differ,
    # or a used reset link and the old sessions would stay valid.
    if previous is not None and stamp <= previous:
        stamp = previous.replace(microsecond=0) + timedelta(seconds=1)
    user.password_changed_at = stamp
    user.failed_logins = 0
    user.locked_until = None


def change_password(user: User, new_password: str) -> None:
    _set_password(user, new_password)
    db.session.flush()
    audit.record(user, "user.password_changed", user)


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
    """Queue a reset mail for an active account; the caller answers the same either way."""
    user = find_user_by_email(email)
    if user is None or not user.active:
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
    _set_password(user, new_password)
    db.session.flush()
    audit.record(user, "user.password_reset", user)
