"""The 심의위원회: members, meetings, attendance and votes on the proposed selection.

SPEC §6 (시행령 §28): at most 20 members; a meeting has a quorum when more than half of the
members are present; each proposed selection (the results with ``selected`` true) is approved
by a majority of the present members who may vote on it. Members are bound by the reviewers'
conflict rules (app/review/assignment.py, by identity, never by name): a member whose account
belongs to a confirmed member organisation of a proposal's consortium does not vote on that
proposal and is not counted for its majority; the agency's own staff are not named at all.
The officer records attendance and votes as they are cast in the room; closing the meeting
counts them, writes the resolutions and the minutes (``committee_minutes``). Whether the
decision may go ahead is ``committee_gate``'s question.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app import audit
from app.core import clock
from app.core.errors import SelectionError
from app.extensions import db
from app.models import Call, Proposal, Result, User
from app.models.calls import CallPhase
from app.models.committee import CommitteeMeeting, CommitteeMember, CommitteeRole, VoteChoice
from app.models.proposals import ProposalStatus
from app.review import assignment as assignment_rules
from app.selection import results

MAX_MEMBERS = 20  # 시행령 §28
ROLE_LABELS = {CommitteeRole.CHAIR: _l("위원장"), CommitteeRole.MEMBER: _l("위원")}
CHOICE_LABELS = {VoteChoice.FOR: _l("찬성"), VoteChoice.AGAINST: _l("반대")}


class CommitteeError(SelectionError):
    pass


# --- reading -----------------------------------------------------------------------------------

def members(call: Call, *, include_removed: bool = False) -> list[CommitteeMember]:
    query = select(CommitteeMember).where(CommitteeMember.call_id == call.id)
    if not include_removed:
        query = query.where(CommitteeMember.removed_at.is_(None))
    return list(db.session.scalars(query.order_by(CommitteeMember.role != CommitteeRole.CHAIR, CommitteeMember.id)))


def has_committee(call: Call) -> bool:
    """Once a member was ever named, the decision waits for the committee."""
    return bool(db.session.scalar(select(func.count(CommitteeMember.id)).where(CommitteeMember.call_id == call.id)))


def meetings(call: Call) -> list[CommitteeMeeting]:
    return list(db.session.scalars(
        select(CommitteeMeeting).where(CommitteeMeeting.call_id == call.id).order_by(CommitteeMeeting.number)))


def meeting_of(call: Call, number: int) -> CommitteeMeeting | None:
    return db.session.scalar(select(CommitteeMeeting).where(CommitteeMeeting.call_id == call.id,
                                                            CommitteeMeeting.number == number))


def current_meeting(call: Call) -> CommitteeMeeting | None:
    """The meeting not closed yet (scheduled or open), if any: there is at most one."""
    return db.session.scalar(select(CommitteeMeeting).where(CommitteeMeeting.call_id == call.id,
                                                            CommitteeMeeting.closed_at.is_(None)))


def latest_closed(call: Call) -> CommitteeMeeting | None:
    return db.session.scalar(
        select(CommitteeMeeting).where(CommitteeMeeting.call_id == call.id, CommitteeMeeting.closed_at.is_not(None))
        .order_by(CommitteeMeeting.number.desc()).limit(1))


def proposed_selection(call: Call) -> list[Result]:
    """The proposals the committee is asked to confirm: the ranking's selected ones, in rank order."""
    return [r for r in results.ranking(call) if r.selected]


def conflict_of(call: Call, user: User, proposal: Proposal) -> str | None:
    """Why ``user`` may not vote on ``proposal``, or None: the reviewers' 제척 rules, by identity."""
    org_id = user.organisation_id
    if org_id is None:
        return None
    if org_id == call.programme.agency_id:
        return str(assignment_rules.REASONS["agency"])
    member = next((m for m in proposal.consortium.confirmed_members if m.organisation_id == org_id), None)
    if member is not None:
        return str(_l("제척: 참여기관 %(org)s 소속 (컨소시엄 참여 확인 %(since)s)", org=member.organisation.name,
                      since=clock.to_kst(member.confirmed_at).strftime("%Y-%m-%d") if member.confirmed_at else "-"))
    return None


def conflicts(call: Call, people: list[CommitteeMember], proposals: list[Proposal]) -> dict[tuple[int, int], str]:
    """(member id, proposal id) -> the conflict's reason, for every pair that has one."""
    found = {}
    for m in people:
        for p in proposals:
            reason = conflict_of(call, m.user, p)
            if reason:
                found[(m.id, p.id)] = reason
    return found


