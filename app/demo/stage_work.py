"""The demo's later stages: the 심의위원회 both demo calls name, and the 발표평가 sheets of the
demo reviewers other than reviewer1 (``flask demo score-presentations``).

The presentation stage of AX-2025-R opens only when the officer confirms the 서면평가 on the
day, so its sheets cannot be replayed with the call's history; this fills them when asked,
through the same services a reviewer's page calls, so that a demo user walks the whole
procedure without signing in as six reviewers.
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select

from app.extensions import db
from app.models import Call, ReviewAssignment, User
from app.models.review import CoiStatus
from app.review import conflicts, review_sheets, stage_scope
from app.selection import committee

COMMITTEE = [("committee1@demo.gongmo.kr", "chair")] + [(f"committee{n}@demo.gongmo.kr", "member") for n in range(2, 6)]
PENDING_REVIEWER = "reviewer1@demo.gongmo.kr"
# How each consortium presents (share of the points): 구미 presents best, so the weighted final
# differs from the written ranking.
PRESENTING = {"창원": Decimal("0.80"), "구미": Decimal("0.90"), "여수": Decimal("0.85")}
OPINIONS = {
    "창원": "추진 전략은 명확하나 질의응답에서 실증 일정의 근거가 부족함",
    "구미": "기업 실증과 인프라 구축의 연계를 구체적인 수치로 제시하여 설득력이 높음",
    "여수": "화학 공정 특화 AX 과제가 구체적이며 지자체 매칭 계획이 안정적임",
}


def name_committee(call: Call, officer: User) -> None:
    """The call's 심의위원회: the selection is decided only after its vote (SPEC §6)."""
    for email, role in COMMITTEE:
        committee.add_member(call, officer, email, role)


def score_presentations(call: Call) -> int:
    """Every demo reviewer but reviewer1 pledges and submits their 발표평가 sheets; returns how many.

    Only once the 서면평가 is confirmed and the panels are assigned; seats already scored are left.
    """
    stage = stage_scope.current_stage(call)
    if stage_scope.is_first(stage):
        return 0
    seats = db.session.scalars(
        select(ReviewAssignment).where(ReviewAssignment.stage_id == stage.id,
                                       ReviewAssignment.coi_status.in_((CoiStatus.PENDING, CoiStatus.DECLARED)))
        .order_by(ReviewAssignment.id)).all()
    done = 0
    for n, a in enumerate(seats):
        reviewer = a.reviewer
        if reviewer.email == PENDING_REVIEWER or (a.sheet is not None and a.sheet.locked):
            continue
        if a.coi_status == CoiStatus.PENDING:
            conflicts.declare_no_conflict(a, reviewer)
        share = PRESENTING.get(a.proposal.complex.name if a.proposal.complex else "", Decimal("0.8"))
        points = {c.key: _points(c.max_points, share, i, n) for i, c in enumerate(review_sheets.criteria(a))}
        review_sheets.submit(a, reviewer, points=points, comments={},
                             overall_opinion=OPINIONS.get(a.proposal.complex.name if a.proposal.complex else "", "발표 내용이 충실함"))
        done += 1
    return done


def _points(max_points: Decimal, share: Decimal, criterion: int, seat: int) -> str:
    wobble = Decimal((seat * 7 + criterion * 3) % 5 - 2) / 100
    value = max_points * min(share + wobble, Decimal(1))
    half = (value * 2).quantize(Decimal(1), rounding=ROUND_HALF_UP) / 2
    return review_sheets.display(min(half, max_points))
