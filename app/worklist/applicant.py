"""An applicant's tasks: drafts not submitted before their call closes, organisations and
colleagues waiting for an answer, a presentation slot to confirm, results and objection windows."""
from __future__ import annotations

from collections import defaultdict

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app import access
from app.core import clock
from app.extensions import db
from app.models.consortia import ConsortiumMember
from app.models.decisions import CallOutcome, Objection
from app.models.presentation import PresentationSchedule, PresentationSlot
from app.models.proposals import Proposal, ProposalStatus
from app.models.organisations import User
from app.selection.objections import FILING_WINDOW
from app.worklist import agreements as agreement_tasks
from app.worklist import projects as project_tasks
from app.worklist import reports as report_tasks
from app.worklist.item import Task

ROLE = "applicant"


def tasks(user) -> list[Task]:
    if user.acting_organisation_id is None:
        return []
    now = clock.now()
    out: list[Task] = []
    consortium_ids = access.consortium_ids_of(user)
    proposals = list(db.session.scalars(
        select(Proposal).where(Proposal.consortium_id.in_(consortium_ids))
        .options(joinedload(Proposal.call)).order_by(Proposal.id))) if consortium_ids else []

    drafts = defaultdict(list)
    for p in proposals:
        if p.status == ProposalStatus.DRAFT and p.call.is_open(now):
            drafts[p.call].append(p)
    for call, items in drafts.items():
        out.append(Task(ROLE, _("제출하지 않은 신청서 %(n)s건 · %(call)s", n=len(items), call=call.title),
                        url_for("proposals.mine"), call.closes_at))

    submitted = {p.id: p for p in proposals if p.status == ProposalStatus.SUBMITTED}
    if submitted:
        out += _results(submitted, now)
        out += _slots(submitted, now)

    waiting = db.session.scalar(select(func.count(ConsortiumMember.id)).where(
        ConsortiumMember.organisation_id == user.acting_organisation_id,
        ConsortiumMember.confirmed_at.is_(None), ConsortiumMember.declined_at.is_(None)))
    if waiting:
        out.append(Task(ROLE, _("답하지 않은 컨소시엄 참여 요청 %(n)s건", n=waiting), url_for("proposals.invitations")))
    if user.organisation_confirmed_at is not None:
        # Only a confirmed member may confirm a colleague (app/accounts/membership.py).
        colleagues = db.session.scalar(select(func.count(User.id)).where(
            User.organisation_id == user.acting_organisation_id, User.organisation_confirmed_at.is_(None),
            User.email_verified_at.is_not(None)))
        if colleagues:
            out.append(Task(ROLE, _("확인을 기다리는 기관 회원 %(n)s명", n=colleagues), url_for("auth.organisation")))
    out += report_tasks.applicant_tasks(user, ROLE)
    out += agreement_tasks.applicant_tasks(user, ROLE)
    out += project_tasks.applicant_tasks(user, ROLE)
    return out


def _results(submitted: dict[int, Proposal], now) -> list[Task]:
    out = []
    call_ids = {p.call_id for p in submitted.values()}
    announced = dict(db.session.execute(
        select(CallOutcome.call_id, CallOutcome.announced_at)
        .where(CallOutcome.call_id.in_(call_ids), CallOutcome.announced_at.is_not(None))).all())
    if not announced:
        return out
    objected = set(db.session.scalars(
        select(Objection.proposal_id).where(Objection.proposal_id.in_(list(submitted)))))
    for p in submitted.values():
        at = announced.get(p.call_id)
        if at is None:
            continue
        url = url_for("proposals.result", proposal_id=p.id)
        closes = at + FILING_WINDOW
        if now <= closes and p.id not in objected:
            out.append(Task(ROLE, _("%(receipt)s 이의신청 기간", receipt=p.receipt_no), url, closes))
        elif now - at <= FILING_WINDOW * 3:
            out.append(Task(ROLE, _("%(receipt)s 선정 결과 발표", receipt=p.receipt_no), url))
    return out


def _slots(submitted: dict[int, Proposal], now) -> list[Task]:
    rows = db.session.execute(
        select(PresentationSlot.proposal_id, PresentationSlot.starts_at)
        .join(PresentationSchedule, PresentationSchedule.id == PresentationSlot.schedule_id)
        .where(PresentationSlot.proposal_id.in_(list(submitted)), PresentationSlot.confirmed_at.is_(None),
               PresentationSchedule.published_at.is_not(None), PresentationSlot.starts_at > now)).all()
    return [Task(ROLE, _("%(receipt)s 발표평가 일정 확인", receipt=submitted[pid].receipt_no),
                 url_for("proposals.presentation_page", proposal_id=pid), starts) for pid, starts in rows]
