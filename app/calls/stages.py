"""A call's selection procedure (SPEC §6): 요건검토, the evaluation stages, and the final score.

A new call starts with 요건검토 and one 서면평가 by its panel (``default_procedure``); the
officer may add 발표평가 or 현장평가 stages, each with its own panel, due date and rubric, a
shortlist rule between stages (top K, or a multiple of the awards such as 3배수), and how the
stage scores make the final score (the last stage's, or weights summing to 100 %).

The first evaluation stage is the call's own review: its rubric and policy are the call's
(edited on the rubric page) and its panel and due date are the call's reviewers per proposal
and review due date, kept equal both ways. Later stages carry their own rubric and policy in
the scoring contract's form.

The procedure is announced with the call, so it follows the rubric's rule: edited freely until
the call opens, a 변경공고 (reason, public record, notices) from then until the first
submission, frozen after it. ``summary`` gives the readable lines an amendment and the audit
entry compare.
"""
from __future__ import annotations

from copy import deepcopy
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from flask_babel import force_locale
from flask_babel import gettext as _

from app import audit
from app.calls import amendments, call_admin
from app.calls.calls import points
from app.calls.call_admin import CallAdminError
from app.core import clock
from app.models import Call
from app.models.stages import EvaluationStage, FinalScore, ShortlistRule, StageKind, default_procedure

__all__ = ["default_procedure", "set_stages", "set_stage_rubric", "summary", "lock", "procedure_view"]

MAX_EVALUATION_STAGES = 5
MIN_PANEL, MAX_PANEL = 1, 15
FIELDS = ("kind", "panel_size", "due_at", "shortlist_rule", "shortlist_value", "weight", "rubric", "policy")

# What an officer starts from when adding a 발표평가 (or 현장평가) stage.
PRESENTATION_RUBRIC = {
    "criteria": [
        {"key": "content", "label": "발표 내용의 충실성", "label_en": "Substance of the presentation",
         "max_points": "40", "kind": "review", "description": "사업계획의 핵심 내용과 추진 전략을 구체적으로 설명하는가"},
        {"key": "feasibility", "label": "실행 가능성", "label_en": "Feasibility", "max_points": "30",
         "kind": "review", "description": "추진 체계, 일정, 예산과 참여기관의 역량이 계획을 실현할 수 있는가"},
        {"key": "qa", "label": "질의응답", "label_en": "Questions and answers", "max_points": "30",
         "kind": "review", "description": "평가위원의 질문에 근거를 들어 정확하게 답변하는가"},
    ],
    "total_points": "100",
}
PRESENTATION_POLICY = {"trim_from": 5, "pass_mark": "70", "decimals": 2, "tie_breaks": ["criterion:content", "submitted_at"]}

# The stored summary reads in Korean whatever the officer's language, like the announcement.
KIND_KO = {StageKind.REQUIREMENTS: "요건검토", StageKind.WRITTEN: "서면평가", StageKind.PRESENTATION: "발표평가",
       StageKind.SITE: "현장평가"}


def kind_label(kind: str) -> str:
    return {
        StageKind.REQUIREMENTS: _("요건검토"), StageKind.WRITTEN: _("서면평가"),
        StageKind.PRESENTATION: _("발표평가"), StageKind.SITE: _("현장평가"),
    }.get(kind, kind)


def default_stage_rubric() -> tuple[dict, dict]:
    return deepcopy(PRESENTATION_RUBRIC), deepcopy(PRESENTATION_POLICY)


# --- freezing ------------------------------------------------------------------------------

def lock(call: Call) -> str | None:
    """Why the procedure can no longer change, or None while it can (the rubric's rule)."""
    if call_admin.rubric_locked(call):
        return _("첫 평가표가 제출된 뒤에는 평가 절차를 변경할 수 없습니다.")
    if amendments.submissions_started(call):
        return _("신청서가 제출된 뒤에는 평가 절차를 변경할 수 없습니다.")
    return None


# --- validation ----------------------------------------------------------------------------

