"""A 심의위원회 meeting, as the officer runs it in the room: schedule, open, attendance, votes, close.

One meeting at a time; opening fixes who the members are (one attendance row each). Votes are
refused without a quorum (more than half of the members present), from an absent member, and
from a member with a conflict on the proposal. Closing needs every vote of every present member
who may vote; it counts the resolutions and writes the minutes (``committee_minutes``).
"""
from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, select

from app import audit
from app.core import clock
from app.extensions import db
from app.models import Call, Result
from app.models.calls import CallPhase
from app.models.committee import CommitteeAttendance, CommitteeMeeting, CommitteeResolution, CommitteeVote, VoteChoice
from app.selection import committee_minutes, readiness
from app.selection.committee import (
    CommitteeError, Quorum, conflict_of, current_meeting, members, present_members, proposed_selection,
    lock, quorum, tally,
)


def _ensure_in_review(call: Call) -> None:
    if call.phase != CallPhase.IN_REVIEW:
        raise CommitteeError(_("평가 중인 공모에서만 심의위원회 회의를 할 수 있습니다."))


def schedule(call: Call, actor, scheduled_at: datetime | None, place: str) -> CommitteeMeeting:
    """Schedule the next meeting, or change the time and place of one not opened yet."""
    lock(call)
    _ensure_in_review(call)
    place = (place or "").strip()
    if scheduled_at is None:
        raise CommitteeError(_("회의 일시를 입력하십시오."), field="scheduled_at")
    if not place:
        raise CommitteeError(_("회의 장소를 입력하십시오."), field="place")
    meeting = current_meeting(call)
    if meeting is not None and meeting.opened_at is not None:
        raise CommitteeError(_("열린 회의의 일시와 장소는 바꿀 수 없습니다."))
    before = {"scheduled_at": meeting.scheduled_at, "place": meeting.place} if meeting else {}
    if meeting is None:
        number = (db.session.scalar(select(func.max(CommitteeMeeting.number))
                                    .where(CommitteeMeeting.call_id == call.id)) or 0) + 1
        meeting = CommitteeMeeting(call_id=call.id, number=number, created_by_id=actor.id, created_at=clock.now())
        db.session.add(meeting)
    meeting.scheduled_at = scheduled_at
    meeting.place = place[:200]
    db.session.flush()
    audit.record(actor, "committee.meeting_scheduled", meeting, call=call, number=meeting.number,
                 changes=audit.changes(before, {"scheduled_at": scheduled_at, "place": meeting.place}))
    return meeting


def open_meeting(call: Call, actor) -> CommitteeMeeting:
    """Open the scheduled meeting: its members are fixed, one attendance row each, all absent."""
    lock(call)
    _ensure_in_review(call)
    meeting = current_meeting(call)
    if meeting is None or meeting.opened_at is not None:
        raise CommitteeError(_("열 수 있는 예정된 회의가 없습니다. 먼저 회의 일시와 장소를 정하십시오."))
    people = members(call)
    if not people:
        raise CommitteeError(_("심의위원을 먼저 위촉하십시오."))
    if not db.session.scalar(select(func.count(Result.id)).where(Result.call_id == call.id)):
        raise CommitteeError(_("평가 결과를 먼저 산출하십시오. 심의위원회는 산출된 선정안을 의결합니다."))
    if readiness.is_stale(call):
        raise CommitteeError(_("결과 산출 뒤에 평가표나 적격 여부가 바뀌었습니다. 결과를 다시 산출한 뒤 회의를 여십시오."))
    meeting.opened_at = clock.now()
    meeting.opened_by_id = actor.id
    meeting.attendance = [CommitteeAttendance(member_id=m.id, present=False) for m in people]
    db.session.flush()
    audit.record(actor, "committee.meeting_opened", meeting, call=call, number=meeting.number,
                 members=[m.user_id for m in people], proposals=[r.proposal_id for r in proposed_selection(call)])
    return meeting


def open_one(call: Call) -> CommitteeMeeting:
    meeting = current_meeting(call)
    if meeting is None or meeting.opened_at is None:
        raise CommitteeError(_("열린 회의가 없습니다."))
    return meeting


