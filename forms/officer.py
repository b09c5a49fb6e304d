"""Forms of the officer's console: calls and rubrics, screening, selection, objections."""
from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField, FieldList, Form, FormField, IntegerField, RadioField,
    SelectChoice, SelectField, SelectMultipleField, StringField, TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from app.core import clock, money
from app.core.money import MAX_WON
from app.models.decisions import EligibilityStatus
from app.review.conflicts import pledge_problem
from forms.fields import KstDateTimeField


def _won(form, field):
    try:
        field.parsed = money.parse_won(field.data or "")
    except ValueError:
        raise ValidationError(_l("금액은 원 단위 숫자로 입력하십시오 (예: 14,000,000,000).")) from None
    if field.parsed > MAX_WON:
        raise ValidationError(_l("금액이 너무 큽니다. 1,000조원 이하로 입력하십시오."))


def _ratio(form, field):
    """The local share: Numeric(6, 4) holds it, and no programme asks for more than ten times the national."""
    _decimal_text(form, field)
    if field.data and not (0 <= Decimal(field.data.strip()) <= 10):
        raise ValidationError(_l("0에서 10 사이의 비율로 입력하십시오 (예: 0.4)."))


def _decimal_text(form, field):
    if not field.data:
        return
    try:
        d = Decimal(field.data.strip())
    except InvalidOperation:
        raise ValidationError(_l("숫자로 입력하십시오 (예: 70 또는 0.4).")) from None
    if not d.is_finite():
        raise ValidationError(_l("숫자로 입력하십시오 (예: 70 또는 0.4)."))


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _lines(text: str, parts: int) -> list[list[str]]:
    out = []
    for line in (text or "").splitlines():
        if line.strip():
            cells = [c.strip() for c in line.split("|")]
            out.append((cells + [""] * parts)[:parts])
    return out


class IntRange(NumberRange):
    """NumberRange for whole numbers of any size: WTForms' own calls math.isnan on the
    value, which overflows for a typed 400-digit number (a 500 instead of a message)."""

    def __call__(self, form, field):
        data = field.data
        if data is None or (self.min is not None and data < self.min) or (self.max is not None and data > self.max):
            raise ValidationError(self.message)


def _check_line_lengths(cells: list[str]) -> None:
    """The key and the names must fit their columns (32 and 100 characters)."""
    if len(cells[0]) > 32:
        raise ValidationError(_l("키는 32자 이내로 입력하십시오: %(key)s", key=cells[0][:40]))
    if len(cells[1]) > 100 or len(cells[2]) > 100:
        raise ValidationError(_l("이름은 100자 이내로 입력하십시오."))


_YEAR = IntRange(min=2000, max=2100, message=_l("연도는 2000년에서 2100년 사이여야 합니다."))
_REASON_LENGTH = Length(max=4000, message=_l("변경 사유는 4,000자 이내로 입력하십시오."))


