"""Eligibility screening (적격성 검토) after the call closes.

The automatic checks are the submission rules themselves (``validation.validate``),
run again on the frozen proposal; the officer reads them and confirms or rejects each
proposal with a reason. A rejected proposal goes no further, and its consortium is told why.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import load_only, selectinload

from app.extensions import db
from app.models import Call, EligibilityDecision, Proposal
from app.models.calls import CallStatus
from app.models.decisions import EligibilityStatus
from app.models.proposals import ProposalStatus
from app import audit
from app.core import clock
from app.core.errors import SelectionError
from app.notifications import outbox
from app.proposals import snapshot, validation
from app.notifications.contacts import consortium_contacts

SCREENING_STATUSES = (CallStatus.CLOSED, CallStatus.IN_REVIEW)


class ScreeningError(SelectionError):
    pass


@dataclass
class Row:
    proposal: Proposal
    decision: EligibilityDecision | None
    checks: list[dict]
    national: int  # national funding requested in the submitted version


def automatic_checks(proposal: Proposal, version=None) -> list[dict]:
    """Every problem the submission rules find in the submitted version, as plain data
    to keep with the decision (later, unsubmitted drafts are not what is judged)."""
    return _checks(_judged(proposal, version))


def _judged(proposal: Proposal, version=None) -> Proposal:
    version = version or snapshot.latest_versions([proposal.id]).get(proposal.id)
    return snapshot.as_proposal(version, proposal) if version else proposal


def _checks(judged: Proposal) -> list[dict]:
    report = validation.validate(judged)
    return [{"section": p.section, "field": p.field, "message": str(p.message)} for p in report.problems]


def submitted_proposals(call: Call) -> list[Proposal]:
    """The call's submitted proposals with what the screening list shows of the live rows.

    Neither their texts nor their sections are loaded: screening judges the submitted
    versions, and loading every text, item, plan and budget line of a thousand proposals
    was a third of the list's time and tens of MB.
    """
    return list(
        db.session.scalars(
            select(Proposal)
            .where(Proposal.call_id == call.id, Proposal.status == ProposalStatus.SUBMITTED)
            .options(
                load_only(Proposal.id, Proposal.call_id, Proposal.consortium_id, Proposal.complex_id,
                          Proposal.title, Proposal.status, Proposal.receipt_no, Proposal.submitted_at,
                          Proposal.updated_at),  # updated_at: the "edited after submission" note
                selectinload(Proposal.consortium),
                selectinload(Proposal.complex),
            )
            .order_by(Proposal.receipt_no, Proposal.id)
        )
    )


def decisions_by_proposal(call: Call) -> dict[int, EligibilityDecision]:
    rows = db.session.scalars(
        select(EligibilityDecision).join(Proposal).where(Proposal.call_id == call.id)
    )
    return {d.proposal_id: d for d in rows}


QUEUE_BATCH = 100


def queue(call: Call) -> list[Row]:
    decisions = decisions_by_proposal(call)
    proposals = submitted_proposals(call)
    heads = snapshot.latest_heads(p.id for p in proposals)
    current = validation.rules_fingerprint(call)
    rows: dict[int, Row] = {}
    recheck = []
    for p in proposals:
        head = heads.get(p.id)
        if head is not None and head.rules_fingerprint == current and head.national_total is not None:
            # Submission validated this version under exactly these rules: nothing to find.
            rows[p.id] = Row(p, decisions.get(p.id), [], head.national_total)
        else:
            recheck.append(p)
    # The rest (the call's rules changed since) are read a hundred at a time and let go:
    # a thousand snapshots held at once took a web worker from ~140 MB to ~400 MB, for good.
    for start in range(0, len(recheck), QUEUE_BATCH):
        batch = recheck[start:start + QUEUE_BATCH]
        versions = snapshot.latest_versions(p.id for p in batch)
        for p in batch:
            judged = _judged(p, versions.get(p.id))
            rows[p.id] = Row(p, decisions.get(p.id), _checks(judged), judged.total_by_source("national"))
        for version in versions.values():
            db.session.expunge(version)
    return [rows[p.id] for p in proposals]


def eligible_proposals(call: Call) -> list[Proposal]:
    """Submitted proposals the officer confirmed: the ones that are reviewed and ranked."""
    return list(
        db.session.scalars(
            select(Proposal)
            .join(EligibilityDecision, EligibilityDecision.proposal_id == Proposal.id)
            .where(Proposal.call_id == call.id, Proposal.status == ProposalStatus.SUBMITTED,
                   EligibilityDecision.status == EligibilityStatus.CONFIRMED)
            .order_by(Proposal.id)
        )
    )


def eligible_ids(call: Call) -> list[int]:
    """The ids of ``eligible_proposals``, in order, without loading the proposals."""
    return list(db.session.scalars(
        select(Proposal.id)
        .join(EligibilityDecision, EligibilityDecision.proposal_id == Proposal.id)
        .where(Proposal.call_id == call.id, Proposal.status == ProposalStatus.SUBMITTED,
               EligibilityDecision.status == EligibilityStatus.CONFIRMED)
        .order_by(Proposal.id)))


def is_eligible(proposal: Proposal) -> bool:
    decision = db.session.scalar(select(EligibilityDecision).where(EligibilityDecision.proposal_id == proposal.id))
    return decision is not None and decision.status == EligibilityStatus.CONFIRMED


def decision_of(proposal: Proposal) -> EligibilityDecision | None:
    return db.session.scalar(select(EligibilityDecision).where(EligibilityDecision.proposal_id == proposal.id))


def open_for_decisions(call: Call) -> bool:
    """Screening runs from the closing of the call until its results are decided."""
    return call.status() in SCREENING_STATUSES


def decide(proposal: Proposal, actor, status: str, reason: str) -> EligibilityDecision:
    call = proposal.call
    if not open_for_decisions(call):
        raise ScreeningError(_("적격성 검토는 접수 마감 후 평가 결과 확정 전까지만 할 수 있습니다."))
    if proposal.status != ProposalStatus.SUBMITTED:
        raise ScreeningError(_("제출된 신청서만 검토할 수 있습니다."))
    if status not in tuple(EligibilityStatus):
        raise ScreeningError(_("적격 또는 부적격 중 하나를 선택하십시오."))
    reason = (reason or "").strip()
    if status == EligibilityStatus.REJECTED and not reason:
        raise ScreeningError(_("부적격 사유를 입력하십시오. 사유는 컨소시엄에 통보됩니다."))
    checks = automatic_checks(proposal)
    decision = db.session.scalar(select(EligibilityDecision).where(EligibilityDecision.proposal_id == proposal.id))
    previous = decision.status if decision else None
    before = {"status": previous, "reason": decision.reason if decision else None}
    # Every value is set before the row joins the session: reading an expired ``actor.id``
    # autoflushes, and a half-filled decision would be flushed without its decider.
    fields = {"status": status, "reason": reason, "automatic_checks": checks, "decided_by_id": actor.id,
              "decided_at": clock.now()}
    if decision is None:
        decision = EligibilityDecision(proposal_id=proposal.id, **fields)
        db.session.add(decision)
    else:
        for name, value in fields.items():
            setattr(decision, name, value)
    entry = audit.record(actor, f"screening.{status}", proposal, reason=reason, previous=previous,
                         problems=len(checks),
                         changes=audit.changes(before, {"status": str(status), "reason": reason}))
    if status == EligibilityStatus.REJECTED:
        for user in consortium_contacts(proposal.consortium):
            # The audit entry id keys the mail: a later, different rejection is a new message.
            outbox.queue(
                f"screening_rejected:{proposal.id}:{entry.id}:{user.id}", "screening_rejected", user,
                {"call_title": call.title, "proposal_title": proposal.title,
                 "receipt_no": proposal.receipt_no or "", "reason": reason, "user_name": user.name},
                in_app=outbox.notice("[%(call)s] 신청서가 적격성 검토에서 부적격 처리되었습니다: %(reason)s",
                                     call=call.title, reason=reason),
            )
    return decision
