"""Recommending reviewers for a stage: candidates per proposal, and one ranking for the panel.

Each proposal's text (its title, summary, strategic industries, the labels and descriptions of
its infrastructure items, its PoC problems and solutions) is ranked by BM25 (``app.matching``)
against every available profile's stored terms; terms missing on a profile are computed here,
all in one Kiwi pass, and kept. Then, per proposal:

- every candidate the identity rules exclude (``exclusions.conflict_index``) is left out, and
  only counted for the officer;
- a candidate's past declines and unanswered invitations, in any call, lower their relevance
  (``DECLINE_PENALTY``, ``NO_ANSWER_PENALTY`` each, never below ``PENALTY_FLOOR``): someone who
  said no twice is still shown, below an equal match who never did;
- load is spread: each time a candidate lands in a proposal's first ``panel size`` places, their
  relevance for the proposals after it is divided by ``1 + LOAD_WEIGHT × times``;
- the first ``panel size`` places hold at least the wanted share of industry reviewers
  (organisation type ``INDUSTRY_TYPES``) when the candidates have them.

The panel ranking orders candidates by their relevance summed over the proposals they may
review (history applied, load not: it ranks people, not seats). Everything is stored
(``Recommendation``) with the time it was computed; the heavy part runs as a Celery task.
"""
from __future__ import annotations

import math
from collections import Counter, defaultdict
from datetime import date, timedelta
from decimal import Decimal

from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, event, func, insert, select
from sqlalchemy.orm import Session, selectinload

from app import audit
from app.core import clock, tasks
from app.core.errors import ReviewError
from app.extensions import db
from app.matching import Pool, tokenise
from app.models import Proposal, ReviewerProfile, User
from app.models.panels import REMEMBERED, InvitationStatus, PanelInvitation, Recommendation, RecommendationRun
from app.models.pool import ExpertiseCode
from app.models.stages import EvaluationStage
from app.review import exclusions, stage_scope

WEIGHTS = {"keywords": 3.0, "codes": 2.0, "records": 1.5, "department": 1.0}
INDUSTRY_TYPES = ("tenant_company", "ai_supplier")
DEFAULT_INDUSTRY_SHARE = Decimal("0.30")
PER_PROPOSAL = 3  # candidates kept per proposal: three times its panel, as agencies invite
# BM25 candidates looked at per proposal beyond those kept, before conflicts are taken out (more
# are fetched when conflicts eat the margin); each costs its explanation, the ranking's main cost.
RETRIEVE_MARGIN = 10
LOAD_WEIGHT = 0.25
DECLINE_PENALTY = 0.15
NO_ANSWER_PENALTY = 0.10
PENALTY_FLOOR = 0.4
RANKING_KEEP = 300  # the panel ranking's length: rounds never get near it
CHUNK = 2000  # big IN lists in slices (SQLite caps bound parameters)
SWEEP_AFTER = timedelta(minutes=2)  # a request no worker took by then is computed by the clock


# --- documents ---------------------------------------------------------------------------------

def profile_document(profile: ReviewerProfile, code_names: dict[str, str]) -> dict[str, list[str] | str]:
    return {
        "keywords": profile.keyword_list,
        "codes": [code_names.get(code, "") for code in profile.codes],
        "records": [record.title for record in profile.records],
        "department": profile.department or "",
    }


def proposal_document(proposal: Proposal, type_labels: dict[str, str]) -> dict[str, list[str] | str]:
    return {
        "title": proposal.title, "summary": proposal.summary, "industries": proposal.strategic_industries,
        "types": [f"{type_labels.get(i.type_key, '')} {i.description}" for i in proposal.infra_items],
        "pocs": [f"{p.problem} {p.ai_solution}" for p in proposal.poc_plans],
    }