class CallForm(FlaskForm):
    programme_id = SelectField(_l("사업"), coerce=int, validators=[InputRequired(_l("사업을 선택하십시오."))])
    code = StringField(_l("공모 코드"), validators=[DataRequired(_l("공모 코드를 입력하십시오.")),
                                                Length(max=32, message=_l("공모 코드는 32자 이내로 입력하십시오."))])
    title = StringField(_l("공모명"), validators=[DataRequired(_l("공모명을 입력하십시오.")),
                                               Length(max=200, message=_l("공모명은 200자 이내로 입력하십시오."))])
    description_md = TextAreaField(_l("공고 내용 (Markdown)"))
    opens_at = KstDateTimeField(_l("접수 시작 (KST)"),
                                  validators=[DataRequired(_l("접수 시작 일시를 입력하십시오."))])
    closes_at = KstDateTimeField(_l("접수 마감 (KST)"),
                                   validators=[DataRequired(_l("접수 마감 일시를 입력하십시오."))])
    info_session_at = KstDateTimeField(_l("사업설명회 (KST)"), validators=[Optional()])
    awards = IntegerField(_l("선정 수"), validators=[InputRequired(_l("선정 수를 입력하십시오.")),
                                                   IntRange(min=1, max=1000,
                                                               message=_l("선정 수는 1에서 1000 사이여야 합니다."))])
    per_award_cap = StringField(_l("과제당 국비 한도 (원)"), validators=[_won])
    total_cap = StringField(_l("총 국비 한도 (원)"), validators=[_won])
    first_year = IntegerField(_l("사업 시작 연도"), validators=[InputRequired(_l("시작 연도를 입력하십시오.")), _YEAR])
    last_year = IntegerField(_l("사업 종료 연도"), validators=[InputRequired(_l("종료 연도를 입력하십시오.")), _YEAR])
    min_local_ratio = StringField(_l("지방비 최소 비율 (국비 대비, 예: 0.4)"), validators=[_ratio])
    reviewers_per_proposal = IntegerField(
        _l("신청서당 평가위원 수"),
        validators=[InputRequired(_l("평가위원 수를 입력하십시오.")),
                    IntRange(min=1, max=15, message=_l("평가위원 수는 1명에서 15명 사이여야 합니다."))])
    review_due_at = KstDateTimeField(_l("평가 마감 (KST)"), validators=[Optional()])
    complex_ids = MultiCheckboxField(_l("신청 가능 산업단지"), coerce=int)
    infra_types = TextAreaField(_l("지원 인프라 유형 (한 줄에 하나: 키 | 한국어 이름 | 영어 이름)"))
    attachment_kinds = TextAreaField(_l("제출 서류 (한 줄에 하나: 키 | 한국어 이름 | 영어 이름 | 필수 또는 선택)"))
    # Saved by app.review.conflicts.set_pledge_text, not part of the announcement.
    pledge_text = TextAreaField(_l("평가위원 서약문"))
    # Required by the service once the call has opened; the page shows it only then.
    amendment_reason = TextAreaField(_l("변경 사유 (변경공고)"), validators=[_REASON_LENGTH])

    def validate_pledge_text(self, field):
        problem = pledge_problem((field.data or "").strip())
        if problem:
            raise ValidationError(problem)

    def validate_infra_types(self, field):
        for cells in _lines(field.data, 3):
            if not cells[0] or not cells[1]:
                raise ValidationError(_l("각 줄에 키와 한국어 이름을 | 로 구분해 입력하십시오."))
            _check_line_lengths(cells)

    def validate_attachment_kinds(self, field):
        for cells in _lines(field.data, 4):
            if not cells[0] or not cells[1]:
                raise ValidationError(_l("각 줄에 키와 한국어 이름을 | 로 구분해 입력하십시오."))
            _check_line_lengths(cells)

    def fill_from(self, call) -> None:
        for name in ("programme_id", "code", "title", "description_md", "awards", "first_year", "last_year",
                     "reviewers_per_proposal"):
            getattr(self, name).data = getattr(call, name)
        for name in ("opens_at", "closes_at", "info_session_at", "review_due_at"):
            getattr(self, name).data = clock.to_kst_wall(getattr(call, name))
        self.per_award_cap.data = f"{call.per_award_cap:,}"
        self.total_cap.data = f"{call.total_cap:,}"
        self.min_local_ratio.data = format(call.min_local_ratio, "f") if call.min_local_ratio is not None else "0"
        self.complex_ids.data = [c.id for c in call.complexes]
        self.pledge_text.data = call.pledge_text or ""
        self.infra_types.data = "\n".join(f"{t.key} | {t.label_ko} | {t.label_en}" for t in call.infra_types)
        self.attachment_kinds.data = "\n".join(
            f"{a.key} | {a.label_ko} | {a.label_en} | {'필수' if a.required else '선택'}" for a in call.attachment_kinds
        )

    def to_data(self) -> dict:
        return {
            "code": self.code.data.strip(), "title": self.title.data.strip(),
            "description_md": self.description_md.data or "",
            "opens_at": clock.from_kst_wall(self.opens_at.data), "closes_at": clock.from_kst_wall(self.closes_at.data),
            "info_session_at": clock.from_kst_wall(self.info_session_at.data),
            "review_due_at": clock.from_kst_wall(self.review_due_at.data),
            "awards": self.awards.data, "per_award_cap": self.per_award_cap.parsed,
            "total_cap": self.total_cap.parsed, "first_year": self.first_year.data, "last_year": self.last_year.data,
            "min_local_ratio": Decimal(self.min_local_ratio.data or "0"),
            "reviewers_per_proposal": self.reviewers_per_proposal.data,
            "complex_ids": list(self.complex_ids.data or []),
            "infra_types": [(k, ko, en or ko) for k, ko, en in _lines(self.infra_types.data, 3)],
            "attachment_kinds": [(k, ko, en or ko, req != "선택") for k, ko, en, req in _lines(self.attachment_kinds.data, 4)],
        }


KIND_CHOICES = [SelectChoice("review", _l("정성 (평가위원 채점)")), SelectChoice("auto", _l("정량 (자동 산정)"))]


