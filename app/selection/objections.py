"""Objections (이의신청): filed within 10 days of the announcement, answered within 30 days."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import BinaryIO

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models import Call, CallOutcome, Consortium, Objection, ObjectionEvidence, Proposal
from app.models.calls import CallPhase
from app.models.decisions import ObjectionDecision, ObjectionGround, ObjectionStatus
from app import audit
from app.proposals import attachments, blobs
from app.core import clock
from app.core.errors import SelectionError
from app.notifications import outbox
from app.notifications.contacts import call_officers, consortium_contacts
from app.core.links import portal_url

FILING_WINDOW = timedelta(days=10)
ANSWER_WINDOW = timedelta(days=30)
MAX_EVIDENCE = 3

# The admissible grounds (SPEC section 6), in the form's order.
GROUNDS = {
    ObjectionGround.EVALUATOR_ERROR: _l("평가위원의 결정적 오류"),
    ObjectionGround.MISREADING: _l("명백한 사실 오인"),
    ObjectionGround.ADMINISTRATIVE: _l("행정 착오"),
}
DECISIONS = {
    ObjectionDecision.UPHELD: _l("인용"),
    ObjectionDecision.PARTLY_UPHELD: _l("일부인용"),
    ObjectionDecision.REJECTED: _l("기각"),
}
# The decisions after which the proposal may be re-evaluated by a new panel.
REEVALUATING = (ObjectionDecision.UPHELD, ObjectionDecision.PARTLY_UPHELD)


def ground_label(key: str) -> str:
    return str(GROUNDS[key]) if key in GROUNDS else ""


def decision_label(key: str) -> str:
    return str(DECISIONS[key]) if key in DECISIONS else ""


class ObjectionError(SelectionError):
    pass


def filing_deadline(call: Call) -> datetime | None:
    if call.phase != CallPhase.ANNOUNCED:
        return None
    announced = db.session.scalar(select(CallOutcome.announced_at).where(CallOutcome.call_id == call.id))
    return announced + FILING_WINDOW if announced else None


def can_file(proposal: Proposal, at: datetime | None = None) -> bool:
    deadline = filing_deadline(proposal.call)
    return deadline is not None and (at or clock.now()) <= deadline


def answer_due(objection: Objection) -> datetime:
    return objection.filed_at + ANSWER_WINDOW


def of_proposal(proposal: Proposal) -> list[Objection]:
    return list(db.session.scalars(select(Objection).where(Objection.proposal_id == proposal.id).order_by(Objection.id)))



def file(proposal: Proposal, actor, grounds: str, ground: str = "",
         files: list[tuple[BinaryIO, str | None]] = ()) -> Objection:
    """File an objection on one admissible ground, with its text and up to three evidence files
    (``files``: (stream, file name) pairs)."""
    call = proposal.call
    grounds = (grounds or "").strip()
    if call.phase != CallPhase.ANNOUNCED:
        raise ObjectionError(_("결과가 발표된 뒤에 이의신청할 수 있습니다."))
    if not can_file(proposal):
        raise ObjectionError(_("이의신청 기간(결과 발표 후 10일)이 지났습니다."))
    if ground not in GROUNDS:
        raise ObjectionError(_("이의신청 사유의 유형을 목록에서 고르십시오."), field="ground")
    if len(grounds) < 10:
        raise ObjectionError(_("이의신청 사유를 10자 이상 구체적으로 입력하십시오."), field="grounds")
    files = [(stream, name) for stream, name in files if stream is not None and name]
    if len(files) > MAX_EVIDENCE:
        raise ObjectionError(_("증빙 파일은 %(n)d개까지 첨부할 수 있습니다.", n=MAX_EVIDENCE), field="evidence")
    if any(o.status == ObjectionStatus.OPEN for o in of_proposal(proposal)):
        raise ObjectionError(_("답변을 기다리는 이의신청이 이미 있습니다."))
    objection = Objection(proposal_id=proposal.id, filed_by_id=actor.id, grounds=grounds, ground=ground,
                          filed_at=clock.now(), status=ObjectionStatus.OPEN)
    db.session.add(objection)
    db.session.flush()
    for stream, name in files:
        _store_evidence(objection, actor, stream, name)
    audit.record(actor, "objection.filed", objection, proposal_id=proposal.id, ground=ground,
                 evidence=[{"filename": e.filename, "sha256": e.sha256, "size": e.size} for e in objection.evidence])
    url = portal_url("officer.objection", objection_id=objection.id)
    for officer in call_officers(call):
        outbox.queue(
            f"objection_filed:{objection.id}:{officer.id}", "objection_filed", officer,
            {"call_title": call.title, "proposal_title": proposal.title, "receipt_no": proposal.receipt_no or "",
             "consortium": proposal.consortium.name, "grounds": grounds,
             "due": clock.to_kst(answer_due(objection)).strftime("%Y-%m-%d"), "url": url},
            in_app=outbox.notice("[%(call)s] %(consortium)s의 이의신청이 접수되었습니다.", call=call.title,
                                 consortium=proposal.consortium.name),
            url=url,
        )
    return objection


def may_answer(objection: Objection) -> bool:
    """An objection is answered once."""
    return objection.status == ObjectionStatus.OPEN


def _snapshot(objection: Objection) -> dict:
    return {"status": objection.status, "decision": objection.decision, "answer": objection.answer,
            "re_evaluation": objection.re_evaluation}


def answer(objection: Objection, actor, text: str, re_evaluation: str = "", decision: str = "") -> Objection:
    """The officer's answer: 인용, 일부인용 or 기각, with the reasons."""
    text = (text or "").strip()
    if not may_answer(objection):
        raise ObjectionError(_("이미 답변한 이의신청입니다."))
    if decision not in DECISIONS:
        raise ObjectionError(_("인용, 일부인용, 기각 중에서 결정을 고르십시오."), field="decision")
    if len(text) < 10:
        raise ObjectionError(_("답변을 10자 이상 구체적으로 입력하십시오."), field="answer")
    before = _snapshot(objection)
    objection.answer = text
    objection.decision = decision
    objection.re_evaluation = (re_evaluation or "").strip()
    objection.answered_at = clock.now()
    objection.answered_by_id = actor.id
    objection.status = ObjectionStatus.ANSWERED
    late = objection.answered_at > answer_due(objection)
    audit.record(actor, "objection.answered", objection, proposal_id=objection.proposal_id, decision=decision,
                 re_evaluation=objection.re_evaluation, late=late,
                 changes=audit.changes(before, _snapshot(objection)))
    proposal = objection.proposal
    url = portal_url("proposals.result", proposal_id=proposal.id)
    recipients = {u.id: u for u in consortium_contacts(proposal.consortium)}
    recipients.setdefault(objection.filed_by.id, objection.filed_by)
    for user in recipients.values():
        outbox.queue(
            f"objection_answered:{objection.id}:{user.id}", "objection_answered", user,
            {"call_title": proposal.call.title, "proposal_title": proposal.title,
             "receipt_no": proposal.receipt_no or "", "answer": text, "re_evaluation": objection.re_evaluation,
             "decision": decision, "url": url},
            in_app=outbox.notice("[%(call)s] 이의신청에 대한 답변이 등록되었습니다.", call=proposal.call.title),
            url=url,
        )
    return objection


