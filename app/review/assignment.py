"""Assigning reviewers to proposals, by hand or automatically.

The automatic rule, deterministic for the same inputs: proposals in id order; for
each, the missing number of reviewers (``call.reviewers_per_proposal``) is taken
from the pool ordered by current load, then reviewer id, skipping anyone excluded.
Exclusions, each with its reason shown to the officer:

- 제척: the reviewer's account belongs to an organisation that is a confirmed member of
  the proposal's consortium (matched by organisation id, never by name: an applicant
  could otherwise register or list an organisation named like a reviewer's affiliation
  and so pick the panel), or to the call's managing agency;
- 회피: the reviewer recused themselves from this proposal;
- 기피/해제: the reviewer was taken off this proposal (upheld challenge, officer);
- optionally, another reviewer of the same organisation is already on the proposal.

A free-text affiliation that merely reads like a member organisation's name is not an
exclusion: it is shown to the officer as a notice (``name_notices``), who decides.

Only submitted proposals are assigned, and none the officer rejected at screening.
Once the results are decided nothing about a panel changes: every write here first
takes the call's row lock and checks its phase (``lock_panel``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import (
    Call, Consortium, ConsortiumMember, EligibilityDecision, Objection, Organisation, Proposal, ReviewAssignment,
    ReviewerPoolEntry, User,
)
from app.models.calls import CallStatus
from app.models.decisions import EligibilityStatus, ReevaluationStatus
from app.models.proposals import ProposalStatus
from app.models.review import CoiStatus
from app import audit
from app.core import clock
from app.review import panel_notices
from app.core.clock import now
from app.core.errors import ReviewError

# Reason codes, in the order they are checked; labels are for the officer's page.
REASONS = {
    "member_org": _l("제척: 평가위원의 소속 기관이 컨소시엄 참여기관임"),
    "agency": _l("제척: 전담기관 소속"),
    "recused": _l("회피: 평가위원이 이해충돌로 회피함"),
    "removed": _l("배제: 기피 인용 또는 담당자가 배정 해제함"),
    "same_org": _l("같은 기관의 평가위원이 이미 배정됨"),
}


class AssignmentError(ReviewError):
    pass


@dataclass(frozen=True)
class Exclusion:
    entry: ReviewerPoolEntry
    code: str
    # member_org: the member organisation and since when it is confirmed; recused/removed: the reason given.
    organisation: Organisation | None = None
    since: datetime | None = None
    detail: str = ""

    @property
    def reason(self) -> str:
        if self.code == "member_org" and self.organisation is not None:
            return str(_l("제척: 참여기관 %(org)s 소속 (컨소시엄 참여 확인 %(since)s)", org=self.organisation.name,
                          since=_day(self.since)))
        if self.detail:
            return f"{REASONS[self.code]} ({_l('사유')}: {self.detail})"
        return str(REASONS[self.code])


@dataclass(frozen=True)
class NameNotice:
    """A reviewer whose affiliation reads like a member organisation's name, without being it."""

    entry: ReviewerPoolEntry
    organisation: Organisation

    @property
    def text(self) -> str:
        return str(_l("확인 필요: 소속 '%(affiliation)s'이(가) 참여기관 %(org)s(%(brn)s)과 이름이 같습니다. "
                      "같은 기관이 아닌지 확인하십시오 (이름만으로는 제외하지 않습니다).",
                      affiliation=self.entry.organisation_name or (self.entry.user.organisation.name
                                                                   if self.entry.user.organisation else ""),
                      org=self.organisation.name, brn=self.organisation.brn_display))


def _day(at: datetime | None) -> str:
    return clock.to_kst(at).strftime("%Y-%m-%d") if at else "-"


@dataclass
class AutoResult:
    created: list[ReviewAssignment] = field(default_factory=list)
    # proposal id -> how many reviewers are still missing after the run
    shortfall: dict[int, int] = field(default_factory=dict)


def org_key(name: str) -> str:
    """Organisation names compared as people type them: case, spacing and (주) aside."""
    n = (name or "").casefold()
    for noise in ("(주)", "㈜", "주식회사", "(재)", "재단법인", "(사)", "사단법인"):
        n = n.replace(noise, "")
    return "".join(n.split())


def assignable_proposals(call) -> list[Proposal]:
    """Submitted proposals, minus those rejected at screening."""
    rejected = select(EligibilityDecision.proposal_id).where(EligibilityDecision.status == EligibilityStatus.REJECTED)
    return list(db.session.scalars(
        select(Proposal)
        .where(Proposal.call_id == call.id, Proposal.status == ProposalStatus.SUBMITTED, Proposal.id.not_in(rejected))
        .options(selectinload(Proposal.consortium).selectinload(Consortium.members)
                 .selectinload(ConsortiumMember.organisation))
        .order_by(Proposal.id)
    ))


