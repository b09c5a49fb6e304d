"""Who may not review a proposal, and why: the exclusion rules of panel forming.

Exclusions, each with its reason shown to the officer:

- 제척 by identity, for anyone (``app.review.conflict_rules``, ``conflict_index``): the
  proposal's own people, its member organisations (대학·연구기관: the same department),
  declared relatives, reciprocal evaluation, the agency's and ministry's staff, sanctions,
  recent joint work. Organisations are matched by id, never by name: an applicant could
  otherwise register or list an organisation named like a reviewer's affiliation and so pick
  the panel;
- 회피: the reviewer recused themselves from this proposal, in any stage;
- 기피/해제: the reviewer was taken off this proposal (upheld challenge, officer), in any stage;
- optionally, another reviewer of the same organisation is already on the proposal.

A free-text affiliation that merely reads like a member organisation's name is not an
exclusion: it is shown to the officer as a notice (``name_notices``), who decides.
``PanelContext`` loads what the rules need for one stage's panels at once.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import ConsortiumMember, Organisation, ReviewAssignment, ReviewerPoolEntry, User
from app.models.review import CoiStatus
from app.models.stages import EvaluationStage
from app.review import stage_scope
# The identity rules live beside this module; they are read through it (one source for both).
from app.review.conflict_rules import (  # noqa: F401
    REASONS, RULES, ConflictIndex, Exclusion, conflict_index, org_key,
)


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


def assignments_of(call, stage: EvaluationStage | None = None) -> list[ReviewAssignment]:
    """The seats of one stage (the current one by default)."""
    stage = stage or stage_scope.current_stage(call)
    return list(db.session.scalars(
        select(ReviewAssignment).where(ReviewAssignment.call_id == call.id, ReviewAssignment.stage_id == stage.id)
        .options(selectinload(ReviewAssignment.sheet), selectinload(ReviewAssignment.reviewer))
        .order_by(ReviewAssignment.proposal_id, ReviewAssignment.id)
    ))


class PanelContext:
    """What the rules need, loaded once for a whole run."""

    def __init__(self, call, stage: EvaluationStage | None = None):
        self.call = call
        self.stage = stage or stage_scope.current_stage(call)
        self.pool = list(db.session.scalars(
            select(ReviewerPoolEntry).where(ReviewerPoolEntry.call_id == call.id)
            .options(selectinload(ReviewerPoolEntry.user).selectinload(User.organisation))
            .order_by(ReviewerPoolEntry.user_id)
        ))
        self.by_user = {e.user_id: e for e in self.pool}
        self.rows: dict[int, dict[int, ReviewAssignment]] = {}
        self.load: dict[int, int] = {e.user_id: 0 for e in self.pool}
        for a in assignments_of(call, self.stage):
            self.rows.setdefault(a.proposal_id, {})[a.reviewer_id] = a
            if a.active:
                self.load[a.reviewer_id] = self.load.get(a.reviewer_id, 0) + 1
        # A recusal or a removal in one stage keeps the reviewer off that proposal in every stage.
        self.left: dict[tuple[int, int], ReviewAssignment] = {
            (a.proposal_id, a.reviewer_id): a for a in db.session.scalars(
                select(ReviewAssignment).where(ReviewAssignment.call_id == call.id,
                                               ReviewAssignment.stage_id != self.stage.id,
                                               ReviewAssignment.coi_status.in_((CoiStatus.RECUSED, CoiStatus.REMOVED))))}
        self._members: dict[int, dict[int, ConsortiumMember]] = {}
        self.index = conflict_index(call, self.stage, self.by_user)

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

    def took(self, proposal, user_id: int) -> None:
        """A seat just taken: reciprocity between applicants depends on who sits where."""
        self.index.seat(proposal.id, user_id)

    def active_reviewers(self, proposal) -> list[int]:
        return [rid for rid, a in self.rows.get(proposal.id, {}).items() if a.active]

    def excluded(self, proposal, entry: ReviewerPoolEntry, distinct_organisations: bool) -> Exclusion | None:
        existing = self.rows.get(proposal.id, {}).get(entry.user_id)
        if existing is None or existing.active:
            existing = self.left.get((proposal.id, entry.user_id), existing)
        found = self.index.reason(proposal, entry.user_id)
        if found is not None:
            return replace(found, entry=entry)
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
    """Pool reviewers who may not review this proposal in the current stage, with why."""
    ctx = PanelContext(call)
    return [x for e in ctx.pool if (x := ctx.excluded(proposal, e, distinct_organisations)) is not None]


def exclusions_by_proposal(call, proposals, *, distinct_organisations: bool = False) -> dict[int, list[Exclusion]]:
    ctx = PanelContext(call)
    return {p.id: [x for e in ctx.pool if (x := ctx.excluded(p, e, distinct_organisations)) is not None]
            for p in proposals}


def name_notices(call, proposals) -> dict[int, list[NameNotice]]:
    """Per proposal, pool reviewers not excluded whose affiliation only reads like a member's name."""
    ctx = PanelContext(call)
    return {p.id: [n for e in ctx.pool if ctx.excluded(p, e, False) is None
                   and (n := ctx.name_notice(p, e)) is not None] for p in proposals}