def submitted_proposals(call: Call) -> list[Proposal]:
    return list(db.session.scalars(select(Proposal).where(
        Proposal.call_id == call.id, Proposal.status == ProposalStatus.SUBMITTED).order_by(Proposal.id)))


@dataclass(frozen=True)
class Quorum:
    members: int
    present: int

    @property
    def needed(self) -> int:
        return self.members // 2 + 1

    @property
    def reached(self) -> bool:
        return self.members > 0 and self.present >= self.needed


def quorum(meeting: CommitteeMeeting) -> Quorum:
    return Quorum(len(meeting.attendance), sum(1 for a in meeting.attendance if a.present))


def present_members(meeting: CommitteeMeeting) -> list[CommitteeMember]:
    return [a.member for a in meeting.attendance if a.present]


@dataclass(frozen=True)
class Tally:
    proposal_id: int
    votes_for: int
    votes_against: int
    voters: int  # present and without a conflict on the proposal
    conflicted: int
    missing: int  # voters who have not voted yet

    @property
    def approved(self) -> bool:
        return self.voters > 0 and self.votes_for * 2 > self.voters


def tally(meeting: CommitteeMeeting, proposals: list[Proposal]) -> list[Tally]:
    call = db.session.get(Call, meeting.call_id)
    present = present_members(meeting)
    clash = conflicts(call, present, proposals)
    cast = {(v.member_id, v.proposal_id): v.choice for v in meeting.votes}
    out = []
    for p in proposals:
        voters = [m for m in present if (m.id, p.id) not in clash]
        choices = [cast.get((m.id, p.id)) for m in voters]
        out.append(Tally(p.id, choices.count(VoteChoice.FOR), choices.count(VoteChoice.AGAINST), len(voters),
                         len(present) - len(voters), choices.count(None)))
    return out


# --- members -----------------------------------------------------------------------------------

def lock(call: Call) -> None:
    db.session.execute(select(Call.id).where(Call.id == call.id).with_for_update())


def _ensure_members_editable(call: Call) -> None:
    lock(call)
    if call.phase in (CallPhase.DECIDED, CallPhase.ANNOUNCED):
        raise CommitteeError(_("선정이 확정된 공모의 심의위원회는 바꿀 수 없습니다."))
    meeting = current_meeting(call)
    if meeting is not None and meeting.opened_at is not None:
        raise CommitteeError(_("회의가 열려 있는 동안에는 위원을 바꿀 수 없습니다. 회의를 마친 뒤 바꾸십시오."))


def add_member(call: Call, actor, email: str, role: str) -> CommitteeMember:
    """Name a member; returns the row. The agency's staff are refused; a member organisation's
    people are named, and sit out the votes on that consortium's proposal (``member_conflicts``)."""
    _ensure_members_editable(call)
    if role not in set(CommitteeRole):
        raise CommitteeError(_("위원 구분을 목록에서 고르십시오."), field="role")
    email = (email or "").strip().lower()
    user = db.session.scalar(select(User).where(func.lower(User.email) == email)) if email else None
    if user is None or not user.active:
        raise CommitteeError(_("이 전자우편 주소로 된 사용 중인 계정이 없습니다."), field="email")
    if user.organisation_id is not None and user.organisation_id == call.programme.agency_id:
        raise CommitteeError(_("전담기관 소속은 모든 신청서와 이해관계가 있어 심의위원이 될 수 없습니다."), field="email")
    current = members(call)
    if any(m.user_id == user.id for m in current):
        raise CommitteeError(_("이미 심의위원입니다."), field="email")
    if len(current) >= MAX_MEMBERS:
        raise CommitteeError(_("심의위원회는 %(n)d명 이내로 구성합니다.", n=MAX_MEMBERS), field="email")
    if role == CommitteeRole.CHAIR and any(m.role == CommitteeRole.CHAIR for m in current):
        raise CommitteeError(_("위원장은 한 명입니다. 지금 위원장을 먼저 해촉하십시오."), field="role")
    member = db.session.scalar(select(CommitteeMember).where(CommitteeMember.call_id == call.id,
                                                             CommitteeMember.user_id == user.id))
    before = {"role": member.role, "removed_at": member.removed_at} if member else {}
    if member is None:
        member = CommitteeMember(call_id=call.id, user_id=user.id, added_by_id=actor.id)
        db.session.add(member)
    member.role = role
    member.added_by_id = actor.id
    member.added_at = clock.now()
    member.removed_at = None
    member.removed_by_id = None
    db.session.flush()
    clashes = sorted({reason for p in submitted_proposals(call) if (reason := conflict_of(call, user, p))})
    audit.record(actor, "committee.member_added", member, user_id=user.id, email=user.email, role=role,
                 conflicts=clashes, changes=audit.changes(before, {"role": role, "removed_at": None}))
    return member


