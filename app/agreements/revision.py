"""The revised plan: the lead edits the live proposal (unlocked for it while the agreement is
REVISING, app/calls/deadline.py), submits it frozen as a PlanRevision, the officer accepts or returns it."""
from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app import audit
from app.core import clock
from app.core.errors import AgreementsError
from app.extensions import db
from app.models import Proposal
from app.models.agreements import Agreement, AgreementStatus, PlanRevision, RevisionDecision
from app.agreements import notices, opening
from app.notifications import outbox
from app.proposals import diff, snapshot, submission, validation

MAX_TEXT = 20000
STATUS_LABELS = {
    AgreementStatus.REVISING: _l("사업계획 보완 중"),
    AgreementStatus.REVISION_SUBMITTED: _l("보완 계획 검토 중"),
    AgreementStatus.DRAFTING: _l("협약서 작성 중"),
    AgreementStatus.SIGNING: _l("서명 중"),
    AgreementStatus.SIGNED: _l("협약 체결"),
}


def status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))


class RevisionRefused(AgreementsError):
    """Validation found problems in the revised plan; ``report`` lists them."""

    def __init__(self, report: validation.Report):
        super().__init__(_("보완한 사업계획에 고칠 곳이 %(n)d군데 있습니다.", n=len(report.problems)))
        self.report = report


def lock(agreement: Agreement) -> Agreement:
    """Serialise changes to one agreement (a double click, two colleagues) and read it again."""
    # The signatures and revisions are read again too: a double click must see the first one's work.
    return db.session.scalar(select(Agreement).where(Agreement.id == agreement.id).with_for_update(of=Agreement)
                             .options(selectinload(Agreement.signatures), selectinload(Agreement.revisions))
                             .execution_options(populate_existing=True))


def _text(value, field: str, *, required: bool, label_min: int = 5, too_short: str | None = None) -> str:
    text = (value or "").strip()
    if required and len(text) < label_min:
        raise AgreementsError(too_short or _("%(n)d자 이상 입력하십시오.", n=label_min), field=field)
    if len(text) > MAX_TEXT:
        raise AgreementsError(_("%(max)d자 이내로 입력하십시오.", max=MAX_TEXT), field=field)
    return text


def submit(agreement: Agreement, actor, note: str) -> PlanRevision:
    """Freeze the live proposal as the next revision; validated as a submission is."""
    agreement = lock(agreement)
    if agreement.status != AgreementStatus.REVISING:
        raise AgreementsError(_("지금은 보완 계획을 제출할 수 없습니다. 담당자의 검토를 기다리는 중이거나 이미 확정되었습니다."))
    note = _text(note, "note", required=True)
    proposal = db.session.scalar(select(Proposal).where(Proposal.id == agreement.proposal_id)
                                 .options(*submission.everything()).execution_options(populate_existing=True))
    report = validation.validate_for_submission(proposal)
    # The attachments stay as submitted (they are not reopened), so their rules do not apply here.
    report.problems = [p for p in report.problems if p.section != "attachments"]
    if not report.ok:
        raise RevisionRefused(report)
    at = clock.now()
    number = len(agreement.revisions) + 1
    revision = PlanRevision(number=number, note=note, submitted_at=at, submitted_by_id=actor.id,
                            snapshot=snapshot.build(proposal, number=number, receipt_no=proposal.receipt_no or "",
                                                    submitted_at=at, validated_at=at, submitted_by=actor))
    agreement.revisions.append(revision)
    before = {"status": agreement.status}
    agreement.status = AgreementStatus.REVISION_SUBMITTED
    db.session.flush()
    audit.record(actor, "agreement.revision_submitted", agreement, revision=number, late=at > agreement.revision_due_at,
                 changes=audit.changes(before, {"status": agreement.status}))
    notices.send(agreement, notices.officers(agreement), "revision_submitted", f"rev{number}",
                 outbox.notice("[%(call)s] %(consortium)s의 보완 사업계획이 제출되었습니다.",
                               call=agreement.call.title, consortium=proposal.consortium.name), comment=note)
    return revision


def accept(agreement: Agreement, actor, comment: str = "") -> PlanRevision:
    agreement = lock(agreement)
    revision = _pending(agreement)
    comment = _text(comment, "comment", required=False)
    _decide(agreement, revision, actor, RevisionDecision.ACCEPTED, comment, AgreementStatus.DRAFTING)
    notices.send(agreement, notices.lead_contacts(agreement), "revision_accepted", f"rev{revision.number}-ok",
                 outbox.notice("[%(call)s] 보완한 사업계획이 승인되었습니다. 협약서를 준비합니다.",
                               call=agreement.call.title), comment=comment)
    return revision


def return_revision(agreement: Agreement, actor, comment: str, extend_days: int | None = None) -> PlanRevision:
    """Back to the consortium with what is still missing; the due date moves on by ``extend_days``."""
    agreement = lock(agreement)
    revision = _pending(agreement)
    comment = _text(comment, "comment", required=True, too_short=_("반려하는 이유를 5자 이상 입력하십시오."))
    if extend_days is not None:
        days = opening.check_days(extend_days, field="extend_days")
        before = agreement.revision_due_at
        agreement.revision_due_at = max(agreement.revision_due_at, clock.now()) + timedelta(days=days)
        audit.record(actor, "agreement.revision_extended", agreement, days=days,
                     changes=audit.changes({"revision_due_at": before}, {"revision_due_at": agreement.revision_due_at}))
    _decide(agreement, revision, actor, RevisionDecision.RETURNED, comment, AgreementStatus.REVISING)
    notices.send(agreement, notices.lead_contacts(agreement), "revision_returned", f"rev{revision.number}-back",
                 outbox.notice("[%(call)s] 보완한 사업계획이 반려되었습니다. %(due)s까지 다시 제출하십시오.",
                               call=agreement.call.title, due=notices.due_text(agreement.revision_due_at)),
                 due=agreement.revision_due_at, comment=comment)
    return revision


def _pending(agreement: Agreement) -> PlanRevision:
    revision = agreement.latest_revision
    if agreement.status != AgreementStatus.REVISION_SUBMITTED or revision is None \
            or revision.decision != RevisionDecision.PENDING:
        raise AgreementsError(_("검토할 보완 계획이 없습니다."))
    return revision


def _decide(agreement, revision, actor, decision, comment, status) -> None:
    before = {"status": agreement.status}
    revision.decision = decision
    revision.comment = comment
    revision.decided_at = clock.now()
    revision.decided_by_id = actor.id
    agreement.status = status
    audit.record(actor, f"agreement.revision_{decision}", agreement, revision=revision.number, comment=comment,
                 changes=audit.changes(before, {"status": status}))


# --- what the pages show ------------------------------------------------------------------------

def submitted_snapshot(agreement: Agreement) -> dict | None:
    """The plan as submitted to the call: what every revision is compared with."""
    version = snapshot.latest_version(agreement.proposal)
    return version.snapshot if version is not None else None


def compared(agreement: Agreement, revision: PlanRevision | None) -> dict | None:
    base = submitted_snapshot(agreement)
    if revision is None or base is None:
        return None
    return diff.compare(base, revision.snapshot)


def live_compared(agreement: Agreement) -> dict | None:
    """While the lead revises: the live plan against the submitted one, before it is frozen."""
    base = submitted_snapshot(agreement)
    if base is None:
        return None
    proposal = agreement.proposal
    at = clock.now()
    live = snapshot.build(proposal, number=0, receipt_no=proposal.receipt_no or "", submitted_at=at,
                          validated_at=at, submitted_by=SimpleNamespace(id=0, name=""))
    return diff.compare(base, live)