def assignments_of(call) -> list[ReviewAssignment]:
    return list(db.session.scalars(
        select(ReviewAssignment).where(ReviewAssignment.call_id == call.id)
        .options(selectinload(ReviewAssignment.sheet), selectinload(ReviewAssignment.reviewer))
        .order_by(ReviewAssignment.proposal_id, ReviewAssignment.id)
    ))


class _Context:
    """What the rules need, loaded once for a whole run."""

    def __init__(self, call):
        self.call = call
        self.pool = list(db.session.scalars(
            select(ReviewerPoolEntry).where(ReviewerPoolEntry.call_id == call.id)
            .options(selectinload(ReviewerPoolEntry.user).selectinload(User.organisation))
            .order_by(ReviewerPoolEntry.user_id)
        ))
        self.by_user = {e.user_id: e for e in self.pool}
        self.rows: dict[int, dict[int, ReviewAssignment]] = {}
        self.load: dict[int, int] = {e.user_id: 0 for e in self.pool}
        for a in assignments_of(call):
            self.rows.setdefault(a.proposal_id, {})[a.reviewer_id] = a
            if a.active:
                self.load[a.reviewer_id] = self.load.get(a.reviewer_id, 0) + 1
        self._members: dict[int, dict[int, ConsortiumMember]] = {}
        self.agency_id = call.programme.agency_id
        self.agency_key = org_key(call.programme.agency.name) if call.programme.agency else ""

    def entry_org_key(self, entry: ReviewerPoolEntry) -> str:
        if entry.organisation_name:
            return org_key(entry.organisation_name)
        org = entry.user.organisation
        return org_key(org.name) if org else f"user:{entry.user_id}"

    def members(self, proposal) -> dict[int, ConsortiumMember]:
        """The consortium's confirmed members by organisation id: a listed organisation that has
        not accepted is no member, for conflicts as for everything else."""
        if proposal.id not in self._members:
            self._members[proposal.id] = {m.organisation_id: m for m in proposal.consortium.confirmed_members}
        return self._members[proposal.id]

    def active_reviewers(self, proposal) -> list[int]:
        return [rid for rid, a in self.rows.get(proposal.id, {}).items() if a.active]

    def excluded(self, proposal, entry: ReviewerPoolEntry, distinct_organisations: bool) -> Exclusion | None:
        existing = self.rows.get(proposal.id, {}).get(entry.user_id)
        # Identity only: the organisation of the reviewer's account, never a name anyone typed.
        member = self.members(proposal).get(entry.user.organisation_id) if entry.user.organisation_id else None
        if member is not None:
            return Exclusion(entry, "member_org", member.organisation, member.confirmed_at)
        # The agency's staff: by account, or reviewing under the agency's own name as the officer typed it
        # (no applicant can bring that about, so a name is enough here).
        if entry.user.organisation_id == self.agency_id or (
                entry.organisation_name and org_key(entry.organisation_name) == self.agency_key):
            return Exclusion(entry, "agency")
        if existing is not None and existing.coi_status == CoiStatus.RECUSED:
            return Exclusion(entry, "recused", detail=existing.recusal_reason)
        if existing is not None and existing.coi_status == CoiStatus.REMOVED:
            return Exclusion(entry, "removed", detail=existing.removed_reason)
        if distinct_organisations and (existing is None or not existing.active):
            mine = self.entry_org_key(entry)
            others = {self.entry_org_key(self.by_user[rid]) for rid in self.active_reviewers(proposal)
                      if rid in self.by_user and rid != entry.user_id}
            if mine in others:
                return Exclusion(entry, "same_org")
        return None

    def exclusion(self, proposal, entry: ReviewerPoolEntry, distinct_organisations: bool) -> str | None:
        found = self.excluded(proposal, entry, distinct_organisations)
        return found.code if found else None

    def name_notice(self, proposal, entry: ReviewerPoolEntry) -> NameNotice | None:
        """A same-named member organisation that is not the reviewer's: for the officer to judge."""
        names = {org_key(entry.organisation_name)} if entry.organisation_name else set()
        if entry.user.organisation is not None:
            names.add(org_key(entry.user.organisation.name))
        for org_id, m in self.members(proposal).items():
            if org_id != entry.user.organisation_id and org_key(m.organisation.name) in names:
                return NameNotice(entry, m.organisation)
        return None

    def candidates(self, proposal, distinct_organisations: bool) -> list[ReviewerPoolEntry]:
        taken = set(self.active_reviewers(proposal))
        out = [e for e in self.pool if e.user_id not in taken
               and self.exclusion(proposal, e, distinct_organisations) is None]
        return sorted(out, key=lambda e: (self.load.get(e.user_id, 0), e.user_id))


