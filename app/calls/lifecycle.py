"""A call's phases after drafting: the steps the officer takes, each guarded and audited.

Opening and closing follow the clock (``Call.status()``); every other step is the
officer's action and is refused when the call is not ready for it.
"""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import func, select

from app.extensions import db
from app.models import Call, CallOutcome, Result
from app.core import audit, clock


class LifecycleError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def results_computed(call: Call) -> bool:
    count = db.session.scalar(select(func.count(Result.id)).where(Result.call_id == call.id)) or 0
    return count > 0


def next_step(call: Call) -> str | None:
    """The officer's next action on the call's lifecycle, or None while the clock decides."""
    return {
        "draft": "publish",
        "closed": "start_review",
        "in_review": "decide",
        "decided": "announce",
    }.get(call.status())


def publish(call: Call, actor) -> None:
    if call.phase != "draft":
        raise LifecycleError(_("작성 중인 공모만 게시할 수 있습니다."))
    from app.calls import call_admin  # the rubric rules live there

    problems = call_admin.rubric_problems(call.rubric, call.policy)
    if problems:
        raise LifecycleError(_("평가표에 오류가 있어 게시할 수 없습니다: %(p)s", p=problems[0][1]))
    if call.closes_at <= call.opens_at:
        raise LifecycleError(_("마감 시각이 접수 시작 시각보다 늦어야 합니다."))
    call.phase = "published"
    audit.record(actor, "call.published", call, opens_at=call.opens_at.isoformat(), closes_at=call.closes_at.isoformat())


def start_review(call: Call, actor) -> None:
    if call.status() != "closed":
        raise LifecycleError(_("접수가 마감된 뒤에만 평가를 시작할 수 있습니다."))
    call.phase = "in_review"
    audit.record(actor, "call.in_review", call)


def decide(call: Call, actor) -> None:
    if call.phase != "in_review":
        raise LifecycleError(_("평가 중인 공모만 선정을 확정할 수 있습니다."))
    if not results_computed(call):
        raise LifecycleError(_("평가 결과를 먼저 산출하십시오."))
    call.phase = "decided"
    outcome = CallOutcome.of(call)
    outcome.decided_at = clock.now()
    outcome.decided_by_id = actor.id
    selected = db.session.scalars(
        select(Result.proposal_id).where(Result.call_id == call.id, Result.selected.is_(True)).order_by(Result.rank)
    ).all()
    audit.record(actor, "call.decided", call, selected=list(selected))


def announce(call: Call, actor) -> None:
    if call.phase != "decided":
        raise LifecycleError(_("선정이 확정된 공모만 결과를 발표할 수 있습니다."))
    call.phase = "announced"
    outcome = CallOutcome.of(call)
    outcome.announced_at = clock.now()
    outcome.announced_by_id = actor.id
    audit.record(actor, "call.announced", call)
    from app.selection import results  # results notify; imported late to keep the modules one-way

    results.notify_announcement(call)


STEPS = {"publish": publish, "start_review": start_review, "decide": decide, "announce": announce}
