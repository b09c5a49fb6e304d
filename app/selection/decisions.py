"""Deciding and announcing a call's selection: the officer's last two steps, guarded and audited."""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select

from app.calls.lifecycle import LifecycleError
from app import audit
from app.core import clock
from app.extensions import db
from app.models import Call, CallOutcome, Result
from app.models.calls import CallPhase
from app.models.webhooks import WebhookEvent
from app.notifications import webhooks
from app.selection import committee, readiness, results


def results_computed(call: Call) -> bool:
    count = db.session.scalar(select(func.count(Result.id)).where(Result.call_id == call.id)) or 0
    return count > 0


def decide_blocker(call: Call) -> str | None:
    """Why the selection cannot be decided yet, or None: results not computed, or stale, or the
    call's 심의위원회 has not approved exactly this selection."""
    if not results_computed(call):
        return _("평가 결과를 먼저 산출하십시오.")
    if readiness.is_stale(call):
        return _("결과 산출 뒤에 평가표나 적격 여부가 바뀌었습니다. 결과를 다시 산출하십시오.")
    return committee.decision_blocker(call)


def decide(call: Call, actor) -> None:
    if call.phase != CallPhase.IN_REVIEW:
        raise LifecycleError(_("평가 중인 공모만 선정을 확정할 수 있습니다."))
    blocker = decide_blocker(call)
    if blocker:
        raise LifecycleError(blocker)
    call.phase = CallPhase.DECIDED
    outcome = CallOutcome.of(call)
    outcome.decided_at = clock.now()
    outcome.decided_by_id = actor.id
    selected = db.session.scalars(
        select(Result.proposal_id).where(Result.call_id == call.id, Result.selected.is_(True)).order_by(Result.rank)
    ).all()
    audit.record(actor, "call.decided", call, selected=list(selected))


def announce(call: Call, actor) -> None:
    if call.phase != CallPhase.DECIDED:
        raise LifecycleError(_("선정이 확정된 공모만 결과를 발표할 수 있습니다."))
    call.phase = CallPhase.ANNOUNCED
    outcome = CallOutcome.of(call)
    outcome.announced_at = clock.now()
    outcome.announced_by_id = actor.id
    audit.record(actor, "call.announced", call)
    results.notify_announcement(call)
    webhooks.announce(call, WebhookEvent.RESULTS_ANNOUNCED)


STEPS = {"decide": decide, "announce": announce}
