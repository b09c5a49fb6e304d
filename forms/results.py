"""Forms of the officer's results page: computing, and leaving a missing sheet out."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, TextAreaField
from wtforms.validators import DataRequired, Length


class ComputeForm(FlaskForm):
    acknowledge_short = BooleanField(_l("평가위원 수가 부족한 신청서가 있음을 확인했으며, 그대로 결과를 산출합니다."))


class LeaveOutForm(FlaskForm):
    """One per missing sheet, prefixed with its assignment so the page's fields stay apart."""

    reason = TextAreaField(_l("제외 사유"), validators=[
        DataRequired(_l("제외 사유를 입력하십시오.")),
        Length(min=5, max=2000, message=_l("제외 사유를 5자 이상 2,000자 이내로 입력하십시오."))])

    @classmethod
    def of(cls, assignment_id: int, **kwargs) -> "LeaveOutForm":
        return cls(prefix=f"a{assignment_id}", **kwargs)


class ExportForm(FlaskForm):
    """Only the CSRF token: asking for a file starts the job that builds it."""
