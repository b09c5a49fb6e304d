"""The officer's rubric editor: criteria as rows, and a rule builder for each automatic one.

The builder's fields (fact, rule kind, target, required values, steps table) produce exactly
the rule the scoring engine reads (scoring/rules.py), e.g. ``{"type": "steps", "fact":
"private_matching_ratio", "steps": [["0.3", "1"], ["0.2", "0.6"]]}``, so no one types JSON.
"""
from __future__ import annotations

import re
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField, FieldList, Form, FormField, IntegerField, SelectChoice, SelectField, StringField, TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, ValidationError

from app.calls.call_admin import FACTS, finite_decimal
from forms.officer import _REASON_LENGTH, IntRange, MultiCheckboxField, _decimal_text

KIND_CHOICES = [SelectChoice("review", _l("정성 (평가위원 채점)")), SelectChoice("auto", _l("정량 (자동 산정)"))]
# The facts app/selection/engine_run.py computes, in the words of the call page (app/calls/calls.py).
FACT_LABELS = {
    "infrastructure_types": _l("제안한 인프라 지원유형 수"),
    "complete_poc_plans": _l("성과지표를 갖춘 완결된 PoC 계획 수"),
    "private_matching_ratio": _l("민간부담금 비율"),
}
LIST_FACTS = ("infrastructure_types",)  # a list of values: the one a coverage rule counts
RULE_CHOICES = [
    SelectChoice("coverage", _l("포괄성: 서로 다른 유형 수 ÷ 목표 (필수 유형이 빠지면 0점)")),
    SelectChoice("count", _l("개수: 값 ÷ 목표 (목표 이상이면 만점)")),
    SelectChoice("steps", _l("구간표: 기준값 이상이면 배점의 해당 비율")),
]
MAX_TARGET = 1_000_000
STEP_LIMIT = 20
TIE_LIMIT = 10
SUBMITTED_AT = "submitted_at"  # the policy's word for "the proposal submitted first wins"


def _blank(*fields) -> bool:
    return not any((f.data or "").strip() for f in fields)


class StepForm(Form):
    threshold = StringField(_l("기준값 (이상)"), validators=[_decimal_text])
    ratio = StringField(_l("배점 대비 비율 (0~1)"), validators=[_decimal_text])

    def validate_ratio(self, field):
        # Runs after _decimal_text even when that refused the text: a non-number is its message.
        ratio = finite_decimal((field.data or "").strip())
        if ratio is not None and not 0 <= ratio <= 1:
            raise ValidationError(_l("비율은 0에서 1 사이로 입력하십시오 (예: 0.6)."))


class TieBreakForm(Form):
    # The choices are the rubric's criteria as posted (RubricForm.prepare); the service checks them.
    rule = SelectField(_l("동점 처리 기준"), validate_choice=False)


