"""Who hears about a consortium's proposal, and who answers for a call."""
from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import Call, Consortium, User, UserRole
from app.models.organisations import Role


def consortium_contacts(consortium: Consortium) -> list[User]:
    """Active applicants of the lead organisation: the people who run the proposal."""
    return list(
        db.session.scalars(
            select(User)
            .join(UserRole, UserRole.user_id == User.id)
            .where(User.organisation_id == consortium.lead_org_id, User.active.is_(True),
                   User.organisation_confirmed_at.is_not(None),
                   UserRole.role == Role.APPLICANT)
            .order_by(User.id)
        )
    )


def contacts_by_lead(org_ids) -> dict[int, list[User]]:
    """``consortium_contacts`` for many consortia at once, by lead organisation id (one query)."""
    ids = set(org_ids)
    out: dict[int, list[User]] = {org_id: [] for org_id in ids}
    if not ids:
        return out
    for user in db.session.scalars(
            select(User).join(UserRole, UserRole.user_id == User.id)
            .where(User.organisation_id.in_(ids), User.active.is_(True),
                   User.organisation_confirmed_at.is_not(None), UserRole.role == Role.APPLICANT)
            .order_by(User.id)):
        out[user.organisation_id].append(user)
    return out


def call_officers(call: Call) -> list[User]:
    """Active officers of the call's managing agency."""
    return list(
        db.session.scalars(
            select(User)
            .join(UserRole, UserRole.user_id == User.id)
            .where(User.organisation_id == call.programme.agency_id, User.active.is_(True),
                   User.organisation_confirmed_at.is_not(None),
                   UserRole.role == Role.OFFICER)
            .order_by(User.id)
        )
    )
