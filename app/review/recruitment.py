"""Inviting a stage's panel in rounds (평가위원 위촉), until its seats are filled.

The officer starts a recruitment for a stage once its recommendations are computed: ``seats``
(the panel to form; by default the stage's panel size plus ``RESERVE``), an invitation factor
(3: agencies invite about three times the panel), the days to answer and the wanted share of
industry reviewers. Round 1 invites the first ``factor × seats`` people of the stage's panel
ranking not yet invited (nor already in the call's pool), the industry share kept. Each gets a
mail with a single-use link (only its hash is stored) to accept, or decline with a reason, by
the deadline; the link's page needs no login.

An acceptance while seats are free puts the person in the call's pool (``reviewers.invite``,
the officer's own path: it mails the appointment, with a set-password link for an account
never used), so the panel fills in the order people accept, among candidates invited in rank
order. When it is full, every open invitation becomes ``not_needed`` and its person is thanked;
the officers are told. A decline keeps its reason. The clock (``tick``, on every beat) expires
unanswered invitations at their deadline; whenever no invitation is open and seats are still
free, the next round invites the next candidates (``factor × free seats``). When nobody is
left, the recruitment closes as ``exhausted`` and the officers are told. Declines and expiries
are the history ``recommend`` remembers in later calls. Everything is audited.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app import audit
from app.core import clock
from app.core.errors import ReviewError
from app.core.links import portal_url
from app.extensions import db
from app.models import Call, ReviewerPoolEntry, User
from app.models.calls import CallStatus
from app.models.honoraria import HonorariumRate, RateBasis
from app.models.panels import InvitationStatus, PanelInvitation, Recommendation, Recruitment
from app.models.stages import EvaluationStage
from app.notifications import outbox, reminders
from app.notifications.contacts import call_officers
from app.review import recommend, reviewers, stage_scope

# Two seats beyond the per-proposal panel: the pool refills a recusal from itself, and the
# identity rules keep some members off some proposals, so a pool of exactly the panel size
# would leave a seat empty at the first conflict. Two spare members cover a proposal that loses
# two (a 제척 and a 회피) without a second recruitment.
RESERVE = 2
DEFAULT_FACTOR = 3
DEFAULT_RESPONSE_DAYS = 5
LIMITS = {"seats": (1, 200), "invite_factor": (1, 10), "response_days": (1, 30)}
CLOSED_CALL = (CallStatus.DECIDED, CallStatus.ANNOUNCED)


STATUS_LABELS = {
    InvitationStatus.INVITED: _l("응답 대기"), InvitationStatus.ACCEPTED: _l("수락"),
    InvitationStatus.DECLINED: _l("사양"), InvitationStatus.EXPIRED: _l("무응답"),
    InvitationStatus.NOT_NEEDED: _l("불필요"), InvitationStatus.WITHDRAWN: _l("철회"),
}


class RecruitmentError(ReviewError):
    pass


def default_seats(stage: EvaluationStage) -> int:
    return stage_scope.panel_size(stage) + RESERVE


def recruitment_of(stage: EvaluationStage) -> Recruitment | None:
    return db.session.scalar(select(Recruitment).where(Recruitment.stage_id == stage.id))


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_for_token(token: str) -> PanelInvitation | None:
    if not token or len(token) > 200:
        return None
    return db.session.scalar(select(PanelInvitation).where(PanelInvitation.token_hash == token_hash(token)))


def _lock(recruitment: Recruitment) -> Recruitment:
    """The recruitment's row lock: seats are counted and filled by one transaction at a time."""
    return db.session.execute(select(Recruitment).where(Recruitment.id == recruitment.id).with_for_update()
                              .execution_options(populate_existing=True)).scalar_one()


def _count(recruitment: Recruitment, status: str) -> int:
    return sum(1 for i in recruitment.invitations if i.status == status)


# --- starting, and each round --------------------------------------------------------------------

def _number(name: str, value, field: str) -> int:
    low, high = LIMITS[name]
    try:
        n = int(value)
    except (TypeError, ValueError):
        n = None
    if n is None or not low <= n <= high:
        raise RecruitmentError(_l("%(low)d에서 %(high)d 사이의 정수를 입력하십시오.", low=low, high=high), field=field)
    return n