def exclusions(call, proposal, *, distinct_organisations: bool = False) -> list[Exclusion]:
    """Pool reviewers who may not review this proposal, with why."""
    ctx = _Context(call)
    return [x for e in ctx.pool if (x := ctx.excluded(proposal, e, distinct_organisations)) is not None]


def exclusions_by_proposal(call, proposals, *, distinct_organisations: bool = False) -> dict[int, list[Exclusion]]:
    ctx = _Context(call)
    return {p.id: [x for e in ctx.pool if (x := ctx.excluded(p, e, distinct_organisations)) is not None]
            for p in proposals}


def name_notices(call, proposals) -> dict[int, list[NameNotice]]:
    """Per proposal, pool reviewers not excluded whose affiliation only reads like a member's name."""
    ctx = _Context(call)
    return {p.id: [n for e in ctx.pool if ctx.excluded(p, e, False) is None
                   and (n := ctx.name_notice(p, e)) is not None] for p in proposals}


def _create(ctx: _Context, proposal, entry: ReviewerPoolEntry, actor, *, automatic: bool,
            due_at: datetime | None, trigger: str) -> ReviewAssignment:
    existing = ctx.rows.get(proposal.id, {}).get(entry.user_id)
    if existing is not None:  # only reachable for an inactive row, which exclusion() refuses
        raise AssignmentError(_l("이미 배정된 평가위원입니다."))
    a = ReviewAssignment(
        call_id=ctx.call.id, proposal_id=proposal.id, reviewer_id=entry.user_id,
        due_at=due_at or ctx.call.review_due_at, coi_status=CoiStatus.PENDING,
        assigned_by_id=getattr(actor, "id", None), automatic=automatic, created_at=now(),
    )
    db.session.add(a)
    db.session.flush()
    ctx.rows.setdefault(proposal.id, {})[entry.user_id] = a
    ctx.load[entry.user_id] = ctx.load.get(entry.user_id, 0) + 1
    audit.record(actor, "review.assigned", a, call_id=ctx.call.id, proposal_id=proposal.id,
                 reviewer_id=entry.user_id, automatic=automatic, trigger=trigger)
    panel_notices.assigned(a, proposal, entry.user)
    return a


ASSIGNING_STATUSES = (CallStatus.CLOSED, CallStatus.IN_REVIEW)


def lock_panel(call, assignment: ReviewAssignment | None = None) -> bool:
    """Take the call's row lock and say whether its panels and sheets may still change.

    Every write to assignments and review sheets calls this first. The phase is read
    again under the lock, so a decision committed a moment ago is seen, and a decision
    being taken waits for this transaction: no write lands after the results are fixed.
    After the decision only ``assignment``, when it is a seat of an objection whose
    re-evaluation is open (``app.review.reevaluation``), may still change.
    """
    db.session.execute(
        select(Call).where(Call.id == call.id).with_for_update().execution_options(populate_existing=True)
    ).scalar_one()
    if call.status() in ASSIGNING_STATUSES:
        return True
    return assignment is not None and assignment.objection_id is not None and db.session.scalar(
        select(Objection.reevaluation_status).where(Objection.id == assignment.objection_id)
    ) == ReevaluationStatus.OPEN


def lock_assignment(assignment: ReviewAssignment) -> ReviewAssignment:
    """The assignment and its sheet read again under the row lock (two tabs, a double click)."""
    return db.session.execute(
        select(ReviewAssignment).where(ReviewAssignment.id == assignment.id).with_for_update()
        .options(selectinload(ReviewAssignment.sheet)).execution_options(populate_existing=True)
    ).scalar_one()


def ensure_assigning(call) -> None:
    """Panels are formed after the call closes and are settled once the results are decided."""
    if not lock_panel(call):
        raise AssignmentError(_l("평가위원 배정은 접수 마감 후 결과 확정 전까지만 할 수 있습니다."))


