from datetime import timedelta

import pytest
from sqlalchemy import select

from app.models import AuditEntry
from app.core import clock as app_clock
from app.calls import lifecycle
from app.selection import decisions
from app.selection import results, screening
from app.calls.lifecycle import LifecycleError
from tests.app.builders import submitted_proposal, uniform_sheets
from tests.factories import CallFactory, closed_call, officer_for


def test_a_draft_opens_and_closes_by_the_clock_once_published(app, clock):
    call = CallFactory(phase="draft", opens_at=app_clock.now() + timedelta(days=1),
                       closes_at=app_clock.now() + timedelta(days=41))
    officer = officer_for(call)
    assert call.status() == "draft"
    lifecycle.publish(call, officer)
    assert call.status() == "upcoming"
    clock.shift(timedelta(days=2))
    assert call.status() == "open"
    clock.shift(timedelta(days=40))
    assert call.status() == "closed"
    assert lifecycle.next_step(call) == "start_review"


def test_publishing_refuses_a_rubric_that_does_not_add_up(app):
    call = CallFactory(phase="draft")
    call.rubric = dict(call.rubric, criteria=call.rubric["criteria"][:-1])  # 95 points
    with pytest.raises(LifecycleError):
        lifecycle.publish(call, officer_for(call))


def test_review_starts_only_after_closing(app, clock):
    call = CallFactory()
    officer = officer_for(call)
    with pytest.raises(LifecycleError):
        lifecycle.start_review(call, officer)
    clock.shift(timedelta(days=31))
    lifecycle.start_review(call, officer)
    assert call.status() == "in_review"


def test_decided_only_after_results_and_announced_only_after_decided(app, db_session):
    call = closed_call()
    officer = officer_for(call)
    p = submitted_proposal(call, "창원")
    screening.decide(p, officer, "confirmed", "")
    lifecycle.start_review(call, officer)
    with pytest.raises(LifecycleError):
        decisions.announce(call, officer)
    with pytest.raises(LifecycleError):
        decisions.decide(call, officer)
    results.compute(call, officer, uniform_sheets(p, "27", "22", "9", "9"))
    decisions.decide(call, officer)
    assert call.status() == "decided"
    decisions.announce(call, officer)
    assert call.status() == "announced"
    actions = db_session.scalars(select(AuditEntry.action).where(AuditEntry.object_type == "call").order_by(AuditEntry.id)).all()
    assert actions == ["call.in_review", "results.computed", "call.decided", "call.announced"]
    decided = db_session.scalar(select(AuditEntry).where(AuditEntry.action == "call.decided"))
    assert decided.data["selected"] == [p.id]
