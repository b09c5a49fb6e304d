"""The review sheet: pledge first, validation, draft, submit-lock, officer reopen, officer feed."""
from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEntry, Notification
from app.review import assignment, conflicts, review_sheets
from tests.app.builders import pool_of, submitted_proposal
from tests.factories import closed_call, officer_for

FULL = {"infra": "27", "poc": "A", "plan": "8.5", "alliance": "10"}


@pytest.fixture
def setup(app):
    call = closed_call()
    officer = officer_for(call)
    p = submitted_proposal(call)
    (u,) = pool_of(call, officer, 1)
    a = assignment.assign(call, p, u.id, officer)
    return call, officer, p, u, a


def test_no_sheet_before_the_pledge(setup):
    call, officer, p, u, a = setup
    with pytest.raises(review_sheets.SheetError):
        review_sheets.save_draft(a, u, points={}, comments={}, overall_opinion="")
    conflicts.declare_no_conflict(a, u)
    assert a.coi_status == "declared" and a.pledge_at is not None
    assert u.name in a.pledge_text and "KST" in a.pledge_text
    with pytest.raises(conflicts.ConflictError):
        conflicts.declare_no_conflict(a, u)


def test_draft_allows_partial_but_not_invalid(setup):
    call, officer, p, u, a = setup
    conflicts.declare_no_conflict(a, u)
    sheet = review_sheets.save_draft(a, u, points={"infra": "20", "poc": ""}, comments={"infra": "좋음"},
                                     overall_opinion="")
    assert sheet.points == {"infra": "20"} and sheet.status == "draft"
    assert review_sheets.total(call, sheet.points) == Decimal("20")
    cases = {
        "31": "배점", "-1": "0점 이상", "Z": "등급", "abc": "등급", "1.234": "소수점",
    }
    for raw, fragment in cases.items():
        with pytest.raises(review_sheets.SheetInvalid) as err:
            review_sheets.save_draft(a, u, points={"infra": raw}, comments={}, overall_opinion="")
        assert fragment in err.value.errors["points:infra"][0], raw
    assert sheet.points == {"infra": "20"}  # a refused save changed nothing


def test_points_without_grades_need_numbers(setup):
    call, officer, p, u, a = setup
    rubric = dict(call.rubric)
    rubric.pop("grades")
    call.rubric = rubric
    conflicts.declare_no_conflict(a, u)
    with pytest.raises(review_sheets.SheetInvalid) as err:
        review_sheets.save_draft(a, u, points={"poc": "A"}, comments={}, overall_opinion="")
    assert "숫자" in err.value.errors["points:poc"][0]


def test_submit_requires_every_criterion_and_opinion_then_locks(setup):
    call, officer, p, u, a = setup
    conflicts.declare_no_conflict(a, u)
    with pytest.raises(review_sheets.SheetInvalid) as err:
        review_sheets.submit(a, u, points={"infra": "27"}, comments={}, overall_opinion="")
    assert set(err.value.errors) == {"points:poc", "points:plan", "points:alliance", "overall_opinion"}
    sheet = review_sheets.submit(a, u, points=FULL, comments={"infra": "구체적"}, overall_opinion="우수함")
    assert sheet.locked and sheet.submitted_at is not None
    # grade A on 25 points is 22.5
    assert review_sheets.total(call, sheet.points) == Decimal("68.0")
    with pytest.raises(review_sheets.SheetError):
        review_sheets.save_draft(a, u, points={"infra": "1"}, comments={}, overall_opinion="")
    with pytest.raises(review_sheets.SheetError):
        review_sheets.submit(a, u, points=FULL, comments={}, overall_opinion="수정")
    assert sheet.points["infra"] == "27"
    with pytest.raises(conflicts.ConflictError):
        conflicts.recuse(a, u, "뒤늦은 회피")


def test_officer_reopens_with_reason_audited(setup):
    call, officer, p, u, a = setup
    conflicts.declare_no_conflict(a, u)
    sheet = review_sheets.submit(a, u, points=FULL, comments={}, overall_opinion="우수함")
    with pytest.raises(review_sheets.SheetError):
        review_sheets.reopen(sheet, officer, " ")
    review_sheets.reopen(sheet, officer, "배점 입력 오류 확인")
    assert sheet.status == "draft" and sheet.reopen_reason == "배점 입력 오류 확인"
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "review.sheet_reopened"))
    assert entry.actor_id == officer.id and entry.data["reason"] == "배점 입력 오류 확인"
    assert db.session.scalar(select(Notification).where(Notification.user_id == u.id,
                                                        Notification.kind == "review_reopened"))
    review_sheets.save_draft(a, u, points={**FULL, "infra": "25"}, comments={}, overall_opinion="우수함")
    with pytest.raises(review_sheets.SheetError):
        review_sheets.reopen(sheet, officer, "다시")  # only a submitted sheet reopens


def test_submitted_sheets_feed_the_scoring_engine(app):
    import scoring

    call = closed_call()
    officer = officer_for(call)
    p = submitted_proposal(call)
    users = pool_of(call, officer, 3)
    call.reviewers_per_proposal = 3
    assignment.auto_assign(call, officer)
    for a in assignment.assignments_of(call):
        conflicts.declare_no_conflict(a, a.reviewer)
    a1, a2, a3 = assignment.assignments_of(call)
    review_sheets.submit(a1, a1.reviewer, points=FULL, comments={}, overall_opinion="1")
    review_sheets.submit(a2, a2.reviewer, points={**FULL, "infra": "21"}, comments={}, overall_opinion="2")
    review_sheets.save_draft(a3, a3.reviewer, points={"infra": "30"}, comments={}, overall_opinion="")

    sheets = review_sheets.submitted_sheets(call)
    assert [s["reviewer"] for s in sheets] == [f"R{a1.reviewer_id}", f"R{a2.reviewer_id}"]
    assert sheets[0]["points"] == FULL and sheets[0]["proposal_id"] == p.id
    names = review_sheets.evaluator_names(call)
    assert [n["name"] for n in names] == sorted([a1.reviewer.name, a2.reviewer.name])
    assert users[2].name not in [n["name"] for n in names]

    out = scoring.evaluate_json({
        "rubric": call.rubric, "policy": call.policy,
        "proposals": [{"id": p.receipt_no, "submitted_at": "2025-07-28T05:12:00Z", "complex": "창원",
                       "budget": "14000000000",
                       "reviews": [{"reviewer": s["reviewer"], "points": s["points"]} for s in sheets]}],
    })
    assert out["results"][0]["criteria"]["infra"] == "24.00"