def _share(value) -> Decimal:
    try:
        share = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        share = None
    if share is None or not Decimal(0) <= share <= Decimal(1):
        raise RecruitmentError(_l("산업계 비율은 0에서 1 사이로 입력하십시오 (예: 0.3)."), field="industry_share")
    return share


def start(stage: EvaluationStage, actor, *, seats, invite_factor, response_days, industry_share) -> Recruitment:
    """Start (or, once closed, resume with new settings) the stage's recruitment and invite round 1."""
    call = stage.call
    if stage.confirmed_at is not None or call.status() in CLOSED_CALL:
        raise RecruitmentError(_l("확정된 평가 단계나 결과가 확정된 공모의 평가위원은 모집할 수 없습니다."))
    values = {"seats": _number("seats", seats, "seats"),
              "invite_factor": _number("invite_factor", invite_factor, "invite_factor"),
              "response_days": _number("response_days", response_days, "response_days"),
              "industry_share": _share(industry_share)}
    run = recommend.run_of(stage)
    if run is None or run.computed_at is None:
        raise RecruitmentError(_l("먼저 평가위원 추천을 계산하십시오."))
    r = recruitment_of(stage)
    if r is not None and r.closed_at is None:
        raise RecruitmentError(_l("이미 평가위원을 모집하고 있습니다."))
    at = clock.now()
    if r is None:
        r = Recruitment(call_id=call.id, stage_id=stage.id, started_by_id=actor.id, started_at=at, **values)
        db.session.add(r)
        db.session.flush()
        audit.record(actor, "panel.recruitment_started", r, call_id=call.id, stage=stage.position,
                     **{k: str(v) for k, v in values.items()})
    else:
        before = {k: str(getattr(r, k)) for k in values}
        for k, v in values.items():
            setattr(r, k, v)
        r.closed_at, r.closed_reason = None, ""
        audit.record(actor, "panel.recruitment_resumed", r, call_id=call.id, stage=stage.position,
                     changes=audit.changes(before, {k: str(v) for k, v in values.items()}))
    invite_round(r, at)
    return r


def invite_round(r: Recruitment, at: datetime) -> list[PanelInvitation]:
    """Invite ``factor × free seats`` more of the ranking (none while invitations are open beyond that)."""
    accepted, open_ = _count(r, InvitationStatus.ACCEPTED), _count(r, InvitationStatus.INVITED)
    free = r.seats - accepted
    if free <= 0:
        _close(r, at, "full")
        return []
    wanted = r.invite_factor * free - open_
    if wanted <= 0:
        return []
    picks = _next_candidates(r, wanted)
    if not picks:
        if open_ == 0:
            _close(r, at, "exhausted")
        return []
    r.current_round += 1
    history = recommend.answer_history([rec.user_id for rec in picks], besides_stage=r.stage_id)
    made = [_invite(r, rec, history.get(rec.user_id), at) for rec in picks]
    audit.record(None, "panel.round_invited", r, call_id=r.call_id, round=r.current_round,
                 invited=[i.user_id for i in made], free_seats=free)
    return made


def _next_candidates(r: Recruitment, wanted: int) -> list[Recommendation]:
    ranking = list(db.session.scalars(select(Recommendation).where(
        Recommendation.stage_id == r.stage_id, Recommendation.proposal_id.is_(None))
        .options(selectinload(Recommendation.user)).order_by(Recommendation.rank)))
    taken = {i.user_id for i in r.invitations} | set(db.session.scalars(
        select(ReviewerPoolEntry.user_id).where(ReviewerPoolEntry.call_id == r.call_id)))
    profiles = recommend.profiles_of(rec.user_id for rec in ranking if rec.user_id not in taken)
    today = clock.to_kst(clock.now()).date()
    free = [rec for rec in ranking if rec.user_id not in taken and rec.user_id in profiles
            and recommend.is_available(profiles[rec.user_id], today) and rec.user.active]
    return recommend.with_share(free, wanted, Decimal(r.industry_share), lambda rec: rec.industry)[:wanted]


