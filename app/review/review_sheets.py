"""The review sheet (평가표): its rules, and what the ranking reads from it.

A sheet is built from its stage's rubric (``stage_scope.rubric_of``: the call's own for the
first evaluation stage): for each criterion of kind "review", points in
0..max_points (a Decimal with at most two decimals) or, when the rubric has
``grades``, a grade letter; a comment per criterion; an overall opinion. A draft saves
whatever valid values it has; submitting requires every criterion and the overall
opinion and locks the sheet; only an officer reopens it, with a reason, audited.

For the officer's side (ranking, announcement):

``submitted_sheets(call, stage=None) -> list[dict]``
    Every submitted sheet of a live assignment (declared, not recused or removed), of one
    stage when ``stage`` is given, as
    ``{"proposal_id": int, "reviewer": "R<user id>", "reviewer_id": int, "points": {criterion key: "27" | "A"},
    "comments": {key: str}, "overall_opinion": str, "submitted_at": ISO 8601}``,
    ordered by proposal id then reviewer. ``points`` values are strings in the scoring
    contract's form (a decimal, or a grade letter where the rubric has grades), so
    ``{"reviewer": s["reviewer"], "points": s["points"]}`` is a ready review entry.

``evaluator_names(call) -> list[dict]``
    The evaluator list for the announcement: each reviewer who submitted at least one
    counted sheet, ``{"name", "organisation", "department"}``, ordered by name.

Once the call's results are decided, no sheet is saved, submitted or reopened: the
published result reads these sheets. Each write takes the call's row lock, then the
assignment's, and checks the phase under them.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import Call, ReviewAssignment, ReviewerPoolEntry, ReviewSheet
from app.models.review import CoiStatus, SheetStatus
from app.models.stages import EvaluationStage
from app.review import assignment as assignment_service
from app.review import reevaluation, stage_scope
from app import audit
from app.core import clock
from app.core.errors import ReviewError
from app.notifications import outbox

MAX_COMMENT = 4000
MAX_OPINION = 8000


class SheetError(ReviewError):
    """The sheet cannot change (locked, or not the reviewer's to edit)."""


class SheetInvalid(ReviewError):
    """Values the rules refuse: ``errors`` maps a field ("points:KEY", "comment:KEY", "overall_opinion") to messages."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("invalid review sheet")
        self.errors = errors


@dataclass(frozen=True)
class Criterion:
    key: str
    label: str
    label_en: str
    max_points: Decimal
    description: str


Source = Call | EvaluationStage | ReviewAssignment


def rubric(source: Source) -> dict:
    """The rubric a sheet is on: the assignment's stage's, the stage's, or the call's own."""
    if isinstance(source, ReviewAssignment):
        return stage_scope.rubric_of(source.stage)
    if isinstance(source, EvaluationStage):
        return stage_scope.rubric_of(source)
    return source.rubric or {}


def criteria(source: Source) -> list[Criterion]:
    """The review (qualitative) criteria in rubric order; automatic ones are the engine's job."""
    out = []
    for c in rubric(source).get("criteria", []):
        if c.get("kind", "review") == "review":
            out.append(Criterion(c["key"], c.get("label", c["key"]), c.get("label_en", c.get("label", c["key"])),
                                 Decimal(str(c["max_points"])), c.get("description", "")))
    return out


def grades(source: Source) -> dict[str, Decimal] | None:
    g = rubric(source).get("grades")
    return {k: Decimal(str(v)) for k, v in g.items()} if g else None


def _plain(d: Decimal) -> str:
    s = format(d, "f")
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return s or "0"


def display(d: Decimal) -> str:
    """Points as people write them: 68.5, 27, never 27.00 or 2.7E+1."""
    return _plain(d)


def parse_value(source: Source, criterion: Criterion, raw: str) -> tuple[str | None, str | None]:
    """(normalised value, error message); (None, None) when left empty."""
    raw = (raw or "").strip()
    if not raw:
        return None, None
    g = grades(source)
    if g is not None and raw.upper() in g:
        return raw.upper(), None
    try:
        d = Decimal(raw.replace(",", ""))
    except InvalidOperation:
        d = None
    if d is None or not d.is_finite():
        if g is not None:
            return None, str(_l("알 수 없는 등급입니다. %(grades)s 중에서 고르거나 점수를 입력하십시오.",
                                grades=", ".join(g)))
        return None, str(_l("점수는 숫자로 입력하십시오."))
    if d < 0:
        return None, str(_l("점수는 0점 이상이어야 합니다."))
    if d > criterion.max_points:
        return None, str(_l("점수는 배점 %(max)s점을 넘을 수 없습니다.", max=_plain(criterion.max_points)))
    if d.as_tuple().exponent < -2:
        return None, str(_l("점수는 소수점 둘째 자리까지 입력할 수 있습니다."))
    return _plain(d), None


def value_of(source: Source, criterion: Criterion, stored: str) -> Decimal:
    g = grades(source)
    if g is not None and stored in g:
        return g[stored] * criterion.max_points
    return Decimal(stored)


def total(source: Source, points: dict) -> Decimal:
    """The sheet's running total over the criteria scored so far."""
    return sum((value_of(source, c, points[c.key]) for c in criteria(source) if points.get(c.key)), Decimal(0))


def max_total(source: Source) -> Decimal:
    return sum((c.max_points for c in criteria(source)), Decimal(0))


def sheet_for(assignment: ReviewAssignment) -> ReviewSheet:
    if assignment.sheet is None:
        assignment.sheet = ReviewSheet(points={}, comments={}, overall_opinion="", status=SheetStatus.DRAFT)
        db.session.add(assignment.sheet)
    return assignment.sheet


def _clean(source: Source, points_raw: dict, comments_raw: dict, opinion: str, *, complete: bool):
    errors: dict[str, list[str]] = {}
    points, comments = {}, {}
    for c in criteria(source):
        value, error = parse_value(source, c, points_raw.get(c.key, ""))
        if error:
            errors.setdefault(f"points:{c.key}", []).append(error)
        elif value is None and complete:
            errors.setdefault(f"points:{c.key}", []).append(
                str(_l("%(label)s 항목의 점수를 입력하십시오.", label=c.label)))
        elif value is not None:
            points[c.key] = value
        comment = (comments_raw.get(c.key) or "").strip()
        if len(comment) > MAX_COMMENT:
            errors.setdefault(f"comment:{c.key}", []).append(
                str(_l("의견은 %(n)s자 이내로 입력하십시오.", n=MAX_COMMENT)))
        comments[c.key] = comment
    opinion = (opinion or "").strip()
    if len(opinion) > MAX_OPINION:
        errors.setdefault("overall_opinion", []).append(str(_l("종합의견은 %(n)s자 이내로 입력하십시오.", n=MAX_OPINION)))
    elif complete and not opinion:
        errors.setdefault("overall_opinion", []).append(str(_l("종합의견을 입력하십시오.")))
    if errors:
        raise SheetInvalid(errors)
    return points, comments, opinion


SETTLED = _l("선정 결과가 확정되어 평가표를 더 이상 저장하거나 제출할 수 없습니다.")


def may_change(call, assignment: ReviewAssignment | None = None, stage: EvaluationStage | None = None) -> bool:
    """Whether sheets of the call's stage (the assignment's, or ``stage``; the assignment's may
    be a re-evaluation seat) may still change: for pages; the writes check under the lock."""
    stage = stage if stage is not None else (assignment.stage if assignment is not None else None)
    if call.status() in assignment_service.ASSIGNING_STATUSES:
        return stage is None or (stage.confirmed_at is None and stage_scope.has_started(stage))
    return assignment is not None and reevaluation.reevaluating(assignment)


def _ensure_editable(assignment: ReviewAssignment, reviewer) -> ReviewSheet:
    if not assignment_service.lock_panel(assignment.call, assignment):
        raise SheetError(SETTLED)
    assignment_service.lock_assignment(assignment)
    if assignment.reviewer_id != reviewer.id or assignment.coi_status != CoiStatus.DECLARED:
        raise SheetError(_l("이해충돌이 없음을 서약한 본인의 배정만 평가할 수 있습니다."))
    sheet = sheet_for(assignment)
    if sheet.locked:
        raise SheetError(_l("제출된 평가표는 수정할 수 없습니다. 수정이 필요하면 담당자에게 재개를 요청하십시오."))
    return sheet


def save_draft(assignment, reviewer, *, points: dict, comments: dict, overall_opinion: str) -> ReviewSheet:
    """Keep what was entered; empty criteria are fine, invalid values are not."""
    sheet = _ensure_editable(assignment, reviewer)
    before = _points(sheet)
    sheet.points, sheet.comments, sheet.overall_opinion = _clean(
        assignment, points, comments, overall_opinion, complete=False)
    sheet.updated_at = clock.now()
    db.session.flush()
    audit.record(reviewer, "review.sheet_saved", sheet, assignment_id=assignment.id, points=sheet.points,
                 changes=audit.changes(before, _points(sheet)))
    return sheet


def submit(assignment, reviewer, *, points: dict, comments: dict, overall_opinion: str) -> ReviewSheet:
    sheet = _ensure_editable(assignment, reviewer)
    before = _points(sheet)
    sheet.points, sheet.comments, sheet.overall_opinion = _clean(
        assignment, points, comments, overall_opinion, complete=True)
    sheet.status = SheetStatus.SUBMITTED
    sheet.submitted_at = clock.now()
    db.session.flush()
    audit.record(reviewer, "review.sheet_submitted", sheet, assignment_id=assignment.id,
                 proposal_id=assignment.proposal_id, points=sheet.points,
                 total=_plain(total(assignment, sheet.points)), changes=audit.changes(before, _points(sheet)))
    return sheet


def _points(sheet: ReviewSheet) -> dict:
    # Per criterion, so a sheet resubmitted after a reopening shows which score moved and how.
    return {f"points.{key}": value for key, value in (sheet.points or {}).items()}


def reopen(sheet: ReviewSheet, officer, reason: str) -> None:
    reason = (reason or "").strip()
    if not reason:
        raise SheetError(_l("재개 사유를 입력하십시오."))
    if not assignment_service.lock_panel(sheet.assignment.call, sheet.assignment):
        if sheet.assignment.call.status() in assignment_service.ASSIGNING_STATUSES:
            raise SheetError(_l("이 평가 단계가 확정되어 평가표를 재개할 수 없습니다."))
        raise SheetError(_l("선정 결과가 확정되어 평가표를 재개할 수 없습니다."))
    assignment_service.lock_assignment(sheet.assignment)
    if not sheet.locked:
        raise SheetError(_l("제출된 평가표만 재개할 수 있습니다."))
    sheet.status = SheetStatus.DRAFT
    sheet.reopened_at = clock.now()
    sheet.reopen_reason = reason
    a = sheet.assignment
    audit.record(officer, "review.sheet_reopened", sheet, assignment_id=a.id, proposal_id=a.proposal_id,
                 reviewer_id=a.reviewer_id, reason=reason)
    outbox.post(a.reviewer_id, "review_reopened",
                outbox.notice("평가표가 재개되었습니다: %(title)s (사유: %(reason)s)", title=a.proposal.title,
                              reason=reason))


# --- for the officer's ranking and announcement ---------------------------------------


def _counted(call, stage: EvaluationStage | None = None):
    query = (
        select(ReviewSheet).join(ReviewAssignment, ReviewSheet.assignment_id == ReviewAssignment.id)
        .where(ReviewAssignment.call_id == call.id, ReviewAssignment.coi_status == CoiStatus.DECLARED,
               ReviewSheet.status == SheetStatus.SUBMITTED,
               # A re-evaluation's sheets count only through the objection (app.selection.reevaluated).
               ReviewAssignment.objection_id.is_(None))
    )
    return query if stage is None else query.where(ReviewAssignment.stage_id == stage.id)


def any_counted(call) -> bool:
    """Whether any sheet of the call counts (the rubric is locked from then on)."""
    return db.session.scalar(_counted(call).limit(1)) is not None


def submitted_sheets(call, stage: EvaluationStage | None = None) -> list[dict]:
    sheets = db.session.scalars(
        _counted(call, stage).options(selectinload(ReviewSheet.assignment))
        .order_by(ReviewAssignment.proposal_id, ReviewAssignment.reviewer_id)
    )
    return [{
        "proposal_id": s.assignment.proposal_id,
        "reviewer": s.assignment.pseudonym,
        "reviewer_id": s.assignment.reviewer_id,
        "points": {k: str(v) for k, v in (s.points or {}).items()},
        "comments": dict(s.comments or {}),
        "overall_opinion": s.overall_opinion,
        "submitted_at": s.submitted_at.isoformat() if s.submitted_at else None,
    } for s in sheets]


def evaluator_names(call) -> list[dict]:
    reviewer_ids = set(db.session.scalars(_counted(call).with_only_columns(ReviewAssignment.reviewer_id)))
    if not reviewer_ids:
        return []
    entries = db.session.scalars(
        select(ReviewerPoolEntry).where(ReviewerPoolEntry.call_id == call.id,
                                        ReviewerPoolEntry.user_id.in_(reviewer_ids))
        .options(selectinload(ReviewerPoolEntry.user))
    )
    out = [{"name": e.user.name, "organisation": e.organisation_name, "department": e.department} for e in entries]
    return sorted(out, key=lambda r: (r["name"], r["organisation"]))