def _normalized(call: Call, stages_data: list[dict], final_score: str) -> list[dict]:
    """Each stage's values as stored: the parts a stage of its place does not use are cleared."""
    out = []
    for position, raw in enumerate(stages_data):
        values = {name: raw.get(name) for name in FIELDS}
        values["shortlist_rule"] = values["shortlist_rule"] or ShortlistRule.ALL
        values["shortlist_value"] = values["shortlist_value"] or 0
        if values["shortlist_rule"] == ShortlistRule.ALL:
            values["shortlist_value"] = 0
        if position == 0:
            values.update(panel_size=0, due_at=None, weight=None)
        if position <= 1:  # 요건검토 has none; the first evaluation stage's are the call's own
            values.update(rubric=None, policy=None)
        elif isinstance(values["policy"], dict):
            values["policy"] = {"decimals": 2, "tie_breaks": [], **values["policy"], "awards": call.awards}
        if final_score != FinalScore.WEIGHTED or position == 0:
            values["weight"] = None
        else:
            values["weight"] = call_admin.finite_decimal(values["weight"]) if values["weight"] not in (None, "") else None
        out.append(values)
    return out


def problems(call: Call, stages: list[dict], final_score: str) -> list[tuple[str, str]]:
    """Everything wrong with a procedure, each tied to its form field (``stages-<i>-<name>``)."""
    found: list[tuple[str, str]] = []
    if final_score not in (FinalScore.LAST, FinalScore.WEIGHTED):
        found.append(("final_score", _("최종 점수 산정 방식을 선택하십시오.")))
    if not stages or stages[0]["kind"] != StageKind.REQUIREMENTS:
        found.append(("stages-0-kind", _("평가 절차는 요건검토로 시작해야 합니다.")))
    if len(stages) < 2:
        found.append(("stages", _("요건검토 다음에 평가 단계를 하나 이상 두십시오.")))
    elif len(stages) - 1 > MAX_EVALUATION_STAGES:
        found.append(("stages", _("평가 단계는 %(n)d개까지 둘 수 있습니다.", n=MAX_EVALUATION_STAGES)))
    previous_due: datetime | None = None
    weights: list[Decimal] = []
    for i, stage in enumerate(stages):
        at = f"stages-{i}-"
        kind = stage["kind"]
        if kind not in set(StageKind):
            found.append((at + "kind", _("평가 단계의 종류를 선택하십시오.")))
        elif kind == StageKind.REQUIREMENTS and i > 0:
            found.append((at + "kind", _("요건검토는 첫 단계에만 둘 수 있습니다.")))
        if i == 0:
            continue
        panel = stage["panel_size"]
        if not isinstance(panel, int) or not MIN_PANEL <= panel <= MAX_PANEL:
            found.append((at + "panel_size", _("평가위원 수는 1명에서 15명 사이여야 합니다.")))
        due = stage["due_at"]
        if due is not None:
            if call.closes_at is not None and due <= call.closes_at:
                found.append((at + "due_at", _("평가 마감은 접수 마감(%(at)s) 이후여야 합니다.", at=_kst(call.closes_at))))
            elif previous_due is not None and due <= previous_due:
                found.append((at + "due_at", _("평가 마감은 앞 단계의 마감(%(at)s)보다 늦어야 합니다.", at=_kst(previous_due))))
            previous_due = due
        found += _shortlist_problems(call, stage, at, last=i == len(stages) - 1)
        if i >= 2:
            found += _rubric_problems(stage, at + "rubric")
        if final_score == FinalScore.WEIGHTED:
            weight = stage["weight"]
            if weight is None or not Decimal(0) < weight <= Decimal(100) or weight != weight.quantize(Decimal("0.01")):
                found.append((at + "weight", _("가중치는 0보다 크고 100 이하인 숫자(소수 둘째 자리까지)로 입력하십시오.")))
            else:
                weights.append(weight)
    if final_score == FinalScore.WEIGHTED and weights and len(weights) == len(stages) - 1 and sum(weights) != 100:
        found.append(("final_score", _("가중치의 합계가 %(s)s입니다. 합계가 정확히 100이 되어야 합니다.",
                                       s=_number(sum(weights)))))
    return found


def _shortlist_problems(call: Call, stage: dict, at: str, *, last: bool) -> list[tuple[str, str]]:
    rule, value = stage["shortlist_rule"], stage["shortlist_value"]
    if rule not in set(ShortlistRule):
        return [(at + "shortlist_rule", _("다음 단계 진출 기준을 선택하십시오."))]
    if rule == ShortlistRule.ALL:
        return []
    if last:
        return [(at + "shortlist_rule", _("마지막 평가 단계 다음에는 단계가 없으므로 진출 기준을 둘 수 없습니다."))]
    if not isinstance(value, int) or value < 1:
        return [(at + "shortlist_value", _("다음 단계로 올릴 수(또는 배수)를 1 이상으로 입력하십시오."))]
    count = value if rule == ShortlistRule.TOP else value * call.awards
    if count < call.awards:
        return [(at + "shortlist_value", _("다음 단계로 올리는 %(k)d개가 선정 수 %(n)d개보다 적습니다.",
                                          k=count, n=call.awards))]
    return []


