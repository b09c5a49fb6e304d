"""Evaluation stages run for real: panels, sheets and results per stage, a confirmed shortlist,
and a final ranking by weighted stage scores.

Four eligible proposals in four complexes, one award; 서면평가 by three reviewers, the top two go
on; 발표평가 by three reviewers on its own rubric; final = 서면 30 % + 발표 70 %.
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest
from sqlalchemy import select

from app.calls import lifecycle
from app.calls.stages import PRESENTATION_POLICY, PRESENTATION_RUBRIC
from app.extensions import db
from app.models import AuditEntry, Notification, Result, ReviewAssignment
from app.models.stages import EvaluationStage
from app.review import assignment, conflicts, review_sheets, stage_scope
from app.selection import decisions, results, screening, stage_results
from app.calls.lifecycle import LifecycleError
from tests.app.builders import applicant_of, pool_of, submitted_proposal
from tests.factories import closed_call, officer_for
from tests.support import sign_in

WRITTEN = {"창원": "27", "구미": "26", "반월": "25", "여수": "20"}
# The written runner-up presents far better: weighted, it wins the one award.
PRESENTATION = {"창원": {"content": "30", "feasibility": "22", "qa": "22"},
                "구미": {"content": "38", "feasibility": "28", "qa": "28"}}


def two_stage_call():
    call = closed_call()
    call.awards = 1
    call.policy = {**call.policy, "awards": 1}
    call.reviewers_per_proposal = 3
    written = call.stages[1]
    written.panel_size, written.shortlist_rule, written.shortlist_value, written.weight = 3, "top", 2, Decimal(30)
    call.stages.append(EvaluationStage(position=2, kind="presentation", panel_size=3, weight=Decimal(70),
                                       rubric=dict(PRESENTATION_RUBRIC),
                                       policy={**PRESENTATION_POLICY, "pass_mark": "60"}))
    call.final_score = "weighted"
    db.session.flush()
    return call


def sign_written(call, users):
    for a in db.session.scalars(select(ReviewAssignment).where(ReviewAssignment.call_id == call.id)):
        reviewer = next(u for u in users if u.id == a.reviewer_id)
        conflicts.declare_no_conflict(a, reviewer)
        review_sheets.submit(a, reviewer, points={"infra": WRITTEN[a.proposal.complex.name], "poc": "A",
                                                  "plan": "8.5", "alliance": "10"},
                             comments={}, overall_opinion="서면 종합의견")


@pytest.fixture
def staged(app):
    call = two_stage_call()
    officer = officer_for(call)
    proposals = {name: submitted_proposal(call, name, minutes_before_close=60 + i) for i, name in enumerate(WRITTEN)}
    for p in proposals.values():
        screening.decide(p, officer, "confirmed", "")
    lifecycle.start_review(call, officer)
    users = pool_of(call, officer, 4)
    assignment.auto_assign(call, officer)
    sign_written(call, users)
    db.session.commit()
    return call, officer, proposals, users


def test_each_stage_has_its_panel_sheets_and_results_and_the_final_weights_them(staged):
    call, officer, proposals, users = staged
    written, presentation = stage_scope.evaluation_stages(call)
    assert stage_scope.current_stage(call) is written
    assert stage_scope.proposal_ids_in(presentation) == []  # nobody presents before the shortlist

    rows = results.compute(call, officer)
    assert [r.proposal_id for r in rows] == [proposals[n].id for n in ("창원", "구미", "반월", "여수")]
    assert db.session.scalar(select(Result).where(Result.call_id == call.id)) is None  # no ranking yet
    drawn = {r.proposal_id: r.breakdown["shortlist"]["advances"] for r in rows}
    assert drawn == {proposals["창원"].id: True, proposals["구미"].id: True, proposals["반월"].id: False,
                     proposals["여수"].id: False}
    assert all(r.advanced is None for r in rows)  # drawn, not yet confirmed
    # A stage's results are no selection: nothing to decide until the last stage is computed.
    with pytest.raises(LifecycleError, match="평가 결과를 먼저 산출하십시오"):
        decisions.decide(call, officer)
    stage_results.confirm(call, written, officer)
    db.session.commit()

    assert stage_scope.current_stage(call) is presentation
    assert stage_scope.proposal_ids_in(presentation) == sorted([proposals["창원"].id, proposals["구미"].id])
    # The written stage is frozen: its sheets cannot be reopened any more.
    sheet = db.session.scalars(select(ReviewAssignment).where(ReviewAssignment.stage_id == written.id)).first().sheet
    with pytest.raises(review_sheets.SheetError):
        review_sheets.reopen(sheet, officer, "점수 재확인 필요")
    db.session.rollback()
    # Everyone of the four consortia heard whether they go on.
    for name, goes_on in (("창원", True), ("반월", False)):
        notes = db.session.scalars(select(Notification).where(
            Notification.user_id == applicant_of(proposals[name]).id, Notification.kind == "stage_confirmed")).all()
        assert len(notes) == 1 and ("대상이 되었습니다" in notes[0].text) == goes_on

    created = assignment.auto_assign(call, officer).created
    assert len(created) == 6 and {a.stage_id for a in created} == {presentation.id}
    assert {a.proposal_id for a in created} == {proposals["창원"].id, proposals["구미"].id}
    # The sheet is on the presentation rubric: its criteria, not the written one's.
    a = created[0]
    reviewer = next(u for u in users if u.id == a.reviewer_id)
    conflicts.declare_no_conflict(a, reviewer)
    assert [c.key for c in review_sheets.criteria(a)] == ["content", "feasibility", "qa"]
    with pytest.raises(review_sheets.SheetInvalid) as refused:
        review_sheets.submit(a, reviewer, points={"infra": "27"}, comments={}, overall_opinion="발표 의견")
    assert "points:content" in refused.value.errors
    for a in created:
        reviewer = next(u for u in users if u.id == a.reviewer_id)
        if a.coi_status == "pending":
            conflicts.declare_no_conflict(a, reviewer)
        review_sheets.submit(a, reviewer, points=PRESENTATION[a.proposal.complex.name], comments={},
                             overall_opinion="발표 종합의견")
    db.session.commit()

    ranking = results.compute(call, officer)
    db.session.commit()
    by = {r.proposal_id: r for r in ranking}
    written_totals = {r.proposal_id: r.total for r in stage_scope.stage_results(written)}
    presented = {r.proposal_id: r.total for r in stage_scope.stage_results(presentation)}
    for name in ("창원", "구미"):
        pid = proposals[name].id
        exact = written_totals[pid] * Decimal("0.3") + presented[pid] * Decimal("0.7")
        assert by[pid].total == exact.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    # The written runner-up wins on the weighted score; the two left after 서면 rank below the finalists.
    assert [r.proposal_id for r in sorted(ranking, key=lambda r: r.rank)] == [
        proposals[n].id for n in ("구미", "창원", "반월", "여수")]
    assert [r.selected for r in sorted(ranking, key=lambda r: r.rank)] == [True, False, False, False]
    dropped = by[proposals["반월"].id]
    assert dropped.reason == "not shortlisted at written" and dropped.passed
    assert any("발표평가 대상 아님" in line or "다음 단계" in line for line in dropped.breakdown["explanation"]["ko"])
    assert any("서면" in line and "30%" in line for line in by[proposals["구미"].id].breakdown["explanation"]["ko"])
    decisions.decide(call, officer)
    db.session.commit()
    actions = set(db.session.scalars(select(AuditEntry.action).where(AuditEntry.call_id == call.id)))
    assert {"results.stage_computed", "results.stage_confirmed", "results.computed"} <= actions


def test_a_recusal_in_one_stage_keeps_the_reviewer_off_that_proposal_in_the_next(staged):
    call, officer, proposals, users = staged
    written, presentation = stage_scope.evaluation_stages(call)
    results.compute(call, officer)
    stage_results.confirm(call, written, officer)
    db.session.commit()
    # The first presentation seat's reviewer recuses; the refill never seats them again on it.
    created = assignment.auto_assign(call, officer).created
    seat = created[0]
    reviewer = next(u for u in users if u.id == seat.reviewer_id)
    conflicts.recuse(seat, reviewer, "발표 컨소시엄과 공동연구 중")
    db.session.commit()
    on_it = db.session.scalars(select(ReviewAssignment).where(
        ReviewAssignment.proposal_id == seat.proposal_id, ReviewAssignment.stage_id == presentation.id)).all()
    assert sum(1 for a in on_it if a.active) == 3 and reviewer.id not in {a.reviewer_id for a in on_it if a.active}


def test_the_officer_confirms_a_stage_on_a_page_that_says_who_goes_on(staged, client):
    call, officer, proposals, users = staged
    written = stage_scope.first_stage(call)
    sign_in(client, officer)
    page = client.get(f"/officer/calls/{call.id}/results")
    assert "서면평가 결과 산출" in page.get_data(as_text=True)
    results.compute(call, officer)
    db.session.commit()
    page = client.get(f"/officer/calls/{call.id}/results").get_data(as_text=True)
    assert "서면평가 결과와 다음 단계 대상" in page and proposals["창원"].receipt_no in page
    assert f"/officer/calls/{call.id}/stages/{written.id}/confirm" in page
    confirm = client.get(f"/officer/calls/{call.id}/stages/{written.id}/confirm").get_data(as_text=True)
    assert "2건이 발표평가 대상이 되고 2건은 대상이 되지 않습니다" in confirm
    refused = client.post(f"/officer/calls/{call.id}/stages/{written.id}/confirm", data={})
    assert refused.status_code == 422 and written.confirmed_at is None
    done = client.post(f"/officer/calls/{call.id}/stages/{written.id}/confirm", data={"confirm": "y"})
    assert done.status_code == 303
    db.session.refresh(written)
    assert written.confirmed_at is not None
    page = client.get(f"/officer/calls/{call.id}/assignments").get_data(as_text=True)
    assert "발표평가" in page and proposals["구미"].receipt_no in page and proposals["여수"].receipt_no not in page


def test_a_consortium_that_did_not_present_is_not_evaluated_and_ranks_after_the_finalists(staged):
    from datetime import timedelta

    from app.core import clock
    from app.review import presentation, presentation_day

    call, officer, proposals, users = staged
    written, stage = stage_scope.evaluation_stages(call)
    results.compute(call, officer)
    stage_results.confirm(call, written, officer)
    seats = assignment.auto_assign(call, officer).created
    starts = clock.now() + timedelta(days=7)
    presentation.configure(stage, officer, {
        "starts_at": starts, "room": "대회의실", "video_url": "", "slot_minutes": 30, "break_minutes": 10,
        "presenter_rule": "사업책임자 발표", "slides_due_at": starts - timedelta(days=2), "no_show_rule": "exclude",
        "chair_id": seats[0].reviewer_id})
    presentation.generate(stage, officer)
    presentation.publish(stage, officer)
    slots = {s.proposal_id: s for s in presentation.schedule_of(stage).slots}
    presentation_day.record_attendance(slots[proposals["창원"].id], officer, "absent")
    presentation_day.record_attendance(slots[proposals["구미"].id], officer, "present")
    # Only the one who presented is scored; the absent one's sheets are not waited for.
    for a in seats:
        if a.proposal_id != proposals["구미"].id:
            continue
        reviewer = next(u for u in users if u.id == a.reviewer_id)
        conflicts.declare_no_conflict(a, reviewer)
        review_sheets.submit(a, reviewer, points=PRESENTATION["구미"], comments={}, overall_opinion="발표 종합의견")
    db.session.commit()

    ranking = sorted(results.compute(call, officer), key=lambda r: r.rank)
    assert [r.proposal_id for r in ranking] == [proposals[n].id for n in ("구미", "창원", "반월", "여수")]
    absent = ranking[1]
    assert absent.reason == "no-show at presentation" and not absent.passed and not absent.selected
    assert any("발표평가 불참" in line for line in absent.breakdown["explanation"]["ko"])
    assert ranking[0].selected


def test_with_the_last_stage_only_the_final_is_its_score_and_both_stages_show(staged):
    call, officer, proposals, users = staged
    call.final_score = "last"
    written, presentation = stage_scope.evaluation_stages(call)
    results.compute(call, officer)
    stage_results.confirm(call, written, officer)
    for a in assignment.auto_assign(call, officer).created:
        reviewer = next(u for u in users if u.id == a.reviewer_id)
        conflicts.declare_no_conflict(a, reviewer)
        review_sheets.submit(a, reviewer, points=PRESENTATION[a.proposal.complex.name], comments={},
                             overall_opinion="발표 종합의견")
    ranking = sorted(results.compute(call, officer), key=lambda r: r.rank)
    presented = {r.proposal_id: r.total for r in stage_scope.stage_results(presentation)}
    top = ranking[0]
    assert top.proposal_id == proposals["구미"].id and top.total == presented[top.proposal_id]
    assert set(top.breakdown["stage_totals"]) == {"written", "presentation"}
    assert any("마지막 단계" in line for line in top.breakdown["explanation"]["ko"])