class CriterionForm(Form):
    key = StringField(_l("항목 키"))
    label = StringField(_l("항목명 (한국어)"))
    label_en = StringField(_l("항목명 (영어)"))
    max_points = StringField(_l("배점"), validators=[_decimal_text])
    kind = SelectField(_l("평가 방식"), choices=KIND_CHOICES)
    description = TextAreaField(_l("평가위원에게 보이는 설명"))
    fact = SelectField(_l("산정 근거 자료"), choices=[SelectChoice("", _l("선택하십시오"))]
                       + [SelectChoice(k, FACT_LABELS[k]) for k in FACTS], validate_choice=False)
    # Checked only for an automatic criterion: a qualitative one posts no rule.
    rule_type = SelectField(_l("산정 방식"), choices=RULE_CHOICES, validate_choice=False)
    target = StringField(_l("목표치 (이 값이면 만점)"))
    required = MultiCheckboxField(_l("반드시 포함해야 할 유형"), validate_choice=False)
    steps = FieldList(FormField(StepForm), min_entries=0, max_entries=STEP_LIMIT)

    @property
    def automatic(self) -> bool:
        return self.kind.data == "auto"

    def validate_fact(self, field):
        if self.automatic and field.data not in FACTS:
            raise ValidationError(_l("정량 항목의 산정 근거 자료를 선택하십시오."))

    def validate_rule_type(self, field):
        if not self.automatic:
            return
        if field.data not in {c.value for c in RULE_CHOICES}:
            raise ValidationError(_l("산정 방식을 선택하십시오."))
        if self.fact.data not in FACTS:
            return
        if field.data == "coverage" and self.fact.data not in LIST_FACTS:
            raise ValidationError(_l("포괄성은 인프라 지원유형처럼 여러 값을 고르는 자료에만 쓸 수 있습니다."))
        if field.data != "coverage" and self.fact.data in LIST_FACTS:
            raise ValidationError(_l("인프라 지원유형은 포괄성으로 산정하십시오."))

    def validate_target(self, field):
        if not self.automatic or self.rule_type.data not in ("coverage", "count"):
            return
        text = (field.data or "").strip().replace(",", "")
        if not re.fullmatch(r"[0-9]{1,7}", text) or not 1 <= int(text) <= MAX_TARGET:  # ASCII digits only
            raise ValidationError(_l("목표치는 1에서 1,000,000 사이의 정수로 입력하십시오."))

    def validate_steps(self, field):
        if not self.automatic or self.rule_type.data != "steps":
            return
        rows = [e.form for e in field.entries if not _blank(e.form.threshold, e.form.ratio)]
        if not rows:
            raise ValidationError(_l("구간을 하나 이상 입력하십시오 (기준값과 비율)."))
        if any(_blank(r.threshold) or _blank(r.ratio) for r in rows):
            raise ValidationError(_l("구간마다 기준값과 비율을 모두 입력하십시오."))

    @staticmethod
    def entry_data(criterion: dict) -> dict:
        """The entry data of one stored criterion."""
        rule = criterion.get("rule") or {}
        return {
            "key": criterion.get("key", ""), "label": criterion.get("label", ""),
            "label_en": criterion.get("label_en", ""), "max_points": str(criterion.get("max_points", "")),
            "kind": criterion.get("kind", "review"), "description": criterion.get("description", ""),
            "fact": rule.get("fact", ""), "rule_type": rule.get("type", "count"),
            "target": str(rule.get("target", "")), "required": list(rule.get("required") or []),
            "steps": [{"threshold": str(t), "ratio": str(r)} for t, r in rule.get("steps") or []],
        }

    def rule(self) -> dict:
        """The engine's rule (scoring/rules.py) built from the builder's fields."""
        rule: dict = {"type": self.rule_type.data, "fact": self.fact.data}
        if self.rule_type.data == "steps":
            rule["steps"] = [[e.form.threshold.data.strip(), e.form.ratio.data.strip()]
                             for e in self.steps.entries if not _blank(e.form.threshold, e.form.ratio)]
        else:
            rule["target"] = int((self.target.data or "0").strip().replace(",", "") or 0)
        if self.rule_type.data == "coverage" and self.required.data:
            rule["required"] = list(self.required.data)
        return rule

    def item(self) -> dict:
        item = {"key": (self.key.data or "").strip(), "label": (self.label.data or "").strip(),
                "max_points": (self.max_points.data or "").strip(), "kind": self.kind.data}
        # Empty optional texts stay out, so a stored rubric reads like the contract's example.
        for name in ("label_en", "description"):
            if (getattr(self, name).data or "").strip():
                item[name] = getattr(self, name).data.strip()
        if self.automatic:
            item["rule"] = self.rule()
        return item