def _rubric_problems(stage: dict, name: str) -> list[tuple[str, str]]:
    """A later stage's own rubric and policy, by the scoring contract, all shown at its one field."""
    rubric, policy = stage["rubric"], stage["policy"]
    if not isinstance(rubric, dict) or not isinstance(policy, dict):
        return [(name, _("두 번째 평가 단계부터는 단계마다 평가표(rubric)와 선정 규칙(policy)이 필요합니다."))]
    out = []
    for sub, message in call_admin.rubric_problems(rubric, policy):
        if sub.startswith("criteria-"):
            index = sub.split("-")[1]
            where = _("평가항목 %(n)s", n=int(index) + 1) if index.isdigit() else sub
        else:
            where = amendments.field_label(sub)
        out.append((name, f"{where}: {message}" if sub != "criteria" else message))
    return out


# --- saving --------------------------------------------------------------------------------

def set_stages(call: Call, actor, stages_data: list[dict], final_score: str, reason: str | None = None) -> Call:
    """Set the procedure; frozen from the first submission, a 변경공고 once the call has opened."""
    stages = _normalized(call, stages_data, final_score)
    found = problems(call, stages, final_score)
    changes = {} if found else audit.changes(summary(call), summary(call, stages, final_score))
    if not found and not changes:  # saved as it was: nothing to freeze, announce or record
        return call
    locked = lock(call)
    if locked:
        raise CallAdminError([("stages", locked)])
    live = amendments.is_live(call)
    if live:
        found += amendments.reason_problems(reason)
    if found:
        raise CallAdminError(found)
    existing = {row.position: row for row in call.stages}
    rows = []
    # Rows are kept by position and updated: the (call, position) pair is unique.
    for position, values in enumerate(stages):
        row = existing.pop(position, None) or EvaluationStage(position=position)
        for name, value in values.items():
            setattr(row, name, deepcopy(value))
        rows.append(row)
    call.stages = rows
    call.final_score = final_score
    call.reviewers_per_proposal, call.review_due_at = rows[1].panel_size, rows[1].due_at
    audit.record(actor, "call.stages_set", call, stages=[row.kind for row in rows], final_score=final_score,
                 changes=changes)
    if live:
        amendments.record(call, actor, reason or "", changes)
    return call


def set_stage_rubric(call: Call, actor, position: int, rubric: dict, policy: dict, reason: str | None = None) -> Call:
    """Set the rubric and policy of the later stage at ``position`` (2 or more), the rest as stored.

    The rubric's own problems name the rubric editor's fields (``criteria-1-max_points``,
    ``tie_breaks``, ...); the procedure's rules (frozen, 변경공고) are ``set_stages``'s.
    """
    rows = sorted(call.stages, key=lambda row: row.position)
    if position < 2 or position >= len(rows):
        raise CallAdminError([("stages", _("두 번째 평가 단계부터 단계마다 평가표를 편집할 수 있습니다."))])
    found = call_admin.rubric_problems(rubric, {**policy, "awards": call.awards})
    if found:
        raise CallAdminError(found)
    data = [_values(row) for row in rows]
    data[position].update(rubric=rubric, policy=policy)
    return set_stages(call, actor, data, call.final_score, reason=reason)


# --- reading -------------------------------------------------------------------------------

def _kst(value: datetime | None) -> str:
    return clock.to_kst(value).strftime("%Y-%m-%d %H:%M") if value is not None else ""


def _number(value) -> str:
    d = Decimal(str(value)).normalize()
    return format(d, "f")


def _values(row: EvaluationStage) -> dict:
    return {name: getattr(row, name) for name in FIELDS}