def member_conflicts(call: Call) -> dict[int, list[str]]:
    """Each member's conflicts with the call's submitted proposals, as shown beside their name."""
    proposals = submitted_proposals(call)
    out: dict[int, list[str]] = {}
    for (member_id, proposal_id), reason in conflicts(call, members(call), proposals).items():
        receipt = next(p.receipt_no for p in proposals if p.id == proposal_id)
        out.setdefault(member_id, []).append(f"{receipt}: {reason}")
    return out


def remove_member(call: Call, actor, member_id: int | None) -> CommitteeMember:
    _ensure_members_editable(call)
    member = db.session.get(CommitteeMember, member_id) if member_id else None
    if member is None or member.call_id != call.id or not member.active:
        raise CommitteeError(_("이 공모의 심의위원이 아닙니다."))
    member.removed_at = clock.now()
    member.removed_by_id = actor.id
    audit.record(actor, "committee.member_removed", member, user_id=member.user_id,
                 changes=audit.changes({"removed_at": None}, {"removed_at": member.removed_at}))
    return member


# --- the decision waits for the committee ------------------------------------------------------

def _selection_changed_at(call: Call):
    """When the ranking was last computed or a selection overridden."""
    computed = db.session.scalar(select(func.max(Result.computed_at)).where(Result.call_id == call.id))
    overridden = db.session.scalar(select(func.max(Result.overridden_at)).where(Result.call_id == call.id))
    return max((t for t in (computed, overridden) if t is not None), default=None)


def decision_blocker(call: Call) -> str | None:
    """Why the committee does not let the selection be decided yet, or None.

    The latest closed meeting must have approved exactly the proposals selected now, and
    nothing about the selection may have moved since (a recomputation, an override): the
    committee confirms one proposed selection, not whatever the ranking becomes later.
    """
    if not has_committee(call):
        return None
    running = current_meeting(call)
    if running is not None and running.opened_at is not None:
        return _("심의위원회 제%(n)d차 회의가 진행 중입니다. 회의를 마친 뒤 확정하십시오.", n=running.number)
    meeting = latest_closed(call)
    if meeting is None:
        return _("심의위원회가 선정안을 아직 의결하지 않았습니다. 심의위원회 회의에서 의결한 뒤 확정하십시오.")
    selected = {r.proposal_id for r in proposed_selection(call)}
    voted = {r.proposal_id for r in meeting.resolutions}
    changed = _selection_changed_at(call)
    if voted != selected or (changed is not None and changed > meeting.closed_at):
        return _("심의위원회 제%(n)d차 회의의 의결 뒤에 선정안이 바뀌었습니다 (결과 재산출 또는 선정 여부 변경). "
                 "새 회의를 열어 다시 의결하십시오.", n=meeting.number)
    rejected = [r for r in meeting.resolutions if not r.approved]
    if rejected:
        return _("심의위원회 제%(n)d차 회의에서 선정안 %(total)d건 중 %(rejected)d건이 부결되었습니다. 선정 여부를 사유와 "
                 "함께 변경한 뒤 새 회의에서 다시 의결하십시오.", n=meeting.number, total=len(voted),
                 rejected=len(rejected))
    return None


def state(call: Call) -> str:
    """The committee's state in one sentence, for the decision's confirmation page."""
    if not has_committee(call):
        return _("이 공모에는 심의위원회가 구성되지 않았습니다. 선정안은 심의위원회 의결 없이 확정됩니다.")
    blocker = decision_blocker(call)
    if blocker:
        return blocker
    meeting = latest_closed(call)
    return _("심의위원회 제%(n)d차 회의(%(day)s)에서 선정안 %(total)d건을 모두 가결했습니다.", n=meeting.number,
             day=clock.to_kst(meeting.closed_at).strftime("%Y-%m-%d"), total=len(meeting.resolutions))
