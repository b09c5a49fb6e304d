"""Who may do what to which object.

Every view goes through these functions; a view that loads an object and does not
ask here is a bug. They answer booleans. Objects are loaded by ``app.web.loaders``, which
answers 404 for an object the user may not see, whether it exists or not. A 403 is only
for what is not about seeing an object: ``require_role`` for a page without an object
that the user's role does not open, and ``require`` for an action on an object the user
sees but may not take.
"""
from __future__ import annotations

from flask import abort
from flask_login import current_user
from sqlalchemy import select

from app.extensions import db
from app.models import Consortium, ConsortiumMember, Proposal, User
from app.models.consortia import MemberRole


def require(allowed: bool) -> None:
    """403: the user sees the object (or the page has none) but may not do this."""
    if not allowed:
        abort(403)


def require_role(*roles: str) -> None:
    """403 for a page without an object, such as a console's index, that none of the roles opens."""
    require(_authenticated(current_user) and current_user.has_role(*roles))


def _authenticated(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def is_officer_for_call(user, call) -> bool:
    if not _authenticated(user):
        return False
    if user.has_role("admin"):
        return True
    return user.has_role("officer") and user.acting_organisation_id == call.programme.agency_id


def consortium_ids_of(user: User) -> set[int]:
    """Consortia in which the user's organisation takes part, having accepted to."""
    if not _authenticated(user) or user.acting_organisation_id is None:
        return set()
    return set(
        db.session.scalars(
            select(ConsortiumMember.consortium_id).where(ConsortiumMember.organisation_id == user.acting_organisation_id,
                                                         ConsortiumMember.confirmed_at.is_not(None))
        )
    )


def can_view_consortium(user, consortium: Consortium) -> bool:
    """A listed organisation that has not accepted sees nothing of the consortium or its proposals:
    listing is the lead's doing, taking part is the member's."""
    return (_authenticated(user) and user.has_role("applicant")
            and user.acting_organisation_id in consortium.confirmed_org_ids())


def can_answer_invitation(user, member: ConsortiumMember) -> bool:
    """A confirmed applicant of the listed organisation accepts or declines for it."""
    return (_authenticated(user) and user.has_role("applicant") and user.acting_organisation_id is not None
            and user.acting_organisation_id == member.organisation_id and member.role != MemberRole.LEAD)


def can_manage_consortium(user, consortium: Consortium) -> bool:
    """Only people of the lead organisation change the consortium or its proposals."""
    return _authenticated(user) and user.has_role("applicant") and user.acting_organisation_id == consortium.lead_org_id


def can_view_proposal(user, proposal: Proposal) -> bool:
    if not _authenticated(user):
        return False
    if can_view_consortium(user, proposal.consortium):
        return True
    return is_officer_for_call(user, proposal.call)


def can_edit_proposal(user, proposal: Proposal) -> bool:
    return can_manage_consortium(user, proposal.consortium)


# --- 발표평가 (app/review/presentation.py) ------------------------------------------------

def can_run_presentation(user, call) -> bool:
    """The call's officers set the schedule, publish it and record attendance."""
    return is_officer_for_call(user, call)


def is_presentation_chair(user, schedule) -> bool:
    """Only the designated 위원장 writes the 종합의견."""
    return (_authenticated(user) and user.has_role("reviewer") and schedule.chair_id is not None
            and schedule.chair_id == user.id)
