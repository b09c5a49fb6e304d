"""``flask users create-admin``, ``flask users grant EMAIL ROLE`` and ``flask users totp-off EMAIL``."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from app.extensions import db
from app.models.organisations import ORG_TYPES, ROLES
from app.accounts import accounts, passwords
from app.accounts import signin
from app import audit
from app.core.clock import now

users_cli = AppGroup("users", help="Manage accounts and roles.")


_WEAK = {
    "too_short": f"shorter than {passwords.MIN_LENGTH} characters",
    "too_simple": "mix at least three of lower case, upper case, digits and symbols",
    "contains_email": "contains the name part of the e-mail address",
}


def _refuse(error: accounts.AccountError) -> click.ClickException:
    db.session.rollback()
    if isinstance(error, accounts.EmailTaken):
        return click.ClickException(f"An account with e-mail {error} already exists; "
                                    "use `flask users grant EMAIL admin` to make it an administrator.")
    if isinstance(error, accounts.WeakPassword):
        return click.ClickException("Password refused: " + "; ".join(_WEAK.get(p, p) for p in error.problems) + ".")
    if isinstance(error, accounts.InvalidBrn):
        return click.ClickException(f"Not a valid business registration number (check digit): {error}")
    if isinstance(error, accounts.OrganisationDetailsMissing):
        return click.ClickException("No organisation has this business registration number yet; "
                                    "give --org-name (and --org-type) to create it.")
    if isinstance(error, accounts.UnknownUser):
        return click.ClickException(f"No account with e-mail {error}.")
    if isinstance(error, accounts.UnknownRole):
        return click.ClickException(f"Unknown role '{error}'; choose one of {', '.join(ROLES)}.")
    return click.ClickException(str(error))


@users_cli.command("create-admin")
@click.option("--email", required=True, help="Login e-mail of the administrator.")
@click.option("--name", required=True, help="Display name.")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
              help="Asked for when omitted; pass it only from scripts.")
@click.option("--org-brn", default=None, help="Attach to the organisation with this 사업자등록번호.")
@click.option("--org-name", default=None, help="Name of the organisation, when --org-brn is new.")
@click.option("--org-type", type=click.Choice(ORG_TYPES), default="public_agency", show_default=True)
@click.option("--org-region", default="", help="Region of a new organisation.")
def create_admin(email, name, password, org_brn, org_name, org_type, org_region):
    """Create an administrator account."""
    try:
        user = accounts.create_admin(email=email, name=name, password=password, org_brn=org_brn,
                                     org_name=org_name, org_type=org_type, region=org_region)
    except accounts.AccountError as error:
        raise _refuse(error) from None
    db.session.commit()
    where = f" of {user.organisation.name}" if user.organisation else ""
    click.echo(f"Administrator {user.email}{where} created.")


@users_cli.command("grant")
@click.argument("email")
@click.argument("role")
def grant(email, role):
    """Give ROLE (applicant, reviewer, officer, admin) to the account with EMAIL."""
    try:
        user, changed = accounts.grant_role(email, role, via="cli")
    except accounts.AccountError as error:
        raise _refuse(error) from None
    db.session.commit()
    if changed:
        click.echo(f"{user.email} is now {role} (roles: {', '.join(sorted(user.roles))}).")
    else:
        click.echo(f"{user.email} already has the role {role}.")


@users_cli.command("totp-off")
@click.argument("email")
def totp_off(email):
    """Switch off the second factor of the account with EMAIL (a lost phone); the password stays."""
    try:
        user, changed = signin.remove_second_factor(email, via="cli")
    except accounts.AccountError as error:
        raise _refuse(error) from None
    db.session.commit()
    click.echo(f"Second factor of {user.email} switched off." if changed
               else f"{user.email} has no second factor.")


@users_cli.command("confirm-membership")
@click.argument("email")
def confirm_membership(email):
    """Confirm that the account with EMAIL acts for its organisation (when no colleague can)."""
    user = accounts.find_user_by_email(email)
    if user is None or user.organisation_id is None:
        raise click.ClickException(f"no account {email!r} with an organisation")
    if user.organisation_confirmed_at is not None:
        click.echo(f"{user.email} is already confirmed for {user.organisation.name}.")
        return
    user.organisation_confirmed_at = now()
    audit.record(None, "membership.confirmed", user, organisation_id=user.organisation_id, via="cli")
    db.session.commit()
    click.echo(f"{user.email} now acts for {user.organisation.name}.")