class CriterionForm(Form):
    key = StringField(_l("항목 키"))
    label = StringField(_l("항목명 (한국어)"))
    label_en = StringField(_l("항목명 (영어)"))
    max_points = StringField(_l("배점"), validators=[_decimal_text])
    kind = SelectField(_l("평가 방식"), choices=KIND_CHOICES)
    description = TextAreaField(_l("평가위원에게 보이는 설명"))
    rule = TextAreaField(_l("정량 산정 규칙 (JSON)"))

    def validate_rule(self, field):
        if self.kind.data == "auto":
            try:
                value = json.loads(field.data or "")
            except ValueError:
                raise ValidationError(_l("산정 규칙은 JSON 객체로 입력하십시오. 예: {\"type\": \"count\", \"fact\": \"complete_poc_plans\", \"target\": 10}")) from None
            if not isinstance(value, dict):
                raise ValidationError(_l("산정 규칙은 JSON 객체여야 합니다."))


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
    tie_breaks = StringField(_l("동점 처리 순서 (쉼표로 구분: criterion:항목키, submitted_at)"))
    one_per_complex = BooleanField(_l("산업단지당 1건만 선정"))
    apply_budget_cap = BooleanField(_l("총 국비 한도 안에서만 선정"))
    decimals = IntegerField(_l("점수 소수 자릿수"), default=2,
                            validators=[InputRequired(_l("자릿수를 입력하십시오.")),
                                        IntRange(min=0, max=6, message=_l("0에서 6 사이여야 합니다."))])
    amendment_reason = TextAreaField(_l("변경 사유 (변경공고)"), validators=[_REASON_LENGTH])

    def fill_from(self, call) -> None:
        rubric, policy = call.rubric or {}, call.policy or {}
        while len(self.criteria.entries):
            self.criteria.pop_entry()
        for c in rubric.get("criteria", []):
            self.criteria.append_entry({
                "key": c.get("key", ""), "label": c.get("label", ""), "label_en": c.get("label_en", ""),
                "max_points": str(c.get("max_points", "")), "kind": c.get("kind", "review"),
                "description": c.get("description", ""),
                "rule": json.dumps(c["rule"], ensure_ascii=False) if c.get("rule") else "",
            })
        self.criteria.append_entry({"kind": "review"})  # one empty row to add a criterion
        self.total_points.data = str(rubric.get("total_points", "100"))
        self.grades_on.data = bool(rubric.get("grades"))
        self.bonus_cap.data = str(rubric.get("bonus_cap", "") or "")
        self.pass_mark.data = str(policy.get("pass_mark", "70"))
        self.criterion_floor.data = str(policy.get("criterion_floor", "") or "")
        self.trim_from.data = policy.get("trim_from", 5)
        self.tie_breaks.data = ", ".join(policy.get("tie_breaks", []))
        self.one_per_complex.data = policy.get("one_per") == "complex"
        self.apply_budget_cap.data = "budget_cap" in policy
        self.decimals.data = policy.get("decimals", 2)

    def to_rubric_policy(self, call) -> tuple[dict, dict]:
        criteria = []
        for entry in self.criteria.entries:
            f = entry.form
            if not (f.key.data or "").strip() and not (f.label.data or "").strip():
                continue  # the empty row left blank
            item = {"key": f.key.data.strip(), "label": f.label.data.strip(), "label_en": (f.label_en.data or "").strip(),
                    "max_points": (f.max_points.data or "").strip(), "kind": f.kind.data,
                    "description": (f.description.data or "").strip()}
            if f.kind.data == "auto":
                item["rule"] = json.loads(f.rule.data)
            criteria.append(item)
        rubric = {"criteria": criteria, "total_points": (self.total_points.data or "100").strip()}
        if self.grades_on.data:
            rubric["grades"] = dict((call.rubric or {}).get("grades") or {"S": "1", "A": "0.9", "B": "0.8", "C": "0.7", "D": "0.6"})
        if (self.bonus_cap.data or "").strip():
            rubric["bonus_cap"] = self.bonus_cap.data.strip()
        policy = {"trim_from": self.trim_from.data, "pass_mark": self.pass_mark.data.strip(), "awards": call.awards,
                  "decimals": self.decimals.data,
                  "tie_breaks": [t.strip() for t in (self.tie_breaks.data or "").split(",") if t.strip()]}
        if (self.criterion_floor.data or "").strip():
            policy["criterion_floor"] = self.criterion_floor.data.strip()
        if self.one_per_complex.data:
            policy["one_per"] = "complex"
        if self.apply_budget_cap.data:
            policy["budget_cap"] = str(call.total_cap)
        return rubric, policy


class CopyCallForm(FlaskForm):
    code = StringField(_l("새 공모 코드"), validators=[DataRequired(_l("새 공모 코드를 입력하십시오.")),
                                                   Length(max=32, message=_l("공모 코드는 32자 이내로 입력하십시오."))])


class ActionForm(FlaskForm):
    """A button that only needs the CSRF token."""


class ScreeningForm(FlaskForm):
    status = RadioField(_l("검토 결과"), choices=[SelectChoice(EligibilityStatus.CONFIRMED, _l("적격")),
                                                 SelectChoice(EligibilityStatus.REJECTED, _l("부적격"))],
                        validators=[InputRequired(_l("적격 또는 부적격을 선택하십시오."))])
    reason = TextAreaField(_l("사유 (부적격이면 필수, 컨소시엄에 통보됨)"),
                           validators=[Length(max=4000, message=_l("사유는 4,000자 이내로 입력하십시오."))])

    def validate_reason(self, field):
        if self.status.data == EligibilityStatus.REJECTED and not (field.data or "").strip():
            raise ValidationError(_l("부적격 사유를 입력하십시오. 사유는 컨소시엄에 통보됩니다."))


class OverrideForm(FlaskForm):
    selected = RadioField(_l("최종 선정 여부"), choices=[SelectChoice("1", _l("선정")), SelectChoice("0", _l("미선정"))],
                          validators=[InputRequired(_l("선정 여부를 선택하십시오."))])
    reason = TextAreaField(_l("변경 사유"), validators=[
        DataRequired(_l("선정 변경 사유를 입력하십시오.")),
        Length(min=5, max=4000, message=_l("선정 변경 사유를 5자 이상 4,000자 이내로 입력하십시오."))])

