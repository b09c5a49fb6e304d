"""Around each published slot of a 발표평가: confirmation, slides, attendance, the chair's 종합의견.

The consortium's lead confirms its slot and uploads its slides until the schedule's cut-off
(checked by content and kept by sha256 like a proposal's attachments: ``app.proposals.blobs``,
called by the view, since the review never imports the proposals' services). The officer records who
came. ``no_shows`` tells the stage's results who is out under the ``exclude`` rule. The chair
(위원장) of the stage writes one consensus opinion per proposal, for a proposal on which they
pledged no conflict; ``opinions_of`` gives those opinions to the result pages.
"""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from app import audit
from app.core import clock
from app.extensions import db
from app.models import Proposal, ReviewAssignment, User
from app.models.presentation import Attendance, NoShowRule, PresentationSchedule, PresentationSlot
from app.models.review import CoiStatus
from app.models.stages import EvaluationStage
from app.review.presentation import PresentationError, schedule_of
from app.review.reviewers import kst_text

OPINION_MAX = 4000


def _ensure_live(slot: PresentationSlot) -> None:
    if slot.schedule.published_at is None:
        raise PresentationError(_("아직 공개되지 않은 발표 일정입니다."))
    if slot.schedule.stage.confirmed_at is not None:
        raise PresentationError(_("결과가 확정된 단계는 바꿀 수 없습니다."))


def confirm(slot: PresentationSlot, actor: User) -> PresentationSlot:
    """The consortium says it will present at this time and place."""
    _ensure_live(slot)
    if slot.confirmed_at is not None:
        raise PresentationError(_("이미 확인한 발표 일정입니다."))
    slot.confirmed_at, slot.confirmed_by_id = clock.now(), actor.id
    audit.record(actor, "presentation.slot_confirmed", slot, call=slot.proposal.call_id, proposal_id=slot.proposal_id,
                 starts_at=slot.starts_at.isoformat())
    return slot


def ensure_slides_open(slot: PresentationSlot) -> None:
    """Slides are taken until the schedule's cut-off, and not a second after."""
    _ensure_live(slot)
    due = slot.schedule.slides_due_at
    if clock.now() > due:
        raise PresentationError(_("발표자료 제출 마감(%(due)s)이 지나 올릴 수 없습니다.", due=kst_text(due)),
                                field="slides")


def store_slides(slot: PresentationSlot, actor: User, stored) -> PresentationSlot:
    """Record slides already kept by content (``app.proposals.blobs.keep``); a later upload replaces them."""
    ensure_slides_open(slot)
    before = {"slides_filename": slot.slides_filename, "slides_sha256": slot.slides_sha256}
    slot.slides_filename, slot.slides_size, slot.slides_sha256 = stored.filename, stored.size, stored.sha256
    slot.slides_type, slot.slides_storage_key = stored.detected_type, stored.storage_key
    slot.slides_uploaded_at, slot.slides_uploaded_by_id = clock.now(), actor.id
    audit.record(actor, "presentation.slides_uploaded", slot, call=slot.proposal.call_id, proposal_id=slot.proposal_id,
                 size=stored.size, type=stored.detected_type,
                 changes=audit.changes(before, {"slides_filename": stored.filename, "slides_sha256": stored.sha256}))
    return slot


def slides_key(slot: PresentationSlot) -> str | None:
    return slot.slides_storage_key or None


def record_attendance(slot: PresentationSlot, actor: User, value: str) -> PresentationSlot:
    _ensure_live(slot)
    if value not in set(Attendance):
        raise PresentationError(_("참석 여부를 목록에서 고르십시오."), field="attendance")
    if value == slot.attendance:
        return slot
    before = {"attendance": slot.attendance}
    slot.attendance, slot.attendance_at, slot.attendance_by_id = value, clock.now(), actor.id
    audit.record(actor, "presentation.attendance", slot, call=slot.proposal.call_id, proposal_id=slot.proposal_id,
                 changes=audit.changes(before, {"attendance": value}))
    return slot


def no_shows(stage: EvaluationStage) -> dict[int, str]:
    """Proposals out of the stage for not presenting: {proposal id: reason}.

    Only under the ``exclude`` rule (the proposal is not evaluated in the stage and fails it);
    under ``evaluate_documents`` an absent consortium is scored on its documents, so nobody is
    listed. Attendance is whatever the officer recorded: a slot still ``pending`` is no no-show.
    """
    schedule = schedule_of(stage)
    if schedule is None or schedule.published_at is None or schedule.no_show_rule != NoShowRule.EXCLUDE:
        return {}
    return {slot.proposal_id: _("발표평가 불참 (%(when)s 발표 일정): 불참 시 평가하지 않는 기준에 따라 제외",
                                when=kst_text(slot.starts_at))
            for slot in schedule.slots if slot.attendance == Attendance.ABSENT}


def chair_seat(slot: PresentationSlot, user: User) -> ReviewAssignment | None:
    return db.session.scalar(select(ReviewAssignment).where(
        ReviewAssignment.stage_id == slot.schedule.stage_id, ReviewAssignment.proposal_id == slot.proposal_id,
        ReviewAssignment.reviewer_id == user.id))


def may_write_opinion(slot: PresentationSlot, user: User) -> bool:
    """The chair, on a proposal they sit on having pledged no conflict."""
    seat = chair_seat(slot, user)
    return (slot.schedule.chair_id == user.id and seat is not None and seat.coi_status == CoiStatus.DECLARED)


def record_opinion(slot: PresentationSlot, actor: User, text: str) -> PresentationSlot:
    _ensure_live(slot)
    if slot.schedule.chair_id != actor.id:
        raise PresentationError(_("위원장만 종합의견을 작성할 수 있습니다."), field="opinion")
    if not may_write_opinion(slot, actor):
        raise PresentationError(_("이해충돌이 없다고 서약하고 평가하는 신청서에만 종합의견을 작성할 수 있습니다."),
                                field="opinion")
    text = (text or "").strip()
    if not text:
        raise PresentationError(_("종합의견을 입력하십시오."), field="opinion")
    if len(text) > OPINION_MAX:
        raise PresentationError(_("종합의견은 %(n)d자 이내로 입력하십시오.", n=OPINION_MAX), field="opinion")
    if text == slot.opinion:
        return slot
    before = {"opinion": slot.opinion}
    slot.opinion, slot.opinion_at, slot.opinion_by_id = text, clock.now(), actor.id
    audit.record(actor, "presentation.opinion", slot, call=slot.proposal.call_id, proposal_id=slot.proposal_id,
                 changes=audit.changes(before, {"opinion": text}))
    return slot


def opinions_of(proposal: Proposal) -> list[PresentationSlot]:
    """The chair's 종합의견 on the proposal, one per presentation stage that has one, in stage order."""
    return list(db.session.scalars(
        select(PresentationSlot).join(PresentationSchedule)
        .where(PresentationSlot.proposal_id == proposal.id, PresentationSlot.opinion != "",
               PresentationSchedule.published_at.is_not(None))
        .join(EvaluationStage, EvaluationStage.id == PresentationSchedule.stage_id)
        .order_by(EvaluationStage.position)))
