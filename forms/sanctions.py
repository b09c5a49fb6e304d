"""Forms of the sanctions list: an officer adds a sanction by the person's e-mail, or lifts one early.

The rules (who exists, the dates, a reason) are app/review/sanctions.py's; these carry the values
and the views put the service's messages beside the fields.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length
from wtforms.widgets import HiddenInput

from app.review.sanctions import MAX_REASON

_REASON = Length(max=MAX_REASON, message=_l("사유는 %(max)d자 이내로 입력하십시오."))


class SanctionForm(FlaskForm):
    email = StringField(_l("제재 대상자 이메일"), validators=[DataRequired(_l("제재 대상자의 이메일 주소를 입력하십시오.")),
                                                        Length(max=254)])
    starts_on = DateField(_l("제재 시작일"), validators=[InputRequired(_l("제재 시작일을 입력하십시오."))])
    reason = TextAreaField(_l("제재 사유 (근거 법령과 처분)"), validators=[DataRequired(_l("사유를 입력하십시오.")), _REASON])


class LiftForm(FlaskForm):
    sanction_id = IntegerField(widget=HiddenInput(), validators=[InputRequired(_l("해제할 제재를 고르십시오."))])
    lift_reason = TextAreaField(_l("해제 사유"), validators=[DataRequired(_l("해제 사유를 입력하십시오.")), _REASON])
