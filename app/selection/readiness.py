"""Whether a call's results may be computed: every sheet in, or left out with a reason.

A live assignment (pending or declared, not recused or removed) of an eligible proposal
either has a submitted sheet, which counts, or is *missing*. Results are computed only
when no sheet is missing: the officer waits for it, or leaves it out (``leave_out``) with
a reason that is audited and shown on the result. A left-out sheet never counts, even if
it is submitted afterwards. A panel whose counted sheets are fewer than the call's
``reviewers_per_proposal`` is *short*: computing then needs the officer's acknowledgement.

All of it is per evaluation stage (the call's current one unless a stage is given): a
stage's results compute when its own sheets are in, on the proposals in that stage.

``check`` reads all of it in one pass; its ``digest`` fingerprints what a computation reads
(the eligible proposals, each sheet's state): the results are stale once it no longer
matches the digest stored when they were computed, and the selection is not decided then.
"""
from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from flask_babel import lazy_gettext as _l
from sqlalchemy import DateTime, select, type_coerce
from sqlalchemy.orm import joinedload

from app import audit
from app.core.errors import SelectionError
from app.extensions import db
from app.models import Call, CallOutcome, LeftOutSheet, Proposal, ReviewAssignment, ReviewSheet, User
from app.models.calls import CallPhase
from app.models.review import ACTIVE_COI, CoiStatus, SheetStatus
from app.models.stages import EvaluationStage
from app.review import presentation_day, stage_scope
from app.selection import screening


class ReadinessError(SelectionError):
    pass


SHEET_STATUS_LABELS = {
    "pending": _l("서약 전"),
    "not_started": _l("작성 전"),
    "draft": _l("작성 중 (미제출)"),
}


@dataclass(frozen=True, slots=True)
class MissingSheet:
    """A live assignment whose sheet is not submitted and not left out."""

    assignment_id: int
    proposal_id: int
    receipt_no: str
    title: str
    reviewer: str
    status: str  # a key of SHEET_STATUS_LABELS

    @property
    def status_label(self) -> str:
        return str(SHEET_STATUS_LABELS[self.status])


@dataclass(frozen=True, slots=True)
class ShortPanel:
    proposal_id: int
    receipt_no: str
    title: str
    counted: int
    size: int


def panel_size(call: Call, stage: EvaluationStage | None = None) -> int:
    return stage_scope.panel_size(stage or stage_scope.current_stage(call))


def stage_proposal_ids(call: Call, stage: EvaluationStage | None = None) -> list[int]:
    """The proposals a stage's results are computed for: the eligible ones in the first stage,
    the shortlisted ones after; never one left out for not presenting (``presentation_day.no_shows``)."""
    stage = stage or stage_scope.current_stage(call)
    if stage_scope.is_first(stage):
        ids = screening.eligible_ids(call)
    else:
        ids = stage_scope.proposal_ids_in(stage)
    # A consortium that did not present, where the rule says so, is not evaluated in the stage.
    absent = presentation_day.no_shows(stage)
    return [i for i in ids if i not in absent]


class _Seat(NamedTuple):
    """What a computation reads of one assignment: plain columns, no ORM objects (a thousand
    proposals have five thousand seats, and the ranking and dashboard pages read them all)."""

    id: int
    proposal_id: int
    reviewer_id: int
    coi_status: str
    sheet_status: str | None
    submitted_at: datetime | None  # naive UTC


def _seats(call: Call, proposal_ids: list[int], stage: EvaluationStage) -> list[_Seat]:
    if not proposal_ids:
        return []
    wanted = set(proposal_ids)
    # Core rows on the session's connection: the ORM's per-row handling is no use for plain columns.
    rows = db.session.connection().execute(
        select(ReviewAssignment.id, ReviewAssignment.proposal_id, ReviewAssignment.reviewer_id,
               ReviewAssignment.coi_status, ReviewSheet.status,
               # Naive UTC as stored: five thousand aware datetimes built only to be printed cost more.
               type_coerce(ReviewSheet.submitted_at, DateTime()))
        .outerjoin(ReviewSheet, ReviewSheet.assignment_id == ReviewAssignment.id)
        .where(ReviewAssignment.call_id == call.id, ReviewAssignment.stage_id == stage.id,
               # A re-evaluation after an objection is no part of the computation it objects to.
               ReviewAssignment.objection_id.is_(None))
        .order_by(ReviewAssignment.proposal_id, ReviewAssignment.reviewer_id)).all()
    return [_Seat._make(row) for row in rows if row[1] in wanted]


