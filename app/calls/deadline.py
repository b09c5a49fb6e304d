"""The closing instant, enforced on the server for every write.

Views and services call ``ensure_writable`` before changing a proposal; the check
uses the one clock, to the second, so a request one second late changes nothing.
"""
from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.core import clock
from app.core.errors import CallsError
from app.extensions import db
from app.models.agreements import Agreement, AgreementStatus
from app.models.calls import CallStatus


class ClosedError(CallsError):
    """A write after the call's closing instant (or before it opened)."""


def writable(proposal, at: datetime | None = None) -> bool:
    return proposal.call.is_open(at or clock.now())


def ensure_writable(proposal, at: datetime | None = None) -> None:
    at = at or clock.now()
    status = proposal.call.status(at)
    if status == CallStatus.UPCOMING:
        raise ClosedError(_l("아직 접수 기간이 아닙니다. 공모가 열린 뒤에 작성할 수 있습니다."))
    if status != CallStatus.OPEN:
        raise ClosedError(_l("접수가 마감되었습니다. 마감 이후에는 신청서를 변경할 수 없습니다."))


# --- the one exception: the plan revision after the award ------------------------------------

def revising(proposal) -> int | None:
    """The id of its agreement (app/agreements) while that asks the consortium to revise the plan.

    Then the section pages open again for the lead, nothing else does: attachments, submission and
    withdrawal stay closed, and the submitted versions are never touched (the revision is frozen
    as a PlanRevision)."""
    if getattr(proposal, "id", None) is None:
        return None
    return db.session.scalar(select(Agreement.id).where(
        Agreement.proposal_id == proposal.id, Agreement.status == AgreementStatus.REVISING))


def plan_writable(proposal, at: datetime | None = None) -> bool:
    """May the plan's sections be edited: the call is open, or the agreement is revising."""
    return writable(proposal, at) or revising(proposal) is not None


def ensure_plan_writable(proposal, at: datetime | None = None) -> None:
    """``ensure_writable`` for the sections' saves, with the revision exception."""
    if writable(proposal, at) or revising(proposal) is None:
        ensure_writable(proposal, at)
