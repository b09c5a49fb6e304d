"""What the officer's panel page shows for a stage: stored recommendations, the ranking, the funnel.

Read from the stored rows only (``recommend.compute`` wrote them): the page never runs the
matching engine. Conflicts are counts: who is excluded from which proposal is on the
assignment page, with the reason, once someone is in the call's pool.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from app.models import Proposal
from app.models.panels import InvitationStatus, PanelInvitation, Recommendation, RecommendationRun, Recruitment
from app.models.pool import ReviewerProfile
from app.models.stages import EvaluationStage
from app.review import assignment, recommend, recruitment, stage_scope

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
class PanelPage:
    stage: EvaluationStage
    run: RecommendationRun | None
    pending: bool
    ranking: list[Row]
    proposals: list[tuple[Proposal, list[Row], int]]
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

    proposals = [(p, [row(rec) for rec in lists.get(p.id, [])], int((run.conflicts or {}).get(str(p.id), 0)) if run else 0)
                 for p in assignment.assignable_proposals(stage.call, stage)]
    totals = Counter(i.status for i in invitations.values())
    totals["sent"] = len(invitations)
    return PanelPage(stage=stage, run=run, pending=recommend.pending(run), ranking=[row(rec) for rec in shown],
                     proposals=proposals, recruitment=r, rounds=recruitment.funnel(r), totals=totals,
                     default_seats=recruitment.default_seats(stage), panel_size=stage_scope.panel_size(stage))
