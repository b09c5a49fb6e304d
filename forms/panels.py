"""Forms of panel building: asking for recommendations, starting the recruitment, answering an invitation.

The limits on the numbers are the service's (app/review/recruitment.py); the form only carries
the values and says when one is missing or not a number.
"""
from __future__ import annotations

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DecimalField, IntegerField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange

from app.review.recruitment import LIMITS

NUMBER = _l("숫자를 입력하십시오.")


def _range(name: str):
    low, high = LIMITS[name]
    return NumberRange(min=low, max=high, message=_l("%(low)d에서 %(high)d 사이의 정수를 입력하십시오.", low=low, high=high))


class RecommendForm(FlaskForm):
    submit = SubmitField(_l("다시 계산"))


class RecruitmentForm(FlaskForm):
    seats = IntegerField(_l("구성할 평가위원 수"), validators=[InputRequired(NUMBER), _range("seats")])
    invite_factor = IntegerField(_l("초대 배수"), default=3, validators=[InputRequired(NUMBER), _range("invite_factor")])
    response_days = IntegerField(_l("응답 기한(일)"), default=5,
                                 validators=[InputRequired(NUMBER), _range("response_days")])
    industry_share = DecimalField(_l("산업계 평가위원 비율"), default=Decimal("0.30"), places=2, validators=[
        InputRequired(NUMBER), NumberRange(min=0, max=1, message=_l("산업계 비율은 0에서 1 사이로 입력하십시오 (예: 0.3)."))])
    submit = SubmitField(_l("모집 시작"))


class AcceptForm(FlaskForm):
    submit = SubmitField(_l("수락"))


class DeclineForm(FlaskForm):
    reason = TextAreaField(_l("사양 사유"), validators=[
        InputRequired(_l("사양하는 사유를 입력하십시오.")), Length(max=1000)])
    submit = SubmitField(_l("사양"))
