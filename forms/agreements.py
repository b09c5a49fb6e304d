"""Forms of the agreement (협약): opening, the revised plan, its review, the terms, signing."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField, DateField, HiddenField, IntegerField, PasswordField, RadioField, SelectChoice, StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.agreements.opening import MAX_REVISION_DAYS, MIN_REVISION_DAYS

_DAYS = NumberRange(min=MIN_REVISION_DAYS, max=MAX_REVISION_DAYS,
                    message=_l("보완 기한은 %(lo)d일에서 %(hi)d일 사이로 정하십시오.", lo=MIN_REVISION_DAYS,
                               hi=MAX_REVISION_DAYS))


class OpenForm(FlaskForm):
    required_changes = TextAreaField(_l("보완할 사항 (평가위원 의견 반영)"), validators=[
        DataRequired(_l("보완할 사항을 입력하십시오.")),
        Length(min=5, max=20000, message=_l("보완할 사항을 5자 이상 20,000자 이내로 입력하십시오."))])
    revision_days = IntegerField(_l("보완 기한 (일)"), validators=[
        InputRequired(_l("보완 기한을 일 수로 입력하십시오.")), _DAYS])


class RevisionForm(FlaskForm):
    note = TextAreaField(_l("보완 내용 설명"), validators=[
        DataRequired(_l("무엇을 어떻게 보완했는지 입력하십시오.")),
        Length(min=5, max=20000, message=_l("보완 내용 설명을 5자 이상 20,000자 이내로 입력하십시오."))])


class DecisionForm(FlaskForm):
    decision = RadioField(_l("검토 결과"), choices=[SelectChoice("accepted", _l("승인")), SelectChoice("returned", _l("반려"))],
                          validators=[InputRequired(_l("승인 또는 반려를 고르십시오."))])
    comment = TextAreaField(_l("의견 (반려할 때는 필수)"), validators=[Length(max=20000)])
    extend_days = IntegerField(_l("반려할 때 기한 연장 (일, 선택)"), validators=[Optional(), _DAYS])


class TermsForm(FlaskForm):
    period_start = DateField(_l("협약 시작일"), validators=[InputRequired(_l("협약 시작일을 입력하십시오."))])
    period_end = DateField(_l("협약 종료일"), validators=[InputRequired(_l("협약 종료일을 입력하십시오."))])
    special_conditions = TextAreaField(_l("특수조건"), validators=[Length(max=20000)])


class IssueForm(FlaskForm):
    """Only the CSRF token: issuing typesets the document from what is saved."""


class SignForm(FlaskForm):
    document_sha256 = HiddenField()
    confirm = BooleanField(_l("위 SHA-256 값의 협약서를 확인했으며 이 문서에 서명합니다."),
                           validators=[DataRequired(_l("협약서의 SHA-256 값을 확인했다고 표시하십시오."))])
    password = PasswordField(_l("비밀번호"), validators=[DataRequired(_l("비밀번호를 입력하십시오.")), Length(max=200)],
                             render_kw={"autocomplete": "current-password"})
    code = StringField(_l("일회용 코드 (2단계 인증)"), validators=[Length(max=20)],
                       render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"})