def ensure_terms(profiles) -> dict[int, dict]:
    """The stored terms of ``profiles`` (rows with ``id``, ``user_id`` and ``terms``) by user id;
    those missing (new or changed profiles) are computed in one Kiwi pass and kept."""
    out = {p.user_id: p.terms for p in profiles if p.terms is not None}
    missing = [p.id for p in profiles if p.terms is None]
    if not missing:
        return out
    rows = []
    for i in range(0, len(missing), CHUNK):
        rows += db.session.scalars(
            select(ReviewerProfile).where(ReviewerProfile.id.in_(missing[i:i + CHUNK]))
            .options(selectinload(ReviewerProfile.expertise), selectinload(ReviewerProfile.records))).all()
    code_names = dict(db.session.execute(select(ExpertiseCode.code, ExpertiseCode.name_ko)).all())
    terms = tokenise({p.id: profile_document(p, code_names) for p in rows})
    at = clock.now()
    for p in rows:
        p.terms, p.terms_at = terms[p.id], at
        out[p.user_id] = p.terms
    return out


# --- who may be recommended --------------------------------------------------------------------

def is_available(profile: ReviewerProfile, today: date) -> bool:
    """Available, and not inside a declared absence (``unavailable_until`` inclusive)."""
    if profile.unavailable_until is not None and profile.unavailable_until >= today:
        return False
    return profile.available or profile.unavailable_until is not None


def _profiles(today: date) -> tuple[list, int]:
    """The available candidates' rows (columns only: 10,000 profiles load in a fraction of a second)."""
    everyone = db.session.execute(
        select(ReviewerProfile.id, ReviewerProfile.user_id, ReviewerProfile.terms, ReviewerProfile.org_type,
               ReviewerProfile.available, ReviewerProfile.unavailable_until)
        .join(User, User.id == ReviewerProfile.user_id)
        .where(User.active.is_(True)).order_by(ReviewerProfile.user_id)).all()
    usable = [p for p in everyone if is_available(p, today)]
    return usable, len(everyone) - len(usable)


def answer_history(user_ids, *, besides_stage: int | None = None) -> dict[int, Counter]:
    """Per person, their remembered answers (declined, expired) in every call."""
    query = (select(PanelInvitation.user_id, PanelInvitation.status, func.count(PanelInvitation.id))
             .where(PanelInvitation.status.in_(REMEMBERED)).group_by(PanelInvitation.user_id, PanelInvitation.status))
    if besides_stage is not None:
        query = query.where(PanelInvitation.stage_id != besides_stage)
    wanted = set(user_ids)
    out: dict[int, Counter] = {}
    for user_id, status, n in db.session.execute(query):
        if user_id in wanted:
            out.setdefault(user_id, Counter())[status] = n
    return out


def history_factor(counts: Counter | None) -> float:
    if not counts:
        return 1.0
    cut = DECLINE_PENALTY * counts[InvitationStatus.DECLINED] + NO_ANSWER_PENALTY * counts[InvitationStatus.EXPIRED]
    return max(PENALTY_FLOOR, 1.0 - cut)


def with_share(ordered: list, seats: int, share: Decimal, is_industry) -> list:
    """``ordered`` re-ordered so its first ``seats`` hold ``ceil(share × seats)`` industry people
    when there are that many; otherwise the order is kept."""
    wanted = min(math.ceil(Decimal(seats) * share), sum(1 for c in ordered if is_industry(c)))
    head, skipped = [], []
    for c in ordered:
        if len(head) == seats:
            break
        have = sum(1 for h in head if is_industry(h))
        if not is_industry(c) and wanted - have >= seats - len(head):
            skipped.append(c)  # the remaining seats are the industry share's
            continue
        head.append(c)
    taken = {id(c) for c in head}
    return head + [c for c in ordered if id(c) not in taken]


def industry_share(stage: EvaluationStage) -> Decimal:
    from app.models.panels import Recruitment

    share = db.session.scalar(select(Recruitment.industry_share).where(Recruitment.stage_id == stage.id))
    return DEFAULT_INDUSTRY_SHARE if share is None else Decimal(share)


def _proposals(stage: EvaluationStage) -> list[Proposal]:
    ids = stage_scope.proposal_ids_in(stage)
    if not ids:
        return []
    return list(db.session.scalars(
        select(Proposal).where(Proposal.id.in_(ids))
        .options(selectinload(Proposal.infra_items), selectinload(Proposal.poc_plans))
        .order_by(Proposal.id)))