def _invite(r: Recruitment, rec: Recommendation, history, at: datetime) -> PanelInvitation:
    token = secrets.token_urlsafe(32)
    explanation = str(_l("일치: %(terms)s", terms=", ".join(rec.terms))) if rec.terms else ""
    past = recommend.history_text(history)
    invitation = PanelInvitation(
        recruitment=r, call_id=r.call_id, stage_id=r.stage_id, user_id=rec.user_id, round=r.current_round,
        rank=rec.rank, score=rec.score, explanation=" · ".join(p for p in (explanation, past) if p),
        status=InvitationStatus.INVITED, token_hash=token_hash(token), invited_at=at,
        respond_by=at + timedelta(days=r.response_days))
    db.session.add(invitation)
    db.session.flush()
    user = rec.user
    stage = db.session.get(EvaluationStage, r.stage_id)
    context = {**_stage_context(stage), "name": user.name, "respond_by": reviewers.kst_text(invitation.respond_by),
               "answer_url": portal_url("review.invitation", token=token)}
    outbox.queue(f"panel-invitation:{invitation.id}", "panel_invitation", user, context,
                 in_app=outbox.notice("'%(call)s' 평가위원 위촉 요청이 도착했습니다.", call=stage.call.title))
    return invitation


# --- answers -------------------------------------------------------------------------------------

def _ensure_open(invitation: PanelInvitation, at: datetime) -> None:
    if invitation.status != InvitationStatus.INVITED:
        raise RecruitmentError(_l("이미 처리된 요청입니다. 이 링크는 한 번만 쓸 수 있습니다."))
    if at >= invitation.respond_by:
        raise RecruitmentError(_l("응답 기한이 지났습니다."))


def accept(invitation: PanelInvitation) -> PanelInvitation:
    """Join the call's panel if a seat is free; the last seat closes the recruitment."""
    at = clock.now()
    r = _lock(invitation.recruitment)
    db.session.refresh(invitation)
    _ensure_open(invitation, at)
    user = invitation.user
    if _count(r, InvitationStatus.ACCEPTED) >= r.seats:
        _not_needed(invitation, at)
        return invitation
    invitation.status, invitation.responded_at = InvitationStatus.ACCEPTED, at
    audit.record(user, "panel.invitation_accepted", invitation, call_id=r.call_id, user_id=user.id,
                 round=invitation.round)
    if reviewers.entry_for(r.call, user.id) is None:
        profile = recommend.profiles_of([user.id]).get(user.id)
        reviewers.invite(r.call, email=user.email, name=user.name,
                         organisation_name=profile.affiliation if profile else "",
                         department=profile.department if profile else "", actor=r.started_by)
    if _count(r, InvitationStatus.ACCEPTED) >= r.seats:
        _close(r, at, "full")
    elif _count(r, InvitationStatus.INVITED) == 0:
        invite_round(r, at)  # the round has answered and seats are still free
    return invitation


def decline(invitation: PanelInvitation, reason: str) -> PanelInvitation:
    reason = (reason or "").strip()
    if not reason:
        raise RecruitmentError(_l("사양하는 사유를 입력하십시오."), field="reason")
    at = clock.now()
    r = _lock(invitation.recruitment)
    db.session.refresh(invitation)
    _ensure_open(invitation, at)
    invitation.status, invitation.responded_at, invitation.decline_reason = InvitationStatus.DECLINED, at, reason
    audit.record(invitation.user, "panel.invitation_declined", invitation, call_id=r.call_id,
                 user_id=invitation.user_id, round=invitation.round, reason=reason)
    if _count(r, InvitationStatus.INVITED) == 0:
        invite_round(r, at)  # everyone of the round has answered: no need to wait for the deadline
    return invitation


def _not_needed(invitation: PanelInvitation, at: datetime) -> None:
    invitation.status, invitation.responded_at = InvitationStatus.NOT_NEEDED, at
    audit.record(None, "panel.invitation_not_needed", invitation, call_id=invitation.call_id, user_id=invitation.user_id)
    stage = db.session.get(EvaluationStage, invitation.stage_id)
    outbox.queue(f"panel-not-needed:{invitation.id}", "panel_not_needed", invitation.user,
                 {**_stage_context(stage), "name": invitation.user.name},
                 in_app=outbox.notice("'%(call)s' 평가위원 구성이 완료되어 요청을 마감했습니다.", call=stage.call.title))


