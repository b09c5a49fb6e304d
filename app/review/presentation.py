"""발표평가 as an event: the schedule of a presentation stage, its slots, and their publication.

The officer sets the schedule (date and start, room and/or video link, slot length, break,
presenter rule, slides cut-off, no-show rule, the chair); slots are then generated for the
stage's proposals (``stage_scope.proposal_ids_in``: those the stage before shortlisted) in
receipt-number order. Until publication the slots are the officers' draft and generating
again replaces them. Publishing mails every contact of each consortium and each panel
reviewer of the stage, with the slot as a calendar event (ICS); after that, a change to the
times or the place moves the slots in place and tells everyone concerned again (변경 안내),
with the same calendar event at a higher sequence, and asks the consortium to confirm anew.

What happens on the day (confirmation, slides, attendance, the chair's 종합의견) is in
``presentation_day``.
"""
from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from flask_babel import gettext as _
from sqlalchemy import select

from app import audit
from app.core import clock
from app.core.errors import ReviewError
from app.core.links import portal_url
from app.extensions import db
from app.models import Proposal, ReviewAssignment, User
from app.models.presentation import NoShowRule, PresentationSchedule, PresentationSlot
from app.models.review import ACTIVE_COI
from app.models.calls import CallPhase
from app.models.stages import EvaluationStage, StageKind
from app.notifications import outbox
from app.notifications.contacts import consortium_contacts
from app.review import stage_scope
from app.review.reviewers import kst_text

SLOT_MINUTES = (5, 240)
BREAK_MINUTES = (0, 120)
# What the schedule says to the people it is mailed to; a change to any of these after publication is news.
NEWS_FIELDS = ("starts_at", "room", "video_url", "slot_minutes", "break_minutes")
FIELDS = (*NEWS_FIELDS, "presenter_rule", "slides_due_at", "no_show_rule", "chair_id")


class PresentationError(ReviewError):
    """A refused step of a 발표평가; ``problems`` lists (field, message) when several fields are at fault."""

    def __init__(self, message="", field: str = "", problems: list[tuple[str, str]] | None = None):
        super().__init__(message, field)
        self.problems = problems or ([(field, message)] if field else [])


# --- reading ------------------------------------------------------------------------------

def presentation_stages(call) -> list[EvaluationStage]:
    return [s for s in stage_scope.evaluation_stages(call) if s.kind == StageKind.PRESENTATION]


def schedule_of(stage: EvaluationStage) -> PresentationSchedule | None:
    return db.session.scalar(select(PresentationSchedule).where(PresentationSchedule.stage_id == stage.id))


def panel_of(stage: EvaluationStage) -> list[User]:
    """The reviewers seated (and still seated) in the stage, by name."""
    return list(db.session.scalars(
        select(User).join(ReviewAssignment, ReviewAssignment.reviewer_id == User.id)
        .where(ReviewAssignment.stage_id == stage.id, ReviewAssignment.coi_status.in_(ACTIVE_COI))
        .distinct().order_by(User.name, User.id)))


def published_slots_of(proposal: Proposal) -> list[PresentationSlot]:
    """The proposal's slots that its consortium may see: those of published schedules."""
    return list(db.session.scalars(
        select(PresentationSlot).join(PresentationSchedule)
        .where(PresentationSlot.proposal_id == proposal.id, PresentationSchedule.published_at.is_not(None))
        .order_by(PresentationSlot.id)))


def schedules_of_reviewer(user: User) -> list[PresentationSchedule]:
    """Published schedules of the stages in which ``user`` has a seat."""
    stage_ids = select(ReviewAssignment.stage_id).where(ReviewAssignment.reviewer_id == user.id,
                                                        ReviewAssignment.coi_status.in_(ACTIVE_COI))
    return list(db.session.scalars(
        select(PresentationSchedule).where(PresentationSchedule.stage_id.in_(stage_ids),
                                           PresentationSchedule.published_at.is_not(None))
        .order_by(PresentationSchedule.starts_at)))


def place_text(schedule: PresentationSchedule) -> str:
    return " / ".join(p for p in (schedule.room, schedule.video_url) if p)


# --- the schedule ---------------------------------------------------------------------------

def _snapshot(schedule: PresentationSchedule | None) -> dict:
    return {f: getattr(schedule, f) for f in FIELDS} if schedule else {}


def _ensure_open(stage: EvaluationStage) -> None:
    if stage.kind != StageKind.PRESENTATION:
        raise PresentationError(_("발표평가 단계가 아닙니다."))
    if stage.confirmed_at is not None or stage.call.phase in (CallPhase.DECIDED, CallPhase.ANNOUNCED):
        raise PresentationError(_("결과가 확정된 단계는 바꿀 수 없습니다."))


