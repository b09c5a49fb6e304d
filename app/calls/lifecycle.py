"""A call's phases after drafting: the steps the officer takes, each guarded and audited.

Opening and closing follow the clock (``Call.status()``); publishing and starting the
review are the officer's steps here; deciding and announcing are the selection's
(``app.selection.decisions``). Each is refused when the call is not ready for it.
"""
from __future__ import annotations

from flask_babel import gettext as _

from app.models import Call
from app.models.calls import CallPhase, CallStatus
from app import audit
from app.calls import call_sections
from app.core.errors import CallsError
from app.models.webhooks import WebhookEvent
from app.notifications import webhooks


class LifecycleError(CallsError):
    pass


def next_step(call: Call) -> str | None:
    """The officer's next action on the call's lifecycle, or None while the clock decides."""
    return {
        CallStatus.DRAFT: "publish",
        CallStatus.CLOSED: "start_review",
        CallStatus.IN_REVIEW: "decide",
        CallStatus.DECIDED: "announce",
    }.get(call.status())


def publish(call: Call, actor) -> None:
    if call.phase != CallPhase.DRAFT:
        raise LifecycleError(_("작성 중인 공모만 게시할 수 있습니다."))
    from app.calls import call_admin  # the rubric rules live there

    problems = call_admin.rubric_problems(call.rubric, call.policy)
    if problems:
        raise LifecycleError(_("평가표에 오류가 있어 게시할 수 없습니다: %(p)s", p=problems[0][1]))
    if call.closes_at <= call.opens_at:
        raise LifecycleError(_("마감 시각이 접수 시작 시각보다 늦어야 합니다."))
    form_problem = call_sections.publication_problem(call)
    if form_problem:  # the form freezes at publication: it must be one applicants can fill in
        raise LifecycleError(form_problem)
    call.phase = CallPhase.PUBLISHED
    audit.record(actor, "call.published", call, opens_at=call.opens_at.isoformat(), closes_at=call.closes_at.isoformat())
    webhooks.announce(call, WebhookEvent.CALL_PUBLISHED)


def start_review(call: Call, actor) -> None:
    if call.status() != CallStatus.CLOSED:
        raise LifecycleError(_("접수가 마감된 뒤에만 평가를 시작할 수 있습니다."))
    call.phase = CallPhase.IN_REVIEW
    audit.record(actor, "call.in_review", call)


STEPS = {"publish": publish, "start_review": start_review}
