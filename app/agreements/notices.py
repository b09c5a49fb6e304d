"""Who hears about an agreement, and the one mail every agreement notice uses.

One template (``mail/agreement.*``) with a ``kind``: each kind has its own subject and
sentence there, so a translator never assembles a sentence from pieces.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from app.core import clock
from app.core.links import portal_url
from app.extensions import db
from app.models import User, UserRole
from app.models.agreements import Agreement
from app.models.organisations import Role
from app.notifications import outbox
from app.notifications.contacts import call_officers, consortium_contacts


def applicants_of(organisation_id: int) -> list[User]:
    """The confirmed, active applicants of one organisation: who may sign for it."""
    return list(db.session.scalars(
        select(User).join(UserRole, UserRole.user_id == User.id)
        .where(User.organisation_id == organisation_id, User.active.is_(True),
               User.organisation_confirmed_at.is_not(None), UserRole.role == Role.APPLICANT)
        .order_by(User.id)))


def lead_contacts(agreement: Agreement) -> list[User]:
    return consortium_contacts(agreement.proposal.consortium)


def consortium_people(agreement: Agreement) -> list[User]:
    """Everyone who signs for the consortium: the applicants of each confirmed member."""
    out: dict[int, User] = {u.id: u for u in lead_contacts(agreement)}
    for org_id in sorted(agreement.proposal.consortium.confirmed_org_ids()):
        for user in applicants_of(org_id):
            out.setdefault(user.id, user)
    return list(out.values())


def officers(agreement: Agreement) -> list[User]:
    return call_officers(agreement.call)


def due_text(at: datetime | None) -> str:
    return clock.to_kst(at).strftime("%Y-%m-%d %H:%M KST") if at else ""


def send(agreement: Agreement, users, kind: str, key: str, notice: outbox.Notice, *,
         endpoint: str = "agreements.show", due: datetime | None = None, comment: str = "", **values) -> int:
    """Queue the agreement mail of ``kind`` and its in-app notice to each user, once per ``key``."""
    values = values or {"agreement_id": agreement.id}
    url = portal_url(endpoint, **values)
    proposal = agreement.proposal
    sent = 0
    for user in users:
        context = {"name": user.name, "kind": kind, "call_title": agreement.call.title,
                   "proposal_title": proposal.title, "receipt_no": proposal.receipt_no or "",
                   "consortium": proposal.consortium.name, "due": due_text(due), "comment": comment, "url": url}
        if outbox.queue(f"agr:{agreement.id}:{key}:{user.id}", "agreement", user, context, in_app=notice,
                        url=portal_url(endpoint, external=False, **values)) is not None:
            sent += 1
    return sent
