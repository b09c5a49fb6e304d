"""Submitting, withdrawing and resubmitting a proposal.

Submission is one transaction: validate everything, allocate the receipt number,
freeze a version, audit and queue the mails. If any step fails the caller rolls
back and nothing has changed, not even the call's receipt counter.
"""
from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import Call, Consortium, ConsortiumMember, PocPlan, Proposal, ProposalVersion
from app.models.proposals import ProposalStatus
from app import audit
from app.core import clock
from app.core.errors import ProposalsError
from app.calls import deadline
from app.notifications import outbox
from app.proposals import snapshot, validation
from app.notifications.contacts import consortium_contacts


class SubmissionRefused(ProposalsError):
    """Validation found problems; ``report`` lists them."""

    def __init__(self, report: validation.Report):
        super().__init__(f"{len(report.problems)} problem(s)")
        self.report = report


class WithdrawalRefused(ProposalsError):
    pass


def submit(proposal: Proposal, user) -> ProposalVersion:
    at = clock.now()  # one instant for the deadline check and the receipt, so they cannot disagree
    deadline.ensure_writable(proposal, at)
    _lock(proposal)
    report = validation.validate_for_submission(proposal)
    if not report.ok:
        raise SubmissionRefused(report)
    validated_at = clock.now()  # later than ``at`` when the lock had to wait for another writer

    if proposal.receipt_no is None:
        proposal.receipt_no = allocate_receipt_no(proposal.call_id)
    number = (db.session.scalar(select(func.max(ProposalVersion.number))
                                .where(ProposalVersion.proposal_id == proposal.id)) or 0) + 1
    version = ProposalVersion(
        proposal_id=proposal.id, number=number, receipt_no=proposal.receipt_no, submitted_at=at,
        submitted_by_id=user.id,
        snapshot=snapshot.build(proposal, number=number, receipt_no=proposal.receipt_no,
                                submitted_at=at, validated_at=validated_at, submitted_by=user),
        rules_fingerprint=validation.rules_fingerprint(proposal.call),
        national_total=proposal.total_by_source("national"),
    )
    db.session.add(version)
    proposal.status = ProposalStatus.SUBMITTED
    proposal.submitted_at = at
    # Set, not left to onupdate (which would stamp the flush, a moment later): a proposal whose
    # last change is later than its submission was edited after it (drafts.edited_after_submission).
    proposal.updated_at = at
    action = "submitted" if number == 1 else "resubmitted"
    audit.record(user, f"proposal.{action}", proposal, version=number, receipt_no=proposal.receipt_no)
    _notify(proposal, f"proposal_{action}", version)
    return version


def allocate_receipt_no(call_id: int) -> str:
    """The call's next receipt number, e.g. DIH-2027-0007 (the call code, then a sequence).

    The call row stays locked until the transaction ends, so concurrent submissions
    take numbers one after the other and a rolled-back one leaves no gap.
    """
    call = db.session.scalar(
        select(Call).where(Call.id == call_id).with_for_update().execution_options(populate_existing=True)
    )
    seq = call.next_receipt_seq or 1
    call.next_receipt_seq = seq + 1
    db.session.flush()
    return f"{call.code}-{seq:04d}"


def withdraw(proposal: Proposal, user) -> ProposalVersion:
    """Withdraw the submitted proposal; its versions stay readable. Returns the withdrawn version."""
    deadline.ensure_writable(proposal)
    _lock(proposal)
    latest = snapshot.latest_version(proposal)
    if proposal.status != ProposalStatus.SUBMITTED or latest is None:
        raise WithdrawalRefused(_("제출된 신청서만 철회할 수 있습니다."))
    proposal.status = ProposalStatus.WITHDRAWN
    audit.record(user, "proposal.withdrawn", proposal, version=latest.number, receipt_no=proposal.receipt_no)
    _notify(proposal, "proposal_withdrawn", latest)
    return latest


def everything():
    """Loader options for all that validation and the snapshot read, in a handful of queries."""
    return (
        selectinload(Proposal.call).selectinload(Call.complexes),
        selectinload(Proposal.call).selectinload(Call.infra_types),
        selectinload(Proposal.call).selectinload(Call.attachment_kinds),
        selectinload(Proposal.call).selectinload(Call.sections),
        selectinload(Proposal.consortium).selectinload(Consortium.members).selectinload(ConsortiumMember.organisation),
        selectinload(Proposal.complex),
        selectinload(Proposal.infra_items),
        selectinload(Proposal.texts),
        selectinload(Proposal.poc_plans).selectinload(PocPlan.kpis),
        selectinload(Proposal.budget_lines),
        selectinload(Proposal.attachments),
    )


def _lock(proposal: Proposal) -> None:
    """Serialise writes to one proposal (a double click, two colleagues, an upload during
    submission), then read it again: what was loaded before the lock may be stale."""
    # Consumed, not just executed: the ORM refreshes the objects (and runs the eager loads)
    # only while it reads the rows; an unread result would leave the stale ones in place.
    db.session.execute(
        select(Proposal).where(Proposal.id == proposal.id).with_for_update()
        .options(*everything()).execution_options(populate_existing=True)
    ).scalar_one()


def _in_app(template: str, call: str, receipt: str, n: int) -> outbox.Notice:
    return {
        "proposal_submitted": outbox.notice("[%(call)s] 신청서가 접수되었습니다. 접수번호 %(receipt)s",
                                            call=call, receipt=receipt),
        "proposal_resubmitted": outbox.notice("[%(call)s] 신청서가 다시 제출되었습니다(제%(n)d판). 접수번호 %(receipt)s",
                                              call=call, receipt=receipt, n=n),
        "proposal_withdrawn": outbox.notice("[%(call)s] 신청서(접수번호 %(receipt)s)가 철회되었습니다.",
                                            call=call, receipt=receipt),
    }[template]


def _notify(proposal: Proposal, template: str, version: ProposalVersion) -> None:
    snap = version.snapshot
    budget = snap["budget"]["totals"]
    receipt_path = url_for("proposals.receipt", proposal_id=proposal.id)
    context = {
        "receipt_no": version.receipt_no,
        "version": version.number,
        "call_code": snap["call"]["code"],
        "call_title": snap["call"]["title"],
        "proposal_title": snap["overview"]["title"],
        "consortium_name": snap["consortium"]["name"],
        "complex_name": (snap["complex"] or {}).get("name", ""),
        "site_label": snap.get("site_label") or {},
        "submitted_at": clock.to_kst(version.submitted_at).strftime("%Y-%m-%d %H:%M:%S KST"),
        "withdrawn_at": clock.to_kst(clock.now()).strftime("%Y-%m-%d %H:%M:%S KST"),
        "national_total": budget["national"],
        "grand_total": budget["total"],
        "attachments": len(snap["attachments"]),
        "url": url_for("proposals.receipt", proposal_id=proposal.id, _external=True),
        # The whole submitted version as one printable document (app/proposals/pdf.py).
        "pdf_url": url_for("proposals.version_pdf", proposal_id=proposal.id, number=version.number, _external=True),
    }
    told = _in_app(template, context["call_title"], version.receipt_no, version.number)
    for user in consortium_contacts(proposal.consortium):
        outbox.queue(f"{template}:{proposal.id}:v{version.number}:u{user.id}", template, user,
                     {**context, "user_name": user.name},
                     in_app=told, url=receipt_path)
