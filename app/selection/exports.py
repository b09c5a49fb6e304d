"""Exports for officers: proposals with budgets, review sheets, the ranking, the evaluator list.

Each table is (Korean headers, rows); rows hold numbers as numbers (won as int, points as
Decimal) so spreadsheets can add them up. Text from applicants that a spreadsheet would
read as a formula is defused first.
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import Call, Consortium, EligibilityDecision, Proposal
from app.models.review import ReviewAssignment, ReviewSheet, SheetStatus
from app.core import clock
from app.review import stage_scope
from app.selection import outcomes, results, stage_results
from app.selection.reasons import reason_text
from scoring.stage_text import stage_name
from app.proposals import snapshot

Table = tuple[list[str], list[list[object]]]
STATUS_KO = {"draft": "작성 중", "submitted": "제출", "withdrawn": "철회"}
SCREENING_KO = {"confirmed": "적격", "rejected": "부적격", None: "미검토"}


def _kst(value) -> str:
    return clock.to_kst(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _points(value: object) -> object:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return value


def proposals_table(call: Call) -> Table:
    headers = ["접수번호", "컨소시엄", "주관기관", "대상 산업단지", "과제명", "상태", "제출 일시(KST)",
               "국비(원)", "지방비(원)", "민간현금(원)", "민간현물(원)", "총사업비(원)", "적격성 검토"]
    proposals = db.session.scalars(
        select(Proposal).where(Proposal.call_id == call.id)
        .options(selectinload(Proposal.consortium).selectinload(Consortium.lead_org),
                 selectinload(Proposal.complex), selectinload(Proposal.budget_lines))
        .order_by(Proposal.receipt_no, Proposal.id)
    ).all()
    verdicts = dict(db.session.execute(
        select(EligibilityDecision.proposal_id, EligibilityDecision.status)
        .join(Proposal, Proposal.id == EligibilityDecision.proposal_id).where(Proposal.call_id == call.id)
    ).all())
    versions = snapshot.latest_versions(p.id for p in proposals)
    rows = []
    for live in proposals:
        # A submitted proposal is exported as submitted, whatever was typed afterwards.
        p = snapshot.as_proposal(versions[live.id], live) if live.id in versions else live
        rows.append([
            p.receipt_no or "", p.consortium.name, p.consortium.lead_org.name, p.complex.name if p.complex else "",
            p.title, STATUS_KO.get(p.status, p.status), _kst(p.submitted_at),
            p.total_by_source("national"), p.total_by_source("local"), p.total_by_source("private_cash"),
            p.total_by_source("private_inkind"), p.total_budget, SCREENING_KO.get(verdicts.get(p.id), ""),
        ])
    return headers, rows


def _review_criteria(call: Call) -> list[dict]:
    return [c for c in (call.rubric or {}).get("criteria", []) if c.get("kind", "review") == "review"]


def review_sheets_table(call: Call) -> Table:
    """One row per submitted sheet; grades become their points so the columns add up."""
    criteria = _review_criteria(call)
    grades = {k: Decimal(str(v)) for k, v in ((call.rubric or {}).get("grades") or {}).items()}
    headers = ["평가위원 ID", "평가위원", "접수번호", "과제명"] + [f"{c['label']}({c['max_points']})" for c in criteria] + ["합계", "종합의견", "제출 일시(KST)"]
    sheets = db.session.scalars(
        select(ReviewSheet).join(ReviewAssignment, ReviewSheet.assignment_id == ReviewAssignment.id)
        .where(ReviewAssignment.call_id == call.id, ReviewSheet.status == SheetStatus.SUBMITTED)
        .options(selectinload(ReviewSheet.assignment).selectinload(ReviewAssignment.reviewer),
                 selectinload(ReviewSheet.assignment).selectinload(ReviewAssignment.proposal))
        .order_by(ReviewAssignment.reviewer_id, ReviewAssignment.proposal_id)
    ).all()
    rows = []
    for s in sheets:
        a = s.assignment
        values = []
        for c in criteria:
            raw = (s.points or {}).get(c["key"])
            if raw in grades:
                values.append(grades[raw] * Decimal(str(c["max_points"])))
            else:
                values.append(_points(raw) if raw is not None else None)
        total = sum((v for v in values if isinstance(v, Decimal)), Decimal(0))
        rows.append([a.pseudonym, a.reviewer.name, a.proposal.receipt_no or "", a.proposal.title, *values, total,
                     s.overall_opinion, _kst(s.submitted_at)])
    return headers, rows


def ranking_table(call: Call) -> Table:
    labels = results.criteria_labels(call)
    # With several stages, each stage's score in the final one (the criteria are the first stage's).
    stages = ([stage_results.label(s) for s in stage_scope.evaluation_stages(call)]
              if stage_scope.is_multi_stage(call) else [])
    headers = (["순위", "접수번호", "컨소시엄", "대상 산업단지", "총점", "정성평가", "정량평가", "가점", "감점"]
               + [f"{stage_name(name, 'ko')} 점수" for name in stages]
               + [f"{label}({mx})" for _, label, mx in labels]
               + ["통과", "평가 점수에 따른 결과", "최종 선정", "사유", "선정 여부 변경 사유"])
    rows = []
    for r in results.ranking(call):
        b = r.breakdown or {}
        p = r.proposal
        outcome = outcomes.final_outcome(r)
        rows.append([
            r.rank, p.receipt_no or "", p.consortium.name, p.complex.name if p.complex else "",
            _points(b.get("total", r.total)), _points(b.get("qualitative")), _points(b.get("automatic")),
            _points(b.get("bonus")), _points(b.get("deduction")),
            *[_points((b.get("stage_totals") or {}).get(name)) for name in stages],
            *[_points((b.get("criteria") or {}).get(key)) for key, _, _ in labels],
            "통과" if outcome.passed else "미통과", "선정" if outcome.engine_selected else "미선정",
            "선정" if outcome.selected else "미선정", reason_text(outcome.engine_reason, labels), outcome.override_reason,
        ])
    return headers, rows


def evaluators_table(call: Call) -> Table:
    headers = ["성명", "소속", "부서"]
    return headers, [[e["name"], e["organisation"], e["department"]] for e in outcomes.evaluators_of(call)]


TABLES = {
    "proposals": ("신청서", proposals_table),
    "reviews": ("평가표", review_sheets_table),
    "ranking": ("순위", ranking_table),
    "evaluators": ("평가위원", evaluators_table),
}
