"""An officer's tasks over the calls of their agency (an admin's: every call), and finance's.

Each kind of task is one grouped query over all those calls at once: proposals to screen,
objections to answer (the 30-day answer window), challenges to decide, stages whose sheets are
all in (ready to compute) or computed and not yet confirmed, recruitments that ran out of
candidates; for finance, stages with a rate and no closed batch.
"""
from __future__ import annotations

from collections import defaultdict

from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import and_, case, func, select

from app.calls import qa
from app.calls.stages import kind_label
from app.core import clock
from app.extensions import db
from app.models.calls import Call, CallPhase, CallStatus, Programme
from app.models.decisions import EligibilityDecision, Objection, ObjectionStatus
from app.models.honoraria import HonorariumBatch, HonorariumRate
from app.models.panels import InvitationStatus, PanelInvitation, Recruitment
from app.models.proposals import Proposal, ProposalStatus
from app.models.review import ACTIVE_COI, Challenge, ChallengeStatus, ReviewAssignment, ReviewSheet, SheetStatus
from app.models.stages import EvaluationStage
from app.selection.objections import ANSWER_WINDOW
from app.worklist import agreements as agreement_tasks
from app.worklist import projects as project_tasks
from app.worklist import reports as report_tasks
from app.worklist.item import Task

ROLE = "officer"
SCREENING = (CallStatus.CLOSED, CallStatus.IN_REVIEW)


def _calls(user) -> dict[int, Call]:
    query = select(Call).where(Call.phase != CallPhase.DRAFT)
    if not user.has_role("admin"):
        if user.acting_organisation_id is None:
            return {}
        query = query.join(Programme, Programme.id == Call.programme_id).where(
            Programme.agency_id == user.acting_organisation_id)
    return {c.id: c for c in db.session.scalars(query)}


def tasks(user) -> list[Task]:
    calls = _calls(user)
    if not calls:
        return []
    now = clock.now()
    ids = list(calls)
    out: list[Task] = []

    in_screening = [cid for cid, c in calls.items() if c.status(now) in SCREENING]
    if in_screening:
        rows = db.session.execute(
            select(Proposal.call_id, func.count(Proposal.id))
            .outerjoin(EligibilityDecision, EligibilityDecision.proposal_id == Proposal.id)
            .where(Proposal.call_id.in_(in_screening), Proposal.status == ProposalStatus.SUBMITTED,
                   EligibilityDecision.id.is_(None))
            .group_by(Proposal.call_id))
        for cid, n in rows:
            out.append(Task(ROLE, _("적격성 검토할 신청서 %(n)s건 · %(call)s", n=n, call=calls[cid].title),
                            url_for("officer.screening_list", call_id=cid)))

    rows = db.session.execute(
        select(Proposal.call_id, func.count(Objection.id), func.min(Objection.filed_at))
        .join(Proposal, Proposal.id == Objection.proposal_id)
        .where(Proposal.call_id.in_(ids), Objection.status == ObjectionStatus.OPEN)
        .group_by(Proposal.call_id))
    for cid, n, first in rows:
        out.append(Task(ROLE, _("답변할 이의신청 %(n)s건 · %(call)s", n=n, call=calls[cid].title),
                        url_for("officer.objections_list", call_id=cid), first + ANSWER_WINDOW))

    rows = db.session.execute(
        select(Proposal.call_id, func.count(Challenge.id))
        .join(Proposal, Proposal.id == Challenge.proposal_id)
        .where(Proposal.call_id.in_(ids), Challenge.status == ChallengeStatus.PENDING)
        .group_by(Proposal.call_id))
    for cid, n in rows:
        out.append(Task(ROLE, _("처리할 기피 신청 %(n)s건 · %(call)s", n=n, call=calls[cid].title),
                        url_for("officer.challenges", call_id=cid)))

    for cid, (n, _first) in qa.open_counts(ids).items():
        out.append(Task(ROLE, _("답변할 질문 %(n)s건 · %(call)s", n=n, call=calls[cid].title),
                        url_for("officer.qa_list", call_id=cid)))

    out += _stages(calls, [cid for cid, c in calls.items() if c.status(now) == CallStatus.IN_REVIEW])
    out += _short_panels(calls, ids)
    out += report_tasks.officer_tasks(ids, ROLE)
    out += agreement_tasks.officer_tasks(calls, ROLE)
    out += project_tasks.officer_tasks(ids, ROLE)
    return out