def _close(r: Recruitment, at: datetime, reason: str) -> None:
    if r.closed_at is not None:
        return
    r.closed_at, r.closed_reason = at, reason
    if reason == "full":
        for invitation in r.invitations:
            if invitation.status == InvitationStatus.INVITED:
                _not_needed(invitation, at)
    accepted = _count(r, InvitationStatus.ACCEPTED)
    audit.record(None, f"panel.recruitment_{reason}", r, call_id=r.call_id, accepted=accepted, seats=r.seats,
                 rounds=r.current_round)
    stage = db.session.get(EvaluationStage, r.stage_id)
    url = portal_url("officer.panel", call_id=r.call_id, stage_id=r.stage_id)
    notice = (outbox.notice("'%(call)s' 평가위원 %(n)d명 구성이 완료되었습니다.", call=stage.call.title, n=accepted)
              if reason == "full" else
              outbox.notice("'%(call)s' 평가위원 후보가 더 없습니다. %(n)d명 중 %(k)d명만 수락했습니다.",
                            call=stage.call.title, n=r.seats, k=accepted))
    for officer in call_officers(stage.call):
        outbox.queue(f"panel-{reason}:{r.id}:{r.current_round}:{officer.id}", "panel_recruitment", officer,
                     {**_stage_context(stage), "name": officer.name, "kind": reason, "accepted": accepted,
                      "seats": r.seats, "panel_url": url},
                     in_app=notice, url=portal_url("officer.panel", call_id=r.call_id, stage_id=r.stage_id,
                                                  external=False))


# --- the clock -----------------------------------------------------------------------------------

def tick(at: datetime) -> int:
    """Expire what was not answered in time and invite the next round; each recruitment in its own transaction."""
    ids = db.session.scalars(select(Recruitment.id).where(Recruitment.closed_at.is_(None))
                             .order_by(Recruitment.id)).all()
    return reminders.each_row(Recruitment, ids, lambda recruitment: _tick_one(recruitment, at))


def _tick_one(r: Recruitment, at: datetime) -> int:
    r = _lock(r)
    if r.closed_at is not None:
        return 0
    expired = [i for i in r.invitations if i.status == InvitationStatus.INVITED and i.respond_by <= at]
    for invitation in expired:
        invitation.status = InvitationStatus.EXPIRED
        audit.record(None, "panel.invitation_expired", invitation, call_id=r.call_id, user_id=invitation.user_id,
                     round=invitation.round)
    stage = db.session.get(EvaluationStage, r.stage_id)
    settled = stage.confirmed_at is not None or r.call.status(at) in CLOSED_CALL  # no new rounds any more
    invited = invite_round(r, at) if _count(r, InvitationStatus.INVITED) == 0 and not settled else []
    return len(expired) + len(invited)


reminders.on_the_clock("panel_rounds", tick)
reminders.on_the_clock("panel_recommendations", recommend.sweep)


# --- what the pages show ---------------------------------------------------------------------------

def honorarium_text(stage: EvaluationStage) -> str:
    rate = db.session.scalar(select(HonorariumRate).where(HonorariumRate.stage_id == stage.id))
    if rate is None:
        return ""
    amount = f"{rate.amount_won:,}"
    return str({RateBasis.PROPOSAL: _l("신청서 1건당 %(won)s원", won=amount),
                RateBasis.HALF_DAY: _l("반일 1회당 %(won)s원", won=amount),
                RateBasis.DAY: _l("1일당 %(won)s원", won=amount)}.get(rate.basis, ""))


def _stage_context(stage: EvaluationStage) -> dict:
    """All an invitee may learn: the call's title, the stage, its dates and the honorarium basis."""
    call: Call = stage.call
    # The stage's kind: templates name it (``namespace(kind=stage)|stage_title``) in the reader's language.
    return {"call_title": call.title, "stage": stage.kind,
            "review_due_at": reviewers.kst_text(stage.due_at or call.review_due_at),
            "honorarium": honorarium_text(stage)}


def stage_facts(stage: EvaluationStage) -> dict:
    return _stage_context(stage)


def funnel(r: Recruitment | None) -> list[dict]:
    """Per round: how many were invited and what became of them."""
    if r is None:
        return []
    rounds: dict[int, dict] = {}
    for i in r.invitations:
        # "sent": everyone invited in the round; each status ("invited" = still open) counts apart.
        row = rounds.setdefault(i.round, {"round": i.round, "sent": 0, **{s.value: 0 for s in InvitationStatus}})
        row["sent"] += 1
        row[i.status] += 1
    return [rounds[n] for n in sorted(rounds)]


def people(user_ids) -> dict[int, User]:
    ids = list(set(user_ids))
    return {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))} if ids else {}