def _problems(stage: EvaluationStage, data: dict) -> list[tuple[str, str]]:
    out = []
    starts, due = data.get("starts_at"), data.get("slides_due_at")
    if starts is None:
        out.append(("starts_at", _("발표평가 시작 일시를 입력하십시오.")))
    if not (data.get("room") or "").strip() and not (data.get("video_url") or "").strip():
        out.append(("room", _("발표 장소나 화상회의 링크 가운데 하나는 입력하십시오.")))
    url = (data.get("video_url") or "").strip()
    if url and (urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc):
        out.append(("video_url", _("화상회의 링크는 http:// 또는 https://로 시작하는 주소여야 합니다.")))
    for name, (low, high) in (("slot_minutes", SLOT_MINUTES), ("break_minutes", BREAK_MINUTES)):
        value = data.get(name)
        if value is None or not low <= value <= high:
            out.append((name, _("%(low)d분에서 %(high)d분 사이로 입력하십시오.", low=low, high=high)))
    if due is None:
        out.append(("slides_due_at", _("발표자료 제출 마감 일시를 입력하십시오.")))
    elif starts is not None and due > starts:
        out.append(("slides_due_at", _("발표자료 제출 마감은 발표평가 시작 전이어야 합니다.")))
    if data.get("no_show_rule") not in set(NoShowRule):
        out.append(("no_show_rule", _("불참 시 처리 기준을 목록에서 고르십시오.")))
    chair = data.get("chair_id")
    if chair is not None and chair not in {u.id for u in panel_of(stage)}:
        out.append(("chair_id", _("위원장은 이 단계에 배정된 평가위원 가운데에서 고르십시오.")))
    if len(data.get("presenter_rule") or "") > 1000:
        out.append(("presenter_rule", _("발표자 기준은 1000자 이내로 입력하십시오.")))
    return out


def configure(stage: EvaluationStage, actor: User, data: dict) -> PresentationSchedule:
    """Save the schedule; before publication the slots follow it, after it a change is a rescheduling."""
    _ensure_open(stage)
    problems = _problems(stage, data)
    if problems:
        raise PresentationError(_("발표평가 일정을 저장하지 못했습니다. 표시된 항목을 확인하십시오."), problems=problems)
    schedule = schedule_of(stage)
    before = _snapshot(schedule)
    if schedule is None:
        schedule = PresentationSchedule(stage_id=stage.id)
        db.session.add(schedule)
    for name in FIELDS:
        value = data.get(name)
        setattr(schedule, name, value.strip() if isinstance(value, str) else value)
    db.session.flush()
    after = _snapshot(schedule)
    changes = audit.changes(before, after)
    if not changes:
        return schedule
    audit.record(actor, "presentation.schedule_saved", schedule, call=stage.call_id, stage_id=stage.id,
                 changes=changes)
    if schedule.slots and any(name in changes for name in NEWS_FIELDS):
        if schedule.published_at is None:
            _place(schedule, _ordered_proposals(stage))
        else:
            _reschedule(schedule, actor)
    return schedule


def _ordered_proposals(stage: EvaluationStage) -> list[Proposal]:
    ids = stage_scope.proposal_ids_in(stage)
    if not ids:
        return []
    # Receipt numbers are issued in order of first submission (<call code>-0001 …): the order of the day.
    return list(db.session.scalars(select(Proposal).where(Proposal.id.in_(ids))
                                   .order_by(Proposal.receipt_no, Proposal.id)))


def times(schedule: PresentationSchedule, count: int) -> list[tuple]:
    """(start, end) of ``count`` slots one after another, each followed by the break."""
    step = timedelta(minutes=schedule.slot_minutes + schedule.break_minutes)
    length = timedelta(minutes=schedule.slot_minutes)
    return [(schedule.starts_at + i * step, schedule.starts_at + i * step + length) for i in range(count)]


def _place(schedule: PresentationSchedule, proposals: list[Proposal]) -> None:
    schedule.slots.clear()
    db.session.flush()  # the old rows go before the new ones take their (schedule, proposal) places
    for i, (proposal, (start, end)) in enumerate(zip(proposals, times(schedule, len(proposals)))):
        schedule.slots.append(PresentationSlot(proposal_id=proposal.id, position=i, starts_at=start, ends_at=end))
    db.session.flush()


def generate(stage: EvaluationStage, actor: User) -> PresentationSchedule:
    """Slots for the stage's proposals in receipt-number order; after publication, a rescheduling."""
    _ensure_open(stage)
    schedule = schedule_of(stage)
    if schedule is None:
        raise PresentationError(_("먼저 발표평가 일정을 저장하십시오."))
    if schedule.published_at is not None:
        _reschedule(schedule, actor)
        return schedule
    proposals = _ordered_proposals(stage)
    if not proposals:
        raise PresentationError(_("발표평가 대상 신청서가 없습니다. 이전 평가 단계의 결과가 확정되면 대상이 정해집니다."))
    _place(schedule, proposals)
    audit.record(actor, "presentation.slots_generated", schedule, call=stage.call_id, stage_id=stage.id,
                 slots=[[s.proposal_id, s.starts_at.isoformat(), s.ends_at.isoformat()] for s in schedule.slots])
    return schedule