def assign(call, proposal, reviewer_id: int, actor, *, due_at: datetime | None = None,
           distinct_organisations: bool = False) -> ReviewAssignment:
    """Manual assignment; the same exclusions hold, and an officer cannot override 제척."""
    ensure_assigning(call)
    if proposal.call_id != call.id:
        raise AssignmentError(_l("이 공모의 신청서가 아닙니다."))
    if proposal.id not in {p.id for p in assignable_proposals(call)}:
        raise AssignmentError(_l("제출되어 평가 대상인 신청서에만 평가위원을 배정할 수 있습니다."))
    ctx = _Context(call)
    entry = ctx.by_user.get(reviewer_id)
    if entry is None:
        raise AssignmentError(_l("이 공모의 평가위원 풀에 없는 사람입니다."))
    if reviewer_id in ctx.active_reviewers(proposal):
        raise AssignmentError(_l("이미 이 신청서에 배정된 평가위원입니다."))
    excluded = ctx.excluded(proposal, entry, distinct_organisations)
    if excluded is not None:
        raise AssignmentError(excluded.reason)
    return _create(ctx, proposal, entry, actor, automatic=False, due_at=due_at, trigger="manual")


def auto_assign(call, actor, *, distinct_organisations: bool = False, due_at: datetime | None = None) -> AutoResult:
    """Fill every assignable proposal up to the call's number of reviewers per proposal."""
    ensure_assigning(call)
    ctx = _Context(call)
    k = call.reviewers_per_proposal or 5
    result = AutoResult()
    for proposal in assignable_proposals(call):
        result.created += _fill(ctx, proposal, k, actor, distinct_organisations=distinct_organisations,
                                due_at=due_at, trigger="auto", result=result)
    audit.record(actor, "review.auto_assigned", call, created=len(result.created),
                 shortfall={str(k): v for k, v in result.shortfall.items()},
                 distinct_organisations=distinct_organisations)
    return result


def _fill(ctx: _Context, proposal, k: int, actor, *, distinct_organisations: bool, due_at, trigger: str,
          result: AutoResult | None = None) -> list[ReviewAssignment]:
    created = []
    while len(ctx.active_reviewers(proposal)) < k:
        # Recomputed each time: the load and the same-organisation rule change with every pick.
        candidates = ctx.candidates(proposal, distinct_organisations)
        if not candidates:
            break
        created.append(_create(ctx, proposal, candidates[0], actor, automatic=True, due_at=due_at, trigger=trigger))
    missing = k - len(ctx.active_reviewers(proposal))
    if missing > 0 and result is not None:
        result.shortfall[proposal.id] = missing
    return created


def refill(proposal, actor, *, trigger: str) -> list[ReviewAssignment]:
    """Replace reviewers who left a proposal (recusal, upheld challenge, removal).

    Prefers a reviewer of an organisation not yet on the proposal; falls back to
    anyone eligible rather than leave the seat empty. Never once the results are decided
    (callers refuse before changing anything; this is the last guard).
    """
    call = proposal.call
    ensure_assigning(call)
    if proposal.id not in {p.id for p in assignable_proposals(call)}:
        return []
    ctx = _Context(call)
    k = call.reviewers_per_proposal or 5
    created = _fill(ctx, proposal, k, actor, distinct_organisations=True, due_at=None, trigger=trigger)
    created += _fill(ctx, proposal, k, actor, distinct_organisations=False, due_at=None, trigger=trigger)
    missing = k - len(ctx.active_reviewers(proposal))
    if missing > 0:
        panel_notices.seat_unfilled(proposal, missing, trigger)
    return created


def remove(assignment: ReviewAssignment, actor, reason: str, *, replace: bool = True) -> list[ReviewAssignment]:
    """An officer takes a reviewer off a proposal; the row stays, with the reason."""
    reason = (reason or "").strip()
    if not reason:
        raise AssignmentError(_l("배정 해제 사유를 입력하십시오."))
    ensure_assigning(assignment.call)
    lock_assignment(assignment)
    if not assignment.active:
        raise AssignmentError(_l("이미 해제되었거나 회피한 배정입니다."))
    if assignment.sheet is not None and assignment.sheet.locked:
        raise AssignmentError(_l("제출된 평가표가 있는 배정은 해제할 수 없습니다. 먼저 평가표를 재개하십시오."))
    assignment.coi_status = CoiStatus.REMOVED
    assignment.removed_reason = reason
    audit.record(actor, "review.unassigned", assignment, proposal_id=assignment.proposal_id,
                 reviewer_id=assignment.reviewer_id, reason=reason)
    return refill(assignment.proposal, actor, trigger="removal") if replace else []


def set_due(assignment: ReviewAssignment, actor, due_at: datetime | None) -> None:
    ensure_assigning(assignment.call)
    before = {"due_at": assignment.due_at.isoformat() if assignment.due_at else None}
    assignment.due_at = due_at
    audit.record(actor, "review.due_changed", assignment, proposal_id=assignment.proposal_id,
                 reviewer_id=assignment.reviewer_id,
                 changes=audit.changes(before, {"due_at": due_at.isoformat() if due_at else None}))
