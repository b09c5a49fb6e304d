"""Opening an agreement: after the announcement, one per selected proposal, with the changes the
reviewers asked for and a due date for the revised plan."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app import access, audit
from app.core import clock
from app.core.errors import AgreementsError
from app.extensions import db
from app.models import Call, CallOutcome, Consortium, Proposal, Result
from app.models.agreements import Agreement, AgreementStatus
from app.models.projects import Project
from app.models.review import ReviewAssignment, ReviewSheet, SheetStatus
from app.agreements import notices
from app.notifications import outbox

PLAN_REVISION_DAYS = 20
# What an officer may set per opening (and per extension after a return).
MIN_REVISION_DAYS, MAX_REVISION_DAYS = 1, 90
MAX_TEXT = 20000


def default_days() -> int:
    return int(current_app.config.get("PLAN_REVISION_DAYS", PLAN_REVISION_DAYS))


def announced_at(call: Call) -> datetime | None:
    return db.session.scalar(select(CallOutcome.announced_at).where(CallOutcome.call_id == call.id))


def is_selected(proposal: Proposal) -> bool:
    return bool(db.session.scalar(select(Result.selected).where(Result.proposal_id == proposal.id)))


def of_proposal(proposal: Proposal) -> Agreement | None:
    return db.session.scalar(select(Agreement).where(Agreement.proposal_id == proposal.id))


def refusal(proposal: Proposal) -> str | None:
    """Why no agreement can be opened for this proposal now, or None when it can."""
    if announced_at(proposal.call) is None:
        return _("선정 결과를 발표한 뒤에 협약을 시작할 수 있습니다.")
    if not is_selected(proposal):
        return _("선정된 신청서만 협약을 시작할 수 있습니다.")
    if of_proposal(proposal) is not None:
        return _("이 신청서의 협약은 이미 시작되었습니다.")
    return None


def check_days(days, field: str = "revision_days") -> int:
    if days is None or isinstance(days, bool) or not isinstance(days, int) \
            or not MIN_REVISION_DAYS <= days <= MAX_REVISION_DAYS:
        raise AgreementsError(_("보완 기한은 %(lo)d일에서 %(hi)d일 사이로 정하십시오.", lo=MIN_REVISION_DAYS,
                                hi=MAX_REVISION_DAYS), field=field)
    return days


def open_agreement(proposal: Proposal, actor, required_changes: str, days: int | None = None) -> Agreement:
    """Open the agreement of a selected proposal: the consortium revises its plan within ``days``."""
    problem = refusal(proposal)
    if problem:
        raise AgreementsError(problem)
    text = (required_changes or "").strip()
    if len(text) < 5:
        raise AgreementsError(_("보완할 사항을 5자 이상 입력하십시오."), field="required_changes")
    if len(text) > MAX_TEXT:
        raise AgreementsError(_("%(max)d자 이내로 입력하십시오.", max=MAX_TEXT), field="required_changes")
    days = check_days(default_days() if days is None else days)
    at = clock.now()
    agreement = Agreement(call_id=proposal.call_id, proposal_id=proposal.id, status=AgreementStatus.REVISING,
                          required_changes=text, revision_due_at=at + timedelta(days=days), created_by_id=actor.id,
                          created_at=at)
    db.session.add(agreement)
    db.session.flush()
    audit.record(actor, "agreement.opened", agreement, call=proposal.call_id, proposal_id=proposal.id,
                 revision_days=days, revision_due_at=agreement.revision_due_at.isoformat(),
                 changes=audit.changes({}, {"status": agreement.status, "required_changes": text}))
    notices.send(agreement, notices.consortium_people(agreement), "opened", "opened",
                 outbox.notice("[%(call)s] 협약을 시작합니다. 사업계획을 보완하여 제출하십시오.",
                               call=proposal.call.title),
                 due=agreement.revision_due_at, comment=text)
    return agreement


def reviewer_opinions(proposal: Proposal) -> list[str]:
    """The submitted sheets' overall opinions, without who wrote them: what the changes come from."""
    return [text for text in db.session.scalars(
        select(ReviewSheet.overall_opinion).join(ReviewAssignment, ReviewAssignment.id == ReviewSheet.assignment_id)
        .where(ReviewAssignment.proposal_id == proposal.id, ReviewSheet.status == SheetStatus.SUBMITTED)
        .order_by(ReviewSheet.id)) if (text or "").strip()]


@dataclass
class Followed:
    """Where a proposal went after the award, as far as its reader may follow it."""
    agreement: Agreement | None = None
    project: Project | None = None


def followed(proposal: Proposal, user) -> Followed:
    """The agreement and the project of ``proposal`` that ``user`` may open, for the proposal's pages."""
    if not proposal.receipt_no:  # never submitted: never selected
        return Followed()
    row = db.session.execute(select(Agreement, Project).outerjoin(Project, Project.agreement_id == Agreement.id)
                             .where(Agreement.proposal_id == proposal.id)).first()
    if row is None:
        return Followed()
    agreement, project = row
    return Followed(agreement if access.can_view_agreement(user, agreement) else None,
                    project if project is not None and access.can_view_project(user, project) else None)


@dataclass
class Row:
    proposal: Proposal
    agreement: Agreement | None
    due: datetime | None  # what the consortium is due to do next (revise or sign)
    overdue: bool
    project: Project | None = None  # once the agreement is signed


def rows_of_call(call: Call) -> list[Row]:
    """The call's selected proposals and their agreements, for the officer's list."""
    proposals = db.session.scalars(
        select(Proposal).join(Result, Result.proposal_id == Proposal.id)
        .where(Proposal.call_id == call.id, Result.selected.is_(True))
        .options(joinedload(Proposal.consortium).joinedload(Consortium.lead_org))
        .order_by(Result.rank, Proposal.id)).unique().all()
    agreements = {a.proposal_id: a for a in db.session.scalars(
        select(Agreement).where(Agreement.call_id == call.id))}
    projects = {p.agreement_id: p for p in db.session.scalars(select(Project).where(Project.call_id == call.id))}
    now = clock.now()
    out = []
    for p in proposals:
        a = agreements.get(p.id)
        due = None
        if a is not None and a.status == AgreementStatus.REVISING:
            due = a.revision_due_at
        elif a is not None and a.status == AgreementStatus.SIGNING:
            due = a.sign_due_at
        overdue = a is not None and (a.overdue_flagged_at is not None and a.status != AgreementStatus.SIGNED
                                     or (due is not None and now > due))
        out.append(Row(p, a, due, overdue, projects.get(a.id) if a is not None else None))
    return out