def _eligible(pool: Pool, index, proposal, document, need: int) -> tuple[list, list[int]]:
    """The best matches the rules allow (at least ``need`` when there are), and who was left out."""
    top = need + RETRIEVE_MARGIN
    while True:
        matches = pool.rank(document, top=top)
        allowed = [m for m in matches if index.reason(proposal, m.key) is None]
        if len(allowed) >= need or len(matches) < top or top >= len(pool):
            return allowed, [m.key for m in matches if index.reason(proposal, m.key) is not None]
        top *= 4


def _text(score: float) -> str:
    return f"{score:.4f}"


# --- the computation ---------------------------------------------------------------------------

def compute(stage: EvaluationStage) -> RecommendationRun:
    """Rank the pool for every proposal of ``stage`` and store the lists and the panel ranking."""
    call = stage.call
    at = clock.now()
    profiles, unavailable = _profiles(clock.to_kst(at).date())
    pool = Pool.from_terms({uid: terms for uid, terms in ensure_terms(profiles).items() if terms}, weights=WEIGHTS)
    index = exclusions.conflict_index(call, stage, list(pool.keys))
    history = answer_history(pool.keys, besides_stage=stage.id)
    industry = {p.user_id for p in profiles if p.org_type in INDUSTRY_TYPES}
    type_labels = {t.key: t.label_ko for t in call.infra_types}
    k = stage_scope.panel_size(stage)
    share = industry_share(stage)

    load: Counter = Counter()
    relevance: dict[int, float] = defaultdict(float)
    term_weight: dict[int, Counter] = defaultdict(Counter)
    # proposal id -> the close matches a conflict rule left out; the page shows them with the reason.
    conflicts: dict[str, list[int]] = {}
    rows = []
    for proposal in _proposals(stage):
        matches, hidden = _eligible(pool, index, proposal, proposal_document(proposal, type_labels), PER_PROPOSAL * k)
        conflicts[str(proposal.id)] = hidden
        scored = []
        for m in matches:
            weighted = m.score * history_factor(history.get(m.key))
            relevance[m.key] += weighted
            for t in m.terms:
                term_weight[m.key][t] += m.score
            scored.append((weighted / (1 + LOAD_WEIGHT * load[m.key]), m))
        scored.sort(key=lambda sm: (-sm[0], sm[1].key))
        picked = with_share(scored, k, share, lambda sm: sm[1].key in industry)[:PER_PROPOSAL * k]
        for rank, (score, m) in enumerate(picked, 1):
            rows.append({"stage_id": stage.id, "proposal_id": proposal.id, "user_id": m.key, "rank": rank,
                         "score": _text(score), "terms": list(m.terms), "industry": m.key in industry,
                         "computed_at": at})
        for _, m in picked[:k]:
            load[m.key] += 1
    ranking = sorted(relevance.items(), key=lambda kv: (-kv[1], kv[0]))[:RANKING_KEEP]
    for rank, (user_id, score) in enumerate(ranking, 1):
        rows.append({"stage_id": stage.id, "proposal_id": None, "user_id": user_id, "rank": rank,
                     "score": _text(score), "terms": [t for t, _ in term_weight[user_id].most_common(5)],
                     "industry": user_id in industry, "computed_at": at})

    db.session.execute(delete(Recommendation).where(Recommendation.stage_id == stage.id))
    if rows:
        db.session.execute(insert(Recommendation), rows)
    run = run_of(stage) or RecommendationRun(call_id=call.id, stage_id=stage.id, requested_at=at)
    run.computed_at, run.candidates, run.unavailable, run.conflicts = at, len(pool), unavailable, conflicts
    db.session.add(run)
    db.session.flush()
    audit.record(None, "panel.recommended", run, call_id=call.id, stage=stage.position, candidates=len(pool),
                 proposals=len(conflicts), unavailable=unavailable, ranked=len(ranking))
    return run


def compute_by_id(stage_id: int) -> RecommendationRun | None:
    """The task's entry: the stage read fresh; nothing when it is gone."""
    stage = db.session.get(EvaluationStage, stage_id)
    return compute(stage) if stage is not None else None


def run_of(stage: EvaluationStage) -> RecommendationRun | None:
    return db.session.scalar(select(RecommendationRun).where(RecommendationRun.stage_id == stage.id))


