"""Who may do what in the review: the reviewer's, the officer's and the applicant's side.

Same contract as ``access``: booleans. ``app.web.loaders`` turns "may not see" into 404: a
reviewer asking for someone else's assignment gets 404 (its existence is not theirs to
know); the views turn the rest into 403: their own assignment in the wrong state.
"""
from __future__ import annotations

from app import access
from app.models.review import CoiStatus


def _authenticated(user) -> bool:
    return user is not None and getattr(user, "is_authenticated", False)


def is_reviewer(user) -> bool:
    return _authenticated(user) and user.has_role("reviewer")


def owns_assignment(user, assignment) -> bool:
    """The assignment is this reviewer's (whatever its state)."""
    return is_reviewer(user) and assignment.reviewer_id == user.id


def can_declare(user, assignment) -> bool:
    """The reviewer may pledge or recuse while the assignment awaits their declaration."""
    return owns_assignment(user, assignment) and assignment.coi_status == CoiStatus.PENDING


def can_recuse(user, assignment) -> bool:
    """A declared reviewer may still step back until their sheet is submitted."""
    if not owns_assignment(user, assignment) or not assignment.active:
        return False
    return assignment.sheet is None or not assignment.sheet.locked


def can_open_proposal(user, assignment) -> bool:
    """Only after the no-conflict pledge does the reviewer see the proposal's content."""
    return owns_assignment(user, assignment) and assignment.coi_status == CoiStatus.DECLARED


def can_edit_sheet(user, assignment) -> bool:
    return can_open_proposal(user, assignment)


def can_manage_reviews(user, call) -> bool:
    """Officers of the call's agency (and admins) run the pool, assignment and challenges."""
    return access.is_officer_for_call(user, call)


def can_file_challenge(user, proposal) -> bool:
    """The consortium's lead organisation speaks for the proposal."""
    return access.can_manage_consortium(user, proposal.consortium)
