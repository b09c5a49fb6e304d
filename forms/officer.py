"""Forms of the officer's console: calls and rubrics, screening, selection, objections."""
from __future__ import annotations

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
from forms.auth import ORG_TYPE_LABELS
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


class IntRange(NumberRange):
    """NumberRange for whole numbers of any size: WTForms' own calls math.isnan on the
    value, which overflows for a typed 400-digit number (a 500 instead of a message)."""

    def __call__(self, form, field):
        data = field.data
        if data is None or (self.min is not None and data < self.min) or (self.max is not None and data > self.max):
            raise ValidationError(self.message)


class KeyedRow(Form):
    """One row of a call's list (a type of infrastructure, a kind of attachment); a blank row is skipped."""

    key = StringField(_l("키"), validators=[Length(max=32, message=_l("키는 32자 이내로 입력하십시오."))])
    label_ko = StringField(_l("한국어 이름"), validators=[Length(max=100, message=_l("이름은 100자 이내로 입력하십시오."))])
    label_en = StringField(_l("영어 이름"), validators=[Length(max=100, message=_l("이름은 100자 이내로 입력하십시오."))])

    def is_blank(self) -> bool:
        return not any((f.data or "").strip() for f in (self.key, self.label_ko, self.label_en))

    def validate_key(self, field):
        if not self.is_blank() and not (field.data or "").strip():
            raise ValidationError(_l("키를 입력하십시오 (예: openlab)."))

    def validate_label_ko(self, field):
        if not self.is_blank() and not (field.data or "").strip():
            raise ValidationError(_l("한국어 이름을 입력하십시오."))

    def cells(self) -> tuple[str, str, str]:
        key, ko, en = ((f.data or "").strip() for f in (self.key, self.label_ko, self.label_en))
        return key, ko, en or ko


class AttachmentRow(KeyedRow):
    required = BooleanField(_l("필수"))


_YEAR = IntRange(min=2000, max=2100, message=_l("연도는 2000년에서 2100년 사이여야 합니다."))
_REASON_LENGTH = Length(max=4000, message=_l("변경 사유는 4,000자 이내로 입력하십시오."))
_LABEL_LENGTH = Length(max=100, message=_l("이름은 100자 이내로 입력하십시오."))


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
    # What the overview's site choice is called (대상 산업단지, 조성 입지 …); empty: a neutral default.
    site_label_ko = StringField(_l("신청 대상 입지의 이름 (한국어)"), validators=[_LABEL_LENGTH])
    site_label_en = StringField(_l("신청 대상 입지의 이름 (영어)"), validators=[_LABEL_LENGTH])
    # None ticked: any organisation may lead.
    lead_org_types = MultiCheckboxField(_l("주관기관이 될 수 있는 기관 유형"),
                                        choices=[SelectChoice(k, v) for k, v in ORG_TYPE_LABELS.items()])
    infra_types = FieldList(FormField(KeyedRow), label=_l("지원 인프라 유형"), min_entries=1, max_entries=40)
    attachment_kinds = FieldList(FormField(AttachmentRow), label=_l("제출 서류"), min_entries=1, max_entries=40)
    # Saved by app.review.conflicts.set_pledge_text, not part of the announcement.
    pledge_text = TextAreaField(_l("평가위원 서약문"))
    # Required by the service once the call has opened; the page shows it only then.
    amendment_reason = TextAreaField(_l("변경 사유 (변경공고)"), validators=[_REASON_LENGTH])

    def validate_pledge_text(self, field):
        problem = pledge_problem((field.data or "").strip())
        if problem:
            raise ValidationError(problem)

    # The lists the row buttons may change (forms/rows.py).
    ROW_LISTS = {"infra_types": 40, "attachment_kinds": 40}

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for rows in (self.infra_types, self.attachment_kinds):
            seen: set[str] = set()
            for entry in rows.entries:
                key = (entry.form.key.data or "").strip()
                if key in seen:  # beside the second row with the key, where the officer looks
                    entry.form.key.errors.append(_l("위의 줄과 키가 같습니다. 키는 줄마다 달라야 합니다."))
                    valid = False
                elif key:
                    seen.add(key)
        return valid

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
        self.site_label_ko.data, self.site_label_en.data = call.site_label_ko or "", call.site_label_en or ""
        self.lead_org_types.data = list(call.lead_org_types or [])
        self.pledge_text.data = call.pledge_text or ""
        for name, rows, columns in (("infra_types", call.infra_types, ("key", "label_ko", "label_en")),
                                    ("attachment_kinds", call.attachment_kinds,
                                     ("key", "label_ko", "label_en", "required"))):
            entries = getattr(self, name)
            while entries.entries:
                entries.pop_entry()
            for row in rows:
                entries.append_entry({c: getattr(row, c) for c in columns})
            if not rows:
                entries.append_entry()

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
            "site_label_ko": (self.site_label_ko.data or "").strip(), "site_label_en": (self.site_label_en.data or "").strip(),
            "lead_org_types": [t for t in ORG_TYPE_LABELS if t in (self.lead_org_types.data or [])],
            "infra_types": [e.form.cells() for e in self.infra_types.entries if not e.form.is_blank()],
            "attachment_kinds": [(*e.form.cells(), bool(e.form.required.data))
                                 for e in self.attachment_kinds.entries if not e.form.is_blank()],
        }


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