# --- asking for it, and handing it to a worker -------------------------------------------------

class RecommendError(ReviewError):
    pass


def pending(run: RecommendationRun | None) -> bool:
    """Asked for and not computed since."""
    return run is not None and (run.computed_at is None or run.computed_at < run.requested_at)


def request(stage: EvaluationStage, actor) -> RecommendationRun:
    """Ask for fresh recommendations: computed after the commit by a worker, or at once without one."""
    if stage.confirmed_at is not None:
        raise RecommendError(_l("확정된 평가 단계의 평가위원은 추천하지 않습니다."))
    run = run_of(stage) or RecommendationRun(call_id=stage.call_id, stage_id=stage.id)
    run.requested_at, run.requested_by_id = clock.now(), actor.id
    db.session.add(run)
    db.session.flush()
    audit.record(actor, "panel.recommendation_requested", run, call_id=stage.call_id, stage=stage.position)
    if current_app.config.get("TASKS_EAGER"):
        compute(stage)
    else:
        db.session.info.setdefault("recommend_stage_ids", []).append(stage.id)
    return run


@event.listens_for(Session, "after_commit")
def _hand_over(session: Session) -> None:
    # Only once the request is committed: a worker reading it earlier would find nothing asked.
    if session.in_nested_transaction():
        return
    ids = session.info.pop("recommend_stage_ids", None)
    if not ids or not has_app_context():
        return
    for stage_id in ids:
        try:
            tasks.send(tasks.RECOMMEND_PANEL, stage_id)
        except Exception:  # noqa: BLE001 - broker down: the clock's sweep computes it
            current_app.logger.warning("broker unavailable; recommendations of stage %s left for the clock", stage_id)
            return


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    if not session.in_nested_transaction():
        session.info.pop("recommend_stage_ids", None)


def sweep(at) -> int:
    """Clock work: compute what was asked for over ``SWEEP_AFTER`` ago and never handed over or done."""
    runs = db.session.execute(select(RecommendationRun.stage_id, RecommendationRun.requested_at,
                                     RecommendationRun.computed_at)).all()
    due = [stage_id for stage_id, requested, computed in runs
           if (computed is None or computed < requested) and requested <= at - SWEEP_AFTER]
    done = 0
    for stage_id in due:
        try:
            done += compute_by_id(stage_id) is not None
            db.session.commit()
        except Exception:  # noqa: BLE001 - logged; the next tick tries again
            db.session.rollback()
            current_app.logger.exception("recommendations of stage %s failed", stage_id)
    return done


# --- what the officer's page reads -------------------------------------------------------------

def stored(stage: EvaluationStage) -> dict[int | None, list[Recommendation]]:
    """The stored lists by proposal id (``None``: the panel ranking), in rank order."""
    out: dict[int | None, list[Recommendation]] = {}
    for r in db.session.scalars(select(Recommendation).where(Recommendation.stage_id == stage.id)
                                .options(selectinload(Recommendation.user))
                                .order_by(Recommendation.proposal_id, Recommendation.rank)):
        out.setdefault(r.proposal_id, []).append(r)
    return out


def profiles_of(user_ids) -> dict[int, ReviewerProfile]:
    ids = list(set(user_ids))
    out = {}
    for i in range(0, len(ids), CHUNK):
        out.update({p.user_id: p for p in db.session.scalars(
            select(ReviewerProfile).where(ReviewerProfile.user_id.in_(ids[i:i + CHUNK]))
            .options(selectinload(ReviewerProfile.organisation)))})
    return out


def history_text(counts: Counter | None) -> str:
    """What the officer reads beside a candidate: "지난 공모 거절 2회, 무응답 1회"."""
    if not counts:
        return ""
    parts = []
    if counts[InvitationStatus.DECLINED]:
        parts.append(str(_l("지난 공모 거절 %(n)d회", n=counts[InvitationStatus.DECLINED])))
    if counts[InvitationStatus.EXPIRED]:
        parts.append(str(_l("무응답 %(n)d회", n=counts[InvitationStatus.EXPIRED])))
    return ", ".join(parts)
