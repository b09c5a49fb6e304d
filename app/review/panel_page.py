"""What the officer's panel page shows for a stage: stored recommendations, the ranking, the funnel.

Read from the stored rows only (``recommend.compute`` wrote them): the page never runs the
matching engine. The close matches a conflict rule left out of a proposal's list are shown
with the rule's reason as it reads now (the rules are cheap to apply to a few people; the
stored list says only who was left out when the ranking was computed).
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from app.models import Proposal
from app.models.panels import InvitationStatus, PanelInvitation, Recommendation, RecommendationRun, Recruitment
from app.models.pool import ReviewerProfile
from app.models.stages import EvaluationStage
from app.review import assignment, exclusions, recommend, recruitment, stage_scope

RANKING_SHOWN = 50


@dataclass
class Row:
    rec: Recommendation
    profile: ReviewerProfile | None
    history: str
    invitation: PanelInvitation | None

    @property
    def affiliation(self) -> str:
        return self.profile.affiliation if self.profile is not None else ""


@dataclass
class LeftOut:
    """A close match a conflict rule keeps off one proposal."""

    name: str
    affiliation: str
    reason: str


@dataclass
class PanelPage:
    stage: EvaluationStage
    run: RecommendationRun | None
    pending: bool
    ranking: list[Row]
    proposals: list[tuple[Proposal, list[Row], list[LeftOut]]]
    recruitment: Recruitment | None
    rounds: list[dict]
    totals: Counter = field(default_factory=Counter)
    default_seats: int = 0
    panel_size: int = 0

    @property
    def accepted(self) -> int:
        return self.totals[InvitationStatus.ACCEPTED]


def build(stage: EvaluationStage) -> PanelPage:
    run = recommend.run_of(stage)
    lists = recommend.stored(stage)
    r = recruitment.recruitment_of(stage)
    invitations = {i.user_id: i for i in (r.invitations if r is not None else ())}
    shown = lists.get(None, [])[:RANKING_SHOWN]
    people = {rec.user_id for rows in lists.values() for rec in rows}
    profiles = recommend.profiles_of(people)
    history = recommend.answer_history(people, besides_stage=stage.id)

    def row(rec: Recommendation) -> Row:
        return Row(rec, profiles.get(rec.user_id), recommend.history_text(history.get(rec.user_id)),
                   invitations.get(rec.user_id))

    left_out = _left_out(stage, run)
    proposals = [(p, [row(rec) for rec in lists.get(p.id, [])], left_out.get(p.id, []))
                 for p in assignment.assignable_proposals(stage.call, stage)]
    totals = Counter(i.status for i in invitations.values())
    totals["sent"] = len(invitations)
    return PanelPage(stage=stage, run=run, pending=recommend.pending(run), ranking=[row(rec) for rec in shown],
                     proposals=proposals, recruitment=r, rounds=recruitment.funnel(r), totals=totals,
                     default_seats=recruitment.default_seats(stage), panel_size=stage_scope.panel_size(stage))


def _left_out(stage: EvaluationStage, run: RecommendationRun | None) -> dict[int, list[LeftOut]]:
    stored = {int(pid): ids for pid, ids in ((run.conflicts or {}) if run else {}).items() if isinstance(ids, list)}
    everyone = sorted({uid for ids in stored.values() for uid in ids})
    if not everyone:
        return {}
    index = exclusions.conflict_index(stage.call, stage, everyone)
    users = recruitment.people(everyone)
    profiles = recommend.profiles_of(everyone)
    proposals = {p.id: p for p in assignment.assignable_proposals(stage.call, stage)}
    out: dict[int, list[LeftOut]] = {}
    for pid, ids in stored.items():
        if pid not in proposals:
            continue
        for uid in ids:
            found = index.reason(proposals[pid], uid)
            profile = profiles.get(uid)
            out.setdefault(pid, []).append(LeftOut(
                users[uid].name if uid in users else str(uid), profile.affiliation if profile is not None else "",
                found.reason if found is not None else ""))
    return out