def _left_out_ids(call: Call) -> set[int]:
    return set(db.session.scalars(select(LeftOutSheet.assignment_id).where(LeftOutSheet.call_id == call.id)))


def _state(a: _Seat, left_out: set[int]) -> str:
    """One assignment's part in a computation: counted, left out, excluded or missing."""
    if a.id in left_out:
        return "left_out"
    if a.coi_status not in ACTIVE_COI:
        return "excluded"
    if a.coi_status == CoiStatus.DECLARED and a.sheet_status == SheetStatus.SUBMITTED:
        return "counted"
    return "missing"


@dataclass(frozen=True)
class Readiness:
    """Where a call stands for computing, read in one pass: what is missing, what is short."""

    missing: list[MissingSheet]
    short: list[ShortPanel]
    digest: str

    @property
    def ready(self) -> bool:
        return not self.missing


def check(call: Call, counts: Mapping[int, int] | None = None, stage: EvaluationStage | None = None) -> Readiness:
    """The stage's missing sheets, short panels and inputs digest (the current stage by default).

    ``counts`` (sheets per proposal id) is what the computation will count, when it is given
    its sheets; otherwise the counted sheets of the database.
    """
    stage = stage or stage_scope.current_stage(call)
    ids = stage_proposal_ids(call, stage)
    left_out = _left_out_ids(call)
    missing, counted, parts = [], {}, [",".join(map(str, ids))]
    active, declared, submitted = set(ACTIVE_COI), CoiStatus.DECLARED, SheetStatus.SUBMITTED
    # _state inlined: five thousand seats per page view.
    for a in _seats(call, ids, stage):
        if a.id in left_out:
            parts.append(f"{a.id}:left_out")
        elif a.coi_status not in active:
            parts.append(f"{a.id}:excluded")
        elif a.coi_status == declared and a.sheet_status == submitted:
            counted[a.proposal_id] = counted.get(a.proposal_id, 0) + 1
            # As the aware UTC time prints: the digests stored before read the same.
            parts.append(f"{a.id}:counted@{a.submitted_at.isoformat() + '+00:00' if a.submitted_at else ''}")
        else:
            status = ("pending" if a.coi_status == CoiStatus.PENDING
                      else "draft" if a.sheet_status is not None else "not_started")
            missing.append((a, status))
            parts.append(f"{a.id}:missing")
    digest = hashlib.sha256("|".join(parts).encode()).hexdigest()
    return Readiness(_named(missing), _short_panels(ids, counted if counts is None else counts,
                                                    panel_size(call, stage)), digest)


def _named(missing: list[tuple[_Seat, str]]) -> list[MissingSheet]:
    """The missing seats with their proposal and reviewer, read for those seats only."""
    if not missing:
        return []
    names = {aid: (receipt_no, title, name) for aid, receipt_no, title, name in db.session.execute(
        select(ReviewAssignment.id, Proposal.receipt_no, Proposal.title, User.name)
        .join(Proposal, Proposal.id == ReviewAssignment.proposal_id)
        .join(User, User.id == ReviewAssignment.reviewer_id)
        .where(ReviewAssignment.id.in_([a.id for a, _status in missing])))}
    return [MissingSheet(a.id, a.proposal_id, names[a.id][0] or "", names[a.id][1], names[a.id][2], status)
            for a, status in missing]


def missing_sheets(call: Call, stage: EvaluationStage | None = None) -> list[MissingSheet]:
    return check(call, stage=stage).missing


def left_out_sheets(call: Call, proposal: Proposal | None = None) -> list[LeftOutSheet]:
    query = select(LeftOutSheet).where(LeftOutSheet.call_id == call.id)
    if proposal is not None:
        query = query.join(ReviewAssignment).where(ReviewAssignment.proposal_id == proposal.id)
    return list(db.session.scalars(
        query.options(joinedload(LeftOutSheet.assignment).joinedload(ReviewAssignment.reviewer),
                      joinedload(LeftOutSheet.assignment).joinedload(ReviewAssignment.proposal),
                      joinedload(LeftOutSheet.officer))
        .order_by(LeftOutSheet.id)
    ).unique())