@dataclass
class Due:
    objection: Objection
    due: datetime
    overdue: bool
    days_left: int


def due_list(call: Call) -> list[Due]:
    """Open objections of the call, the most urgent first."""
    rows = db.session.scalars(
        select(Objection)
        .join(Proposal, Proposal.id == Objection.proposal_id)
        .where(Proposal.call_id == call.id, Objection.status == ObjectionStatus.OPEN)
        .options(joinedload(Objection.proposal).joinedload(Proposal.consortium).joinedload(Consortium.lead_org))
        .order_by(Objection.filed_at)
    ).unique()
    now = clock.now()
    out = []
    for o in rows:
        due = answer_due(o)
        out.append(Due(o, due, now > due, (due - now).days))
    return out


def all_of_call(call: Call) -> list[Objection]:
    return list(
        db.session.scalars(
            select(Objection)
            .join(Proposal, Proposal.id == Objection.proposal_id)
            .where(Proposal.call_id == call.id)
            .options(joinedload(Objection.proposal).joinedload(Proposal.consortium))
            .order_by(Objection.filed_at)
        ).unique()
    )


# --- evidence files ---------------------------------------------------------------------------

def _store_evidence(objection: Objection, actor, stream: BinaryIO, filename: str | None) -> ObjectionEvidence:
    """Checked by content and kept by sha256 exactly like a proposal's attachments."""
    limit = objection.proposal.call.max_attachment_bytes
    try:
        kept = blobs.keep(stream, filename, limit)
    except attachments.AttachmentError as exc:
        raise ObjectionError(exc.message, field="evidence") from None
    evidence = ObjectionEvidence(filename=kept.filename, size=kept.size, sha256=kept.sha256,
                                 detected_type=kept.detected_type, storage_key=kept.storage_key,
                                 uploaded_by_id=actor.id, uploaded_at=clock.now())
    objection.evidence.append(evidence)
    db.session.flush()
    return evidence


def evidence_key(evidence: ObjectionEvidence) -> str:
    return evidence.storage_key
