"""The clock's work under a controlled clock: opening, closing and reminders, once each."""
from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEntry, Notification, OutboxMessage
from app.models.outbox import ReminderLog
from app.notifications import reminders
from app.core.clock import now
from tests.factories import (
    CallFactory, OrganisationFactory, ProgrammeFactory, ProposalFactory, UserFactory,
    applicant_with_consortium,
)


def keys() -> list[str]:
    return sorted(db.session.scalars(select(OutboxMessage.key)))


@pytest.fixture
def scene(app, clock):
    """A call closing in 8 days: one consortium still drafting (two applicants in its
    lead organisation, one member elsewhere), one that has submitted, an officer."""
    call = CallFactory(opens_at=now() - timedelta(days=30), closes_at=now() + timedelta(days=8))
    officer = UserFactory(organisation=call.programme.agency, roles=["officer"], email="officer@kicox.kr")
    drafter, drafting = applicant_with_consortium(email="lead@tp.kr")
    colleague = UserFactory(organisation=drafter.organisation, email="colleague@tp.kr")
    member_org = OrganisationFactory()
    UserFactory(organisation=member_org, email="member@univ.kr")  # a member, not the lead: not reminded
    from app.models import ConsortiumMember

    drafting.members.append(ConsortiumMember(organisation=member_org, role="university", confirmed_at=now()))
    draft = ProposalFactory(call=call, consortium=drafting, title="창원 AX 실증산단")
    submitter, done = applicant_with_consortium(email="done@tp.kr")
    ProposalFactory(call=call, consortium=done, status="submitted", receipt_no=f"{call.code}-0001",
                    title="구미 AX 실증산단")
    db.session.commit()
    return dict(call=call, officer=officer, drafter=drafter, colleague=colleague, draft=draft,
                submitter=submitter)


def test_reminders_go_at_their_offsets_to_drafting_lead_applicants_only(scene, clock, sent):
    call, drafter, colleague = scene["call"], scene["drafter"], scene["colleague"]
    closes = call.closes_at

    reminders.run()
    assert keys() == []

    clock.move_to(closes - timedelta(days=7) + timedelta(minutes=1))
    assert reminders.run()["deadline_reminders"] == 2
    assert keys() == [f"deadline:{call.id}:d7:{drafter.id}", f"deadline:{call.id}:d7:{colleague.id}"]
    assert sorted(m["To"] for m in sent) == ["colleague@tp.kr", "lead@tp.kr"]
    assert sent[0]["Subject"] == f"[공모] {call.title} 접수 마감 7일 전입니다"
    body = sent[0].get_body(("plain",)).get_content()
    assert "창원 AX 실증산단" in body and "아직 제출되지 않았습니다" in body
    assert clock_text(closes) in body

    clock.shift(timedelta(minutes=1))
    assert reminders.run()["deadline_reminders"] == 0  # never twice

    clock.move_to(closes - timedelta(days=3))
    reminders.run()
    clock.move_to(closes - timedelta(days=1) + timedelta(hours=1))
    reminders.run()
    kinds = Counter(k.split(":")[2] for k in keys())
    assert kinds == {"d7": 2, "d3": 2, "d1": 2}
    assert len(sent) == 6


def clock_text(instant) -> str:
    from app.core.clock import to_kst

    return to_kst(instant).strftime("%Y-%m-%d %H:%M") + " KST"


def test_a_late_beat_sends_only_the_latest_due_reminder(scene, clock, sent):
    call = scene["call"]
    # The beat was down from before D-7 until two hours before closing.
    clock.move_to(call.closes_at - timedelta(hours=2))
    reminders.run()
    reminders.run()

    assert {k.split(":")[2] for k in keys()} == {"h3"}
    assert len(sent) == 2
    assert "3시간 전" in sent[0]["Subject"]


def test_a_submitted_proposal_gets_no_reminder_but_a_withdrawn_one_does(scene, clock, sent):
    scene["draft"].status = "withdrawn"
    db.session.commit()
    clock.move_to(scene["call"].closes_at - timedelta(days=1))
    reminders.run()

    assert {m["To"] for m in sent} == {"lead@tp.kr", "colleague@tp.kr"}
    assert "철회된 상태" in sent[0].get_body(("plain",)).get_content()


def test_a_short_call_skips_reminders_that_would_precede_its_opening(app, clock, sent):
    drafter, consortium = applicant_with_consortium()
    call = CallFactory(opens_at=now(), closes_at=now() + timedelta(days=2))
    ProposalFactory(call=call, consortium=consortium)
    db.session.commit()

    reminders.run()  # D-3 and D-7 fall before the opening
    assert keys() == []
    clock.move_to(call.closes_at - timedelta(hours=20))
    reminders.run()
    assert keys() == [f"deadline:{call.id}:d1:{drafter.id}"]