def record_attendance(call: Call, actor, present_ids: set[int]) -> CommitteeMeeting:
    """Who is in the room; a member marked absent loses the votes recorded for them."""
    lock(call)
    _ensure_in_review(call)
    meeting = open_one(call)
    before = {str(a.member_id): a.present for a in meeting.attendance}
    for a in meeting.attendance:
        a.present = a.member_id in present_ids
    gone = {a.member_id for a in meeting.attendance if not a.present}
    for vote in [v for v in meeting.votes if v.member_id in gone]:
        meeting.votes.remove(vote)
    q = quorum(meeting)
    audit.record(actor, "committee.attendance", meeting, call=call, number=meeting.number, present=q.present,
                 members=q.members, quorum=q.reached,
                 changes=audit.changes(before, {str(a.member_id): a.present for a in meeting.attendance}))
    return meeting


def quorum_refusal(q: Quorum) -> str:
    return _("의결정족수에 못 미칩니다: 재적 위원 %(members)d명 중 %(present)d명 출석 (과반수 %(needed)d명 이상 "
             "출석해야 의결할 수 있습니다).", members=q.members, present=q.present, needed=q.needed)


def record_votes(call: Call, actor, cast: dict[tuple[int, int], str]) -> CommitteeMeeting:
    """Record votes ``{(member id, proposal id): "for" | "against" | ""}``; "" clears a vote."""
    lock(call)
    _ensure_in_review(call)
    meeting = open_one(call)
    q = quorum(meeting)
    if not q.reached:
        raise CommitteeError(quorum_refusal(q))
    present = {m.id: m for m in present_members(meeting)}
    proposals = {r.proposal_id: r.proposal for r in proposed_selection(call)}
    existing = {(v.member_id, v.proposal_id): v for v in meeting.votes}
    before = {f"{k[0]}:{k[1]}": v.choice for k, v in existing.items()}
    for (member_id, proposal_id), choice in cast.items():
        if member_id not in present or proposal_id not in proposals:
            raise CommitteeError(_("출석한 위원만 선정안에 표결할 수 있습니다."))
        if choice and choice not in set(VoteChoice):
            raise CommitteeError(_("찬성 또는 반대를 고르십시오."))
        if choice and conflict_of(call, present[member_id].user, proposals[proposal_id]):
            raise CommitteeError(_("%(name)s 위원은 이해충돌로 이 신청서(%(receipt)s)에 표결할 수 없습니다.",
                                   name=present[member_id].user.name, receipt=proposals[proposal_id].receipt_no))
        vote = existing.get((member_id, proposal_id))
        if not choice:
            if vote is not None:
                meeting.votes.remove(vote)
            continue
        if vote is None:
            meeting.votes.append(CommitteeVote(member_id=member_id, proposal_id=proposal_id, choice=choice,
                                               recorded_by_id=actor.id, recorded_at=clock.now()))
        elif vote.choice != choice:
            vote.choice, vote.recorded_by_id, vote.recorded_at = choice, actor.id, clock.now()
    db.session.flush()
    after = {f"{v.member_id}:{v.proposal_id}": v.choice for v in meeting.votes}
    audit.record(actor, "committee.votes", meeting, call=call, number=meeting.number,
                 changes=audit.changes(before, after))
    return meeting



def close_meeting(call: Call, actor) -> CommitteeMeeting:
    """Count the votes into resolutions and write the minutes; all votes must be in."""
    lock(call)
    _ensure_in_review(call)
    meeting = open_one(call)
    q = quorum(meeting)
    if not q.reached:
        raise CommitteeError(quorum_refusal(q))
    counts = tally(meeting, [r.proposal for r in proposed_selection(call)])
    missing = sum(t.missing for t in counts)
    if missing:
        raise CommitteeError(_("아직 기록되지 않은 표가 %(n)d개 있습니다. 출석한 위원 모두의 표를 기록한 뒤 회의를 마치십시오.",
                               n=missing))
    meeting.resolutions = [CommitteeResolution(proposal_id=t.proposal_id, approved=t.approved, votes_for=t.votes_for,
                                               votes_against=t.votes_against, voters=t.voters,
                                               conflicted=t.conflicted) for t in counts]
    meeting.closed_at = clock.now()
    meeting.closed_by_id = actor.id
    db.session.flush()
    committee_minutes.write(call, meeting)
    audit.record(actor, "committee.meeting_closed", meeting, call=call, number=meeting.number,
                 present=q.present, members=q.members, minutes_sha256=meeting.minutes_sha256,
                 resolutions=[{"proposal_id": t.proposal_id, "approved": t.approved, "for": t.votes_for,
                               "against": t.votes_against, "voters": t.voters, "conflicted": t.conflicted}
                              for t in counts])
    return meeting
