"""Forms for submitting and withdrawing a proposal."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField
from wtforms.validators import DataRequired


class SubmitForm(FlaskForm):
    confirm = BooleanField(
        _l("위 내용을 확인하였으며, 제출한 신청서는 접수번호와 함께 그대로 보관된다는 것에 동의합니다."),
        validators=[DataRequired(_l("제출하려면 확인란에 표시하십시오."))],
    )


class WithdrawForm(FlaskForm):
    """No fields: the CSRF token is the point."""