class RubricForm(FlaskForm):
    criteria = FieldList(FormField(CriterionForm), min_entries=1, max_entries=40)
    total_points = StringField(_l("총점"), default="100", validators=[_decimal_text])
    grades_on = BooleanField(_l("등급 평가 사용 (S/A/B/C/D = 배점의 100/90/80/70/60%)"))
    bonus_cap = StringField(_l("가점 상한"), validators=[_decimal_text])
    pass_mark = StringField(_l("선정 기준 점수 (합격선)"), validators=[DataRequired(_l("합격선을 입력하십시오.")), _decimal_text])
    criterion_floor = StringField(_l("과락 기준 (배점 대비 비율, 예: 0.4; 비우면 없음)"), validators=[_decimal_text])
    trim_from = IntegerField(_l("최고·최저점 제외 기준 (평가표 수)"),
                             validators=[InputRequired(_l("평가표 수를 입력하십시오.")),
                                         IntRange(min=3, message=_l("3 이상이어야 합니다."))])
    # Each row one rule of the policy's list: ``criterion:<key>`` (higher score wins) or submitted_at.
    tie_breaks = FieldList(FormField(TieBreakForm), min_entries=0, max_entries=TIE_LIMIT)
    one_per_complex = BooleanField(_l("산업단지당 1건만 선정"))
    apply_budget_cap = BooleanField(_l("총 국비 한도 안에서만 선정"))
    decimals = IntegerField(_l("점수 소수 자릿수"), default=2,
                            validators=[InputRequired(_l("자릿수를 입력하십시오.")),
                                        IntRange(min=0, max=6, message=_l("0에서 6 사이여야 합니다."))])
    amendment_reason = TextAreaField(_l("변경 사유 (변경공고)"), validators=[_REASON_LENGTH])

    # The lists the row buttons may change (forms/rows.py).
    ROW_LISTS = {"criteria": 40, r"criteria-\d+-steps": STEP_LIMIT, "tie_breaks": TIE_LIMIT}

    def prepare(self, call) -> None:
        """Offer the call's infrastructure types as a coverage rule's required values, and the
        criteria (by their Korean labels) and the submission time as tie-breaks."""
        types = [SelectChoice(t.key, f"{t.label_ko} ({t.key})") for t in call.infra_types]
        known = {t.key for t in call.infra_types}
        for entry in self.criteria.entries:
            extra = [SelectChoice(k, k) for k in entry.form.required.data or [] if k not in known]
            entry.form.required.choices = types + extra
        rules = [SelectChoice("", _l("선택하십시오"))]
        for entry in self.criteria.entries:
            key = (entry.form.key.data or "").strip()
            if key:
                rules.append(SelectChoice(f"criterion:{key}", (entry.form.label.data or "").strip() or key))
        rules.append(SelectChoice(SUBMITTED_AT, _l("제출 시각 (먼저 제출한 신청)")))
        offered = {c.value for c in rules}
        for entry in self.tie_breaks.entries:
            value = entry.form.rule.data or ""
            # A rule naming no criterion stays selected as it was, so the service can say what is wrong.
            entry.form.rule.choices = rules + ([SelectChoice(value, value)] if value not in offered else [])

    def points_sum(self) -> Decimal:
        """The sum of the criteria's points as typed, ignoring what is not a number."""
        return sum((finite_decimal((e.form.max_points.data or "").strip()) or Decimal(0)
                    for e in self.criteria.entries), Decimal(0))

    def sum_matches(self) -> bool:
        return self.points_sum() == (finite_decimal((self.total_points.data or "100").strip()) or Decimal(100))

    def fill_from(self, call) -> None:
        self.fill(call.rubric or {}, call.policy or {})

    def fill(self, rubric: dict, policy: dict) -> None:
        """The form showing a stored rubric and policy (the call's, or a later stage's)."""
        while len(self.criteria.entries):
            self.criteria.pop_entry()
        for c in rubric.get("criteria", []) or [{"kind": "review"}]:
            self.criteria.append_entry(CriterionForm.entry_data(c))
        self.total_points.data = str(rubric.get("total_points", "100"))
        self.grades_on.data = bool(rubric.get("grades"))
        self.bonus_cap.data = str(rubric.get("bonus_cap", "") or "")
        self.pass_mark.data = str(policy.get("pass_mark", "70"))
        self.criterion_floor.data = str(policy.get("criterion_floor", "") or "")
        self.trim_from.data = policy.get("trim_from", 5)
        while len(self.tie_breaks.entries):
            self.tie_breaks.pop_entry()
        for rule in policy.get("tie_breaks") or []:
            self.tie_breaks.append_entry({"rule": rule})
        self.one_per_complex.data = policy.get("one_per") == "complex"
        self.apply_budget_cap.data = "budget_cap" in policy
        self.decimals.data = policy.get("decimals", 2)

    def to_rubric_policy(self, call, stored: dict | None = None) -> tuple[dict, dict]:
        """The rubric and policy as saved; ``stored`` is the rubric edited (the call's by default),
        whose grade table is kept."""
        stored = (call.rubric if stored is None else stored) or {}
        criteria = [e.form.item() for e in self.criteria.entries
                    if not _blank(e.form.key, e.form.label)]  # a row left blank is no criterion
        rubric = {"criteria": criteria, "total_points": (self.total_points.data or "100").strip()}
        if self.grades_on.data:
            rubric["grades"] = dict(stored.get("grades") or {"S": "1", "A": "0.9", "B": "0.8", "C": "0.7", "D": "0.6"})
        if (self.bonus_cap.data or "").strip():
            rubric["bonus_cap"] = self.bonus_cap.data.strip()
        policy = {"trim_from": self.trim_from.data, "pass_mark": self.pass_mark.data.strip(), "awards": call.awards,
                  "decimals": self.decimals.data,
                  "tie_breaks": [e.form.rule.data for e in self.tie_breaks.entries if (e.form.rule.data or "").strip()]}
        if (self.criterion_floor.data or "").strip():
            policy["criterion_floor"] = self.criterion_floor.data.strip()
        if self.one_per_complex.data:
            policy["one_per"] = "complex"
        if self.apply_budget_cap.data:
            policy["budget_cap"] = str(call.total_cap)
        return rubric, policy


def problem_field(name: str) -> str:
    """The builder field a service problem about ``criteria-<i>-rule`` belongs beside."""
    return name[: -len("rule")] + "rule_type" if name.startswith("criteria-") and name.endswith("-rule") else name
