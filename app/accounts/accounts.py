"""Accounts: registration (with e-mail verification), administrators and roles.

Signing in lives in ``signin``, passwords and verification links in ``credentials``, lookups in
``directory`` and the refusals in ``errors``. Every function that changes state records it in
the audit log and leaves the commit to its caller.
"""
from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import Organisation, User
from app.models.organisations import ROLES, Role
from app import audit
from app.accounts import brn, passwords
from app.notifications import outbox
from app.core.clock import now
from app.core.links import portal_url
from app.accounts.errors import AccountError, EmailTaken, InvalidBrn, OrganisationDetailsMissing, WeakPassword, UnknownUser, UnknownRole  # noqa: F401 - the accounts' public refusals
from app.accounts.directory import normalise_email, is_plausible_email, find_user_by_email, find_organisation_by_brn, organisation_details_missing  # noqa: F401 - lookups callers use
from app.accounts.credentials import send_verification

DEFAULT_ROLE = "applicant"


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
    user.grant(Role.ADMIN)
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