def _stages(calls: dict[int, Call], in_review: list[int]) -> list[Task]:
    if not in_review:
        return []
    stages = list(db.session.scalars(
        select(EvaluationStage).where(EvaluationStage.call_id.in_(in_review), EvaluationStage.position > 0,
                                      EvaluationStage.confirmed_at.is_(None))
        .order_by(EvaluationStage.call_id, EvaluationStage.position)))
    counts = {sid: (seats, done) for sid, seats, done in db.session.execute(
        select(ReviewAssignment.stage_id, func.count(ReviewAssignment.id),
               func.count(case((ReviewSheet.status == SheetStatus.SUBMITTED, ReviewSheet.id))))
        .outerjoin(ReviewSheet, ReviewSheet.assignment_id == ReviewAssignment.id)
        .where(ReviewAssignment.call_id.in_(in_review), ReviewAssignment.coi_status.in_(ACTIVE_COI),
               ReviewAssignment.objection_id.is_(None))
        .group_by(ReviewAssignment.stage_id))}
    out, seen = [], set()
    for s in stages:
        if s.call_id in seen:
            continue  # only the running stage of each call: the earliest unconfirmed one
        seen.add(s.call_id)
        call = calls[s.call_id]
        url = url_for("officer.ranking", call_id=s.call_id, stage=s.id)
        if s.computed_at is not None:
            out.append(Task(ROLE, _("%(stage)s 결과 확정 대기 · %(call)s", stage=kind_label(s.kind), call=call.title), url))
        else:
            seats, done = counts.get(s.id, (0, 0))
            if seats and seats == done:
                out.append(Task(ROLE, _("%(stage)s 평가표 모두 제출됨: 결과 산출 · %(call)s",
                                        stage=kind_label(s.kind), call=call.title), url))
    return out


def _short_panels(calls: dict[int, Call], ids: list[int]) -> list[Task]:
    accepted = func.count(case((PanelInvitation.status == InvitationStatus.ACCEPTED, PanelInvitation.id)))
    rows = db.session.execute(
        select(Recruitment.call_id, Recruitment.stage_id, Recruitment.seats, accepted)
        .outerjoin(PanelInvitation, PanelInvitation.recruitment_id == Recruitment.id)
        .where(Recruitment.call_id.in_(ids), Recruitment.closed_reason == "exhausted")
        .group_by(Recruitment.id, Recruitment.call_id, Recruitment.stage_id, Recruitment.seats))
    return [Task(ROLE, _("평가위원 모집 후보 부족 (%(filled)s/%(seats)s명) · %(call)s", filled=n, seats=seats,
                         call=calls[cid].title), url_for("officer.panel", call_id=cid, stage=sid))
            for cid, sid, seats, n in rows if n < seats]


def finance_tasks(user) -> list[Task]:
    query = (select(HonorariumRate.call_id, func.count(HonorariumRate.id))
             .outerjoin(HonorariumBatch, HonorariumBatch.stage_id == HonorariumRate.stage_id)
             .where(HonorariumBatch.id.is_(None)).group_by(HonorariumRate.call_id))
    if not user.has_role("admin"):
        if user.acting_organisation_id is None:
            return []
        query = query.join(Call, Call.id == HonorariumRate.call_id).join(
            Programme, and_(Programme.id == Call.programme_id, Programme.agency_id == user.acting_organisation_id))
    rows = db.session.execute(query).all()
    if not rows:
        return []
    titles = dict(db.session.execute(select(Call.id, Call.title).where(Call.id.in_([r[0] for r in rows]))).all())
    return [Task("finance", _("지급을 마감할 평가수당 %(n)s개 단계 · %(call)s", n=n, call=titles[cid]),
                 url_for("finance.call", call_id=cid)) for cid, n in rows]