def summary(call: Call, stages: list[dict] | None = None, final_score: str | None = None) -> dict:
    """The procedure one line a stage (a later stage adds its rubric's lines), and the final rule.

    The call's own stages unless ``stages`` (normalized values) are given; in Korean, as announced.
    """
    stages = [_values(row) for row in call.stages] if stages is None else stages
    final_score = call.final_score if final_score is None else final_score
    out: dict = {}
    for i, stage in enumerate(stages):
        parts = [KIND_KO.get(stage["kind"], str(stage["kind"]))]
        if i > 0:
            parts.append(f"평가위원 {stage['panel_size']}명")
            if stage["due_at"] is not None:
                parts.append(f"마감 {_kst(stage['due_at'])} KST")
            if stage["shortlist_rule"] == ShortlistRule.TOP:
                parts.append(f"다음 단계: 상위 {stage['shortlist_value']}개")
            elif stage["shortlist_rule"] == ShortlistRule.MULTIPLE:
                parts.append(f"다음 단계: 선정 수의 {stage['shortlist_value']}배수")
            if stage["weight"] is not None:
                parts.append(f"가중치 {_number(stage['weight'])}%")
        lines = [" · ".join(parts)]
        if i >= 2 and stage["rubric"]:
            with force_locale("ko"):
                lines += [f"{amendments.field_label(key)}: {amendments.display(key, value)}"
                          for key, value in amendments.rubric_summary(stage["rubric"], stage["policy"]).items()
                          if value not in (None, "", False)]
        out[f"{amendments.STAGE}{i + 1}"] = lines
    evaluation = stages[1:]
    if final_score == FinalScore.WEIGHTED:
        out["final_score"] = " + ".join(f"{KIND_KO.get(s['kind'], s['kind'])} {_number(s['weight'] or 0)}%" for s in evaluation)
    else:
        out["final_score"] = "마지막 평가 단계의 점수"
    return out


@dataclass
class StepView:
    number: int
    title: str
    details: list[str] = field(default_factory=list)  # the panel: its size, whether scores are trimmed
    due: str | None = None
    shortlist: str | None = None
    criteria: list[tuple[str, str]] = field(default_factory=list)  # a later stage's (label, points)
    rules: list[str] = field(default_factory=list)


@dataclass
class ProcedureView:
    steps: list[StepView]
    flow: str  # 요건검토 → 서면평가 (평가위원 5명, 최고·최저점 제외) → 3배수 → 발표평가 (평가위원 5명)
    final: str  # 최종 점수 = 서면평가 30% + 발표평가 70%


def procedure_view(call: Call, locale: str = "ko") -> ProcedureView | None:
    """The procedure as the public announcement states it, or None for a call without one."""
    if not call.stages:
        return None
    steps, flow = [], []
    for row in call.stages:
        step = StepView(number=row.position + 1, title=kind_label(row.kind))
        if row.position > 0:
            policy = (call.policy if row.position == 1 else row.policy) or {}
            step.details.append(_("평가위원 %(n)d명", n=row.panel_size))
            trim = policy.get("trim_from")
            if isinstance(trim, int) and row.panel_size >= trim:
                step.details.append(_("최고·최저점 제외"))
            if row.due_at is not None:
                step.due = _kst(row.due_at)
            if row.position >= 2 and row.rubric:
                for c in row.rubric.get("criteria", []):
                    label = (c.get("label_en") if locale == "en" else None) or c.get("label") or c.get("key", "")
                    step.criteria.append((label, _("%(p)s점", p=points(c.get("max_points", "0")))))
                if policy.get("pass_mark") not in (None, ""):
                    step.rules.append(_("선정 기준: 총점 %(p)s점 이상", p=points(policy["pass_mark"])))
        flow.append(step.title + (f" ({', '.join(step.details)})" if step.details else ""))
        if row.shortlist_rule == ShortlistRule.MULTIPLE:
            step.shortlist = _("선정 수의 %(k)d배수 (%(n)d개)까지 다음 단계로", k=row.shortlist_value,
                               n=row.shortlist_value * call.awards)
            flow.append(_("%(k)d배수", k=row.shortlist_value))
        elif row.shortlist_rule == ShortlistRule.TOP:
            step.shortlist = _("상위 %(k)d개까지 다음 단계로", k=row.shortlist_value)
            flow.append(_("상위 %(k)d개", k=row.shortlist_value))
        steps.append(step)
    evaluation = [row for row in call.stages if row.position > 0]
    if call.final_score == FinalScore.WEIGHTED:
        terms = " + ".join(f"{kind_label(row.kind)} {points(row.weight or 0)}%" for row in evaluation)
    else:
        terms = _("%(stage)s 점수", stage=kind_label(evaluation[-1].kind)) if evaluation else ""
    return ProcedureView(steps=steps, flow=" → ".join(flow), final=_("최종 점수 = %(terms)s", terms=terms))