def test_the_call_closes_at_its_instant_and_tells_officers_and_consortia_once(scene, clock, sent):
    call = scene["call"]
    clock.move_to(call.closes_at - timedelta(seconds=1))
    assert reminders.close_calls(now()) == 0
    assert call.is_open()

    clock.move_to(call.closes_at)
    assert reminders.run()["closed"] == 1
    assert reminders.run()["closed"] == 0
    assert call.status() == "closed"

    by_to = {m["To"]: m for m in sent}
    assert set(by_to) == {"officer@kicox.kr", "lead@tp.kr", "colleague@tp.kr", "done@tp.kr"}
    officer_body = by_to["officer@kicox.kr"].get_body(("plain",)).get_content()
    assert "제출된 신청서: 1건" in officer_body and "제출되지 않은 신청서: 1건" in officer_body
    assert f"{call.code}-0001" in by_to["done@tp.kr"].get_body(("plain",)).get_content()
    assert "접수되지 않았습니다" in by_to["lead@tp.kr"].get_body(("plain",)).get_content()
    assert all(m["Subject"] == f"[공모] {call.title} 접수 마감" for m in sent)
    assert db.session.scalar(select(AuditEntry.action).where(AuditEntry.action == "call.closed")) == "call.closed"
    # Nothing is reminded after the closing instant.
    assert not [k for k in keys() if k.startswith("deadline:")]


def test_opening_tells_only_subscribers_once(app, clock, sent):
    programme = ProgrammeFactory()
    fan = UserFactory(email="fan@example.kr")
    UserFactory(email="other@example.kr")
    reminders.subscribe(fan, programme)
    call = CallFactory(programme=programme, opens_at=now() + timedelta(hours=1), closes_at=now() + timedelta(days=40))
    db.session.commit()

    assert reminders.run()["opened"] == 0
    clock.move_to(call.opens_at)
    assert reminders.run()["opened"] == 1
    assert reminders.run()["opened"] == 0

    assert [m["To"] for m in sent] == ["fan@example.kr"]
    assert sent[0]["Subject"] == f"[공모] {call.title} 접수 시작 안내"
    assert f"/calls/{call.code}" in sent[0].get_body(("plain",)).get_content()
    note = db.session.scalar(select(Notification).where(Notification.user_id == fan.id))
    assert note.url == f"/calls/{call.code}" and not note.read


def test_long_past_instants_are_recorded_without_mail(app, clock, sent):
    programme = ProgrammeFactory()
    reminders.subscribe(UserFactory(), programme)
    CallFactory(programme=programme, opens_at=now() - timedelta(days=10), closes_at=now() + timedelta(days=30))
    CallFactory(programme=programme, opens_at=now() - timedelta(days=60), closes_at=now() - timedelta(days=20))
    db.session.commit()

    # Other domains' clock work (panel rounds, reminders.CLOCK_WORK) has nothing to do here.
    assert {k: v for k, v in reminders.run().items() if k not in reminders.CLOCK_WORK} == {
        "opened": 1, "closed": 1, "deadline_reminders": 0, "review_reminders": 0}
    assert not any(reminders.run().values())
    assert sent == []
    assert db.session.query(ReminderLog).count() == 2


def test_concurrent_beats_send_each_reminder_once(scene, app, clock, sent):
    call = scene["call"]
    clock.move_to(call.closes_at - timedelta(days=3))
    barrier = threading.Barrier(4)
    errors = []

    def beat():
        with app.app_context():
            try:
                barrier.wait()
                reminders.run()
            except Exception as exc:  # noqa: BLE001 - reported below
                errors.append(exc)

    threads = [threading.Thread(target=beat) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    assert Counter(m["X-Gongmo-Key"] for m in sent) == {
        f"deadline:{call.id}:d3:{scene['drafter'].id}": 1, f"deadline:{call.id}:d3:{scene['colleague'].id}": 1,
    }


def test_review_reminders_two_days_before_due_and_once_overdue(app, clock, sent):
    from app.models.review import ReviewAssignment, ReviewSheet

    call = CallFactory(opens_at=now() - timedelta(days=40), closes_at=now() - timedelta(days=1), phase="in_review")
    proposal = ProposalFactory(call=call, status="submitted", title="구미 AX")
    reviewer = UserFactory(roles=["reviewer"], email="rev@example.kr")
    done_reviewer = UserFactory(roles=["reviewer"])
    due = now() + timedelta(days=5)
    finished = ReviewAssignment(call_id=call.id, proposal_id=proposal.id, reviewer_id=done_reviewer.id,
                                stage_id=call.stages[1].id,
                                due_at=due, coi_status="declared")
    db.session.add_all([ReviewAssignment(call_id=call.id, proposal_id=proposal.id, reviewer_id=reviewer.id,
                                         stage_id=call.stages[1].id,
                                         due_at=due, coi_status="declared"), finished])
    db.session.flush()
    db.session.add(ReviewSheet(assignment_id=finished.id, status="submitted", submitted_at=now()))
    db.session.commit()

    reminders.run()
    assert sent == []
    clock.move_to(due - timedelta(days=2))
    reminders.run()
    reminders.run()
    clock.move_to(due + timedelta(hours=1))
    reminders.run()
    reminders.run()

    assert [m["To"] for m in sent] == ["rev@example.kr", "rev@example.kr"]
    assert "2일 전" in sent[0]["Subject"] and "구미 AX" in sent[0].get_body(("plain",)).get_content()
    assert "기한이 지났습니다" in sent[1]["Subject"]
