"""Confirming one of the officer's irreversible steps on a call."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField
from wtforms.validators import DataRequired


class ConfirmStepForm(FlaskForm):
    step = HiddenField(validators=[DataRequired()])
    confirm = BooleanField(_l("위 내용을 확인했으며, 이 단계는 되돌릴 수 없음을 이해합니다."),
                           validators=[DataRequired(_l("진행하려면 확인란에 표시하십시오."))])


class ConfirmStageForm(FlaskForm):
    confirm = BooleanField(_l("위 내용을 확인했으며, 단계 확정은 되돌릴 수 없음을 이해합니다."),
                           validators=[DataRequired(_l("진행하려면 확인란에 표시하십시오."))])
