"""Forms of an objection (이의신청): the applicant's filing and the officer's answer."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import RadioField, SelectChoice, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from app.selection.objections import DECISIONS, GROUNDS, MAX_EVIDENCE


class ObjectionForm(FlaskForm):
    ground = RadioField(_l("이의신청 사유 유형"), choices=[SelectChoice(k, label) for k, label in GROUNDS.items()],
                        validators=[InputRequired(_l("이의신청 사유의 유형을 고르십시오."))])
    grounds = TextAreaField(_l("이의신청 사유"), validators=[
        DataRequired(_l("이의신청 사유를 입력하십시오.")),
        Length(min=10, max=8000, message=_l("이의신청 사유를 10자 이상 8,000자 이내로 입력하십시오."))])
    evidence = MultipleFileField(_l("증빙 파일 (선택, 3개까지)"))

    def validate_evidence(self, field):
        if len([f for f in field.data or [] if getattr(f, "filename", "")]) > MAX_EVIDENCE:
            raise ValidationError(_l("증빙 파일은 %(n)d개까지 첨부할 수 있습니다.", n=MAX_EVIDENCE))


class AnswerForm(FlaskForm):
    decision = RadioField(_l("결정"), choices=[SelectChoice(k, label) for k, label in DECISIONS.items()],
                          validators=[InputRequired(_l("인용, 일부인용, 기각 중에서 결정을 고르십시오."))])
    answer = TextAreaField(_l("결정 이유"), validators=[
        DataRequired(_l("결정 이유를 입력하십시오.")),
        Length(min=10, max=8000, message=_l("결정 이유를 10자 이상 8,000자 이내로 입력하십시오."))])


class ActionForm(FlaskForm):
    """No fields: the CSRF token is the point (opening or applying a re-evaluation)."""
