"""Objections (이의신청): filed within 10 days of the announcement, answered within 30 days."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models import Call, CallOutcome, Consortium, Objection, Proposal
from app.models.calls import CallPhase
from app.models.decisions import ObjectionStatus
from app import audit
from app.core import clock
from app.core.errors import SelectionError
from app.notifications import outbox
from app.notifications.contacts import call_officers, consortium_contacts
from app.core.links import portal_url

FILING_WINDOW = timedelta(days=10)
ANSWER_WINDOW = timedelta(days=30)


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



def file(proposal: Proposal, actor, grounds: str) -> Objection:
    call = proposal.call
    grounds = (grounds or "").strip()
    if call.phase != CallPhase.ANNOUNCED:
        raise ObjectionError(_("결과가 발표된 뒤에 이의신청할 수 있습니다."))
    if not can_file(proposal):
        raise ObjectionError(_("이의신청 기간(결과 발표 후 10일)이 지났습니다."))
    if len(grounds) < 10:
        raise ObjectionError(_("이의신청 사유를 10자 이상 구체적으로 입력하십시오."))
    if any(o.status == ObjectionStatus.OPEN for o in of_proposal(proposal)):
        raise ObjectionError(_("답변을 기다리는 이의신청이 이미 있습니다."))
    objection = Objection(proposal_id=proposal.id, filed_by_id=actor.id, grounds=grounds,
                          filed_at=clock.now(), status=ObjectionStatus.OPEN)
    db.session.add(objection)
    db.session.flush()
    audit.record(actor, "objection.filed", objection, proposal_id=proposal.id)
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


def answer(objection: Objection, actor, text: str, re_evaluation: str = "") -> Objection:
    text = (text or "").strip()
    if not may_answer(objection):
        raise ObjectionError(_("이미 답변한 이의신청입니다."))
    if len(text) < 10:
        raise ObjectionError(_("답변을 10자 이상 구체적으로 입력하십시오."))
    objection.answer = text
    objection.re_evaluation = (re_evaluation or "").strip()
    objection.answered_at = clock.now()
    objection.answered_by_id = actor.id
    objection.status = ObjectionStatus.ANSWERED
    late = objection.answered_at > answer_due(objection)
    audit.record(actor, "objection.answered", objection, proposal_id=objection.proposal_id,
                 re_evaluation=objection.re_evaluation, late=late)
    proposal = objection.proposal
    url = portal_url("proposals.result", proposal_id=proposal.id)
    recipients = {u.id: u for u in consortium_contacts(proposal.consortium)}
    recipients.setdefault(objection.filed_by.id, objection.filed_by)
    for user in recipients.values():
        outbox.queue(
            f"objection_answered:{objection.id}:{user.id}", "objection_answered", user,
            {"call_title": proposal.call.title, "proposal_title": proposal.title,
             "receipt_no": proposal.receipt_no or "", "answer": text, "re_evaluation": objection.re_evaluation,
             "url": url},
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