def publish(stage: EvaluationStage, actor: User) -> PresentationSchedule:
    _ensure_open(stage)
    schedule = schedule_of(stage)
    if schedule is None or not schedule.slots:
        raise PresentationError(_("발표 순서를 먼저 만드십시오."))
    if schedule.published_at is not None:
        raise PresentationError(_("이미 공개된 일정입니다."))
    schedule.published_at = clock.now()
    audit.record(actor, "presentation.published", schedule, call=stage.call_id, stage_id=stage.id,
                 slots=len(schedule.slots))
    _tell(schedule, list(schedule.slots), changed=False)
    return schedule


def _reschedule(schedule: PresentationSchedule, actor: User) -> None:
    """Move the published slots to the schedule's times; everyone whose slot changed hears of it."""
    moved = []
    for slot, (start, end) in zip(schedule.slots, times(schedule, len(schedule.slots))):
        before = {"starts_at": slot.starts_at, "ends_at": slot.ends_at}
        slot.starts_at, slot.ends_at = start, end
        slot.sequence += 1  # the place may have changed even when the time did not
        if slot.confirmed_at is not None:
            slot.confirmed_at, slot.confirmed_by_id = None, None  # agreed to another time or place
        moved.append(slot)
        audit.record(actor, "presentation.slot_rescheduled", slot, call=schedule.stage.call_id,
                     proposal_id=slot.proposal_id,
                     changes=audit.changes(before, {"starts_at": start, "ends_at": end}))
    db.session.flush()
    _tell(schedule, moved, changed=True)


# --- telling people -------------------------------------------------------------------------

def _event(slot: PresentationSlot, stamp: str) -> dict:
    schedule, proposal = slot.schedule, slot.proposal
    call = proposal.call
    return {
        "uid": f"presentation-{slot.id}@gongmo", "sequence": slot.sequence, "stamp": stamp,
        "start": slot.starts_at.isoformat(), "end": slot.ends_at.isoformat(),
        "summary": f"[{call.title}] 발표평가 {proposal.receipt_no or ''} {proposal.title}".strip(),
        "location": place_text(schedule), "description": schedule.presenter_rule,
        "url": schedule.video_url,
    }


def _line(slot: PresentationSlot) -> dict:
    return {"receipt_no": slot.proposal.receipt_no or "", "title": slot.proposal.title,
            "starts_at": kst_text(slot.starts_at), "ends_at": clock.to_kst(slot.ends_at).strftime("%H:%M")}


def _tell(schedule: PresentationSchedule, slots: list[PresentationSlot], *, changed: bool) -> None:
    stage = schedule.stage
    call = stage.call
    stamp = clock.now().replace(microsecond=0).isoformat()
    common = {"call_title": call.title, "place": place_text(schedule), "room": schedule.room,
              "video_url": schedule.video_url, "presenter_rule": schedule.presenter_rule,
              "slides_due_at": kst_text(schedule.slides_due_at), "changed": changed}
    for slot in slots:
        url = portal_url("proposals.presentation_page", proposal_id=slot.proposal_id)
        for user in consortium_contacts(slot.proposal.consortium):
            when = kst_text(slot.starts_at)
            text = (outbox.notice("[%(call)s] 발표평가 일정이 변경되었습니다: %(when)s", call=call.title, when=when)
                    if changed else outbox.notice("[%(call)s] 발표평가 일정이 공개되었습니다: %(when)s",
                                                  call=call.title, when=when))
            outbox.queue(f"presentation:{slot.id}:{slot.sequence}:{user.id}", "presentation_schedule", user,
                         {**common, "name": user.name, "slots": [_line(slot)], "url": url,
                          "confirm": True, "ics": {"events": [_event(slot, stamp)]}},
                         in_app=text, url=portal_url("proposals.presentation_page", proposal_id=slot.proposal_id,
                                                     external=False))
    # Each reviewer of the stage: the slots of the proposals they sit on, in one mail and one calendar.
    seats = db.session.execute(
        select(ReviewAssignment.reviewer_id, ReviewAssignment.proposal_id)
        .where(ReviewAssignment.stage_id == stage.id, ReviewAssignment.coi_status.in_(ACTIVE_COI))).all()
    by_reviewer: dict[int, set[int]] = {}
    for reviewer_id, proposal_id in seats:
        by_reviewer.setdefault(reviewer_id, set()).add(proposal_id)
    url = portal_url("review.presentations")
    for reviewer_id, proposal_ids in sorted(by_reviewer.items()):
        theirs = [s for s in slots if s.proposal_id in proposal_ids]
        if not theirs:
            continue
        user = db.session.get(User, reviewer_id)
        version = "-".join(str(s.sequence) for s in theirs)
        text = (outbox.notice("[%(call)s] 발표평가 일정이 변경되었습니다: %(when)s", call=call.title,
                              when=kst_text(theirs[0].starts_at))
                if changed else outbox.notice("[%(call)s] 발표평가 일정이 공개되었습니다: %(when)s", call=call.title,
                                              when=kst_text(theirs[0].starts_at)))
        outbox.queue(f"presentation-panel:{schedule.id}:{stamp}:{version}:{user.id}", "presentation_schedule", user,
                     {**common, "name": user.name, "slots": [_line(s) for s in theirs], "url": url,
                      "confirm": False, "ics": {"events": [_event(s, stamp) for s in theirs]}},
                     in_app=text, url=portal_url("review.presentations", external=False))
