"""The filters of a call's audit trail: a GET form, so it carries no CSRF token."""
from __future__ import annotations

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, ValidationError
from wtforms.validators import Optional

from forms.fields import EARLIEST_YEAR, LATEST_YEAR


class _Choice(SelectField):
    def pre_validate(self, form):
        if self.data not in {str(value) for value, *_ in self.iter_choices()}:
            raise ValidationError(_l("목록에 있는 항목을 선택하십시오."))


class _Day(DateField):
    """A calendar day in Seoul, typed in a ``date`` input."""

    def process_formdata(self, valuelist):
        self.data = None
        text = (valuelist[0] if valuelist else "").strip()
        if not text:
            return
        try:
            day = datetime.strptime(text, "%Y-%m-%d").date()
        except ValueError:
            raise ValueError(_l("날짜를 YYYY-MM-DD 형식으로 입력하십시오.")) from None
        if not EARLIEST_YEAR <= day.year <= LATEST_YEAR:
            raise ValueError(_l("%(first)s년에서 %(last)s년 사이의 날짜를 입력하십시오.",
                                first=EARLIEST_YEAR, last=LATEST_YEAR))
        self.data = day


class TrailFilterForm(FlaskForm):
    class Meta:
        csrf = False

    who = _Choice(_l("누가"), default="")
    what = _Choice(_l("무엇을"), default="")
    since = _Day(_l("시작일 (KST)"), validators=[Optional()])
    until = _Day(_l("종료일 (KST)"), validators=[Optional()])

    def validate_until(self, field):
        if isinstance(field.data, date) and isinstance(self.since.data, date) and field.data < self.since.data:
            raise ValidationError(_l("종료일은 시작일과 같거나 그 뒤여야 합니다."))
