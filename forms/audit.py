"""The filters of a call's audit trail: a GET form, so it carries no CSRF token."""
from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, ValidationError
from wtforms.validators import Optional

from forms.fields import DayField


class _Choice(SelectField):
    def pre_validate(self, form):
        if self.data not in {str(value) for value, *_ in self.iter_choices()}:
            raise ValidationError(_l("목록에 있는 항목을 선택하십시오."))


class TrailFilterForm(FlaskForm):
    class Meta:
        csrf = False

    who = _Choice(_l("누가"), default="")
    what = _Choice(_l("무엇을"), default="")
    since = DayField(_l("시작일 (KST)"), validators=[Optional()])
    until = DayField(_l("종료일 (KST)"), validators=[Optional()])

    def validate_until(self, field):
        if isinstance(field.data, date) and isinstance(self.since.data, date) and field.data < self.since.data:
            raise ValidationError(_l("종료일은 시작일과 같거나 그 뒤여야 합니다."))
