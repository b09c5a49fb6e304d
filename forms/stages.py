"""The officer's form for a call's selection procedure (평가 절차): stages and the final score."""
from __future__ import annotations

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import FieldList, Form, FormField, HiddenField, IntegerField, RadioField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import Optional

from app.calls import stages as stages_service
from app.core import clock
from app.models.stages import FinalScore, ShortlistRule, StageKind
from forms.fields import KstDateTimeField
from forms.officer import _REASON_LENGTH, IntRange, _decimal_text

# 요건검토 is always the first stage, posted as a hidden value; the others choose among these.
KIND_CHOICES = [
    SelectChoice(StageKind.WRITTEN, _l("서면평가")), SelectChoice(StageKind.PRESENTATION, _l("발표평가")),
    SelectChoice(StageKind.SITE, _l("현장평가")),
]
RULE_CHOICES = [
    SelectChoice(ShortlistRule.ALL, _l("합격선을 넘은 신청서 모두")),
    SelectChoice(ShortlistRule.TOP, _l("상위 K개 (K = 아래 숫자)")),
    SelectChoice(ShortlistRule.MULTIPLE, _l("선정 수의 K배수 (예: 3배수)")),
]


class StageForm(Form):
    # The service checks the kind and the rule, with messages tied to these fields.
    kind = SelectField(_l("단계 종류"), choices=KIND_CHOICES, validate_choice=False)
    panel_size = IntegerField(_l("평가위원 수"), validators=[
        Optional(), IntRange(min=1, max=15, message=_l("평가위원 수는 1명에서 15명 사이여야 합니다."))])
    due_at = KstDateTimeField(_l("평가 마감 (KST)"), validators=[Optional()])
    shortlist_rule = SelectField(_l("다음 단계 진출 기준"), choices=RULE_CHOICES, validate_choice=False)
    shortlist_value = IntegerField(_l("K (상위 개수 또는 배수)"), validators=[
        Optional(), IntRange(min=0, max=1000, message=_l("0에서 1000 사이의 정수로 입력하십시오."))])
    weight = StringField(_l("가중치 (%)"), validators=[_decimal_text])
    # Where a later stage's rubric comes from: the stored stage it was shown as (its position then),
    # or blank for a stage just added, which starts from the sample presentation rubric. The rubric
    # itself is edited on the stage's own page (officer_stages.edit_stage_rubric).
    source = HiddenField()

    def to_data(self, stored: dict) -> dict:
        """The stage's values; ``stored`` maps the call's stage positions to their (rubric, policy)."""
        source = (self.source.data or "").strip()
        position = int(source) if source.isascii() and source.isdigit() and len(source) < 3 else None
        rubric, policy = stored[position] if position in stored else stages_service.default_stage_rubric()
        weight = (self.weight.data or "").strip()
        return {
            "kind": self.kind.data, "panel_size": self.panel_size.data, "due_at": clock.from_kst_wall(self.due_at.data),
            "shortlist_rule": self.shortlist_rule.data, "shortlist_value": self.shortlist_value.data or 0,
            "weight": Decimal(weight) if weight else None,
            "rubric": rubric, "policy": policy,
        }


class StagesForm(FlaskForm):
    stages = FieldList(FormField(StageForm), min_entries=1, max_entries=stages_service.MAX_EVALUATION_STAGES + 1)
    final_score = RadioField(_l("최종 점수 산정"), choices=[
        SelectChoice(FinalScore.LAST, _l("마지막 평가 단계의 점수")),
        SelectChoice(FinalScore.WEIGHTED, _l("단계별 가중치 합산 (합계 100%)")),
    ], default=FinalScore.LAST, invalid_choice_message=_l("최종 점수 산정 방식을 선택하십시오."))
    amendment_reason = TextAreaField(_l("변경 사유 (변경공고)"), validators=[_REASON_LENGTH])

    def fill_from(self, call) -> None:
        while len(self.stages.entries):
            self.stages.pop_entry()
        for row in call.stages:
            self.stages.append_entry({
                "kind": row.kind, "panel_size": row.panel_size or None, "due_at": clock.to_kst_wall(row.due_at),
                "shortlist_rule": row.shortlist_rule, "shortlist_value": row.shortlist_value or None,
                "weight": format(row.weight.normalize(), "f") if row.weight is not None else "",
                "source": str(row.position),
            })
        self.final_score.data = call.final_score

    def add_stage(self) -> None:
        """One more stage at the end: a 발표평가 by five reviewers on the sample presentation rubric."""
        if len(self.stages.entries) <= stages_service.MAX_EVALUATION_STAGES:
            self.stages.append_entry({"kind": StageKind.PRESENTATION, "panel_size": 5,
                                      "shortlist_rule": ShortlistRule.ALL, "source": ""})

    def remove_stage(self, index: int) -> None:
        """Drop a later stage (요건검토 and the first evaluation stage stay)."""
        if 2 <= index < len(self.stages.entries):
            kept = [entry.data for i, entry in enumerate(self.stages.entries) if i != index]
            while len(self.stages.entries):
                self.stages.pop_entry()
            for data in kept:
                self.stages.append_entry(data)

    def to_data(self, call) -> list[dict]:
        stored = {row.position: (row.rubric, {k: v for k, v in (row.policy or {}).items() if k != "awards"})
                  for row in call.stages if row.position >= 2 and row.rubric}
        return [entry.form.to_data(stored) for entry in self.stages.entries]