def left_out_of(proposal: Proposal) -> list[LeftOutSheet]:
    """The sheets of one proposal left out, for its result detail."""
    return left_out_sheets(proposal.call, proposal)


def left_out_keys(call: Call, stage: EvaluationStage | None = None) -> set[tuple[int, str]]:
    """(proposal id, reviewer pseudonym) of each left-out sheet of the stage, as the engine's input names them."""
    stage = stage or stage_scope.current_stage(call)
    rows = db.session.execute(
        select(ReviewAssignment.proposal_id, ReviewAssignment.reviewer_id)
        .join(LeftOutSheet, LeftOutSheet.assignment_id == ReviewAssignment.id)
        .where(LeftOutSheet.call_id == call.id, ReviewAssignment.stage_id == stage.id))
    return {(proposal_id, f"R{reviewer_id}") for proposal_id, reviewer_id in rows}


def counted_reviewer_ids(call: Call, proposal: Proposal | None = None,
                         stage: EvaluationStage | None = None) -> set[int]:
    """The reviewers whose submitted sheets count in the stage, for one proposal or for any of the call."""
    stage = stage or stage_scope.current_stage(call)
    left_out = _left_out_ids(call)
    ids = [proposal.id] if proposal is not None else stage_proposal_ids(call, stage)
    return {a.reviewer_id for a in _seats(call, ids, stage) if _state(a, left_out) == "counted"}


def _short_panels(ids: list[int], counts: Mapping[int, int], size: int) -> list[ShortPanel]:
    short = [i for i in ids if counts.get(i, 0) < size]
    if not short:
        return []
    proposals = db.session.execute(
        select(Proposal.id, Proposal.receipt_no, Proposal.title).where(Proposal.id.in_(short)).order_by(Proposal.id))
    return [ShortPanel(pid, receipt_no or "", title, counts.get(pid, 0), size) for pid, receipt_no, title in proposals]


def leave_out(call: Call, assignment: ReviewAssignment, officer, reason: str) -> LeftOutSheet:
    """Leave one missing sheet out of the results, with the officer's reason (audited)."""
    reason = (reason or "").strip()
    # The call's row lock, taken by every sheet write too: a sheet handed in, or the same sheet
    # left out by another officer, a moment ago is seen below, not run into.
    db.session.execute(select(Call).where(Call.id == call.id).with_for_update()
                       .execution_options(populate_existing=True)).scalar_one()
    if call.phase != CallPhase.IN_REVIEW:
        raise ReadinessError(_l("평가 중인 공모에서만 평가표를 제외할 수 있습니다."))
    if assignment.call_id != call.id:
        raise ReadinessError(_l("이 공모의 평가 배정이 아닙니다."))
    if len(reason) < 5:
        raise ReadinessError(_l("제외 사유를 5자 이상 구체적으로 입력하십시오."), field="reason")
    missing = {m.assignment_id: m for m in missing_sheets(call)}
    if assignment.id not in missing:
        raise ReadinessError(_l("제출되지 않은 평가표만 제외할 수 있습니다."))
    row = LeftOutSheet(call_id=call.id, assignment_id=assignment.id, reason=reason, officer_id=officer.id)
    db.session.add(row)
    db.session.flush()
    audit.record(officer, "results.sheet_left_out", row, call_id=call.id, assignment_id=assignment.id,
                 proposal_id=assignment.proposal_id, reviewer_id=assignment.reviewer_id,
                 sheet_status=missing[assignment.id].status, reason=reason)
    return row


def is_stale(call: Call, ready: Readiness | None = None, stage: EvaluationStage | None = None) -> bool:
    """Whether sheets, exclusions or eligibility changed since the stage's results were computed.

    The last stage's digest is the call's (``CallOutcome``): its results make the ranking.
    """
    stage = stage or stage_scope.current_stage(call)
    if stage_scope.is_last(stage):
        stored = db.session.scalar(select(CallOutcome.inputs_digest).where(CallOutcome.call_id == call.id))
    else:
        stored = stage.inputs_digest
    return stored != (ready or check(call, stage=stage)).digest
