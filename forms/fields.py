"""Fields shared by several forms."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from datetime import datetime

from wtforms import DateField, DateTimeLocalField, ValidationError

DT_FORMAT = "%Y-%m-%dT%H:%M"
# A programme's dates lie in this century; a year like 0001 or 9999 is a typo, and near the
# ends of the calendar the conversion from Seoul time to UTC would leave the representable range.
EARLIEST_YEAR, LATEST_YEAR = 2000, 2999


class KstDateTimeField(DateTimeLocalField):
    """A Seoul wall-clock date and time, typed in a ``datetime-local`` input."""

    def __init__(self, label=None, validators=None, format=DT_FORMAT, **kwargs):
        super().__init__(label, validators, format=format, **kwargs)

    def pre_validate(self, form):
        super().pre_validate(form)
        if self.data is not None and not EARLIEST_YEAR <= self.data.year <= LATEST_YEAR:
            self.data = None
            raise ValidationError(_l("%(first)s년에서 %(last)s년 사이의 날짜를 입력하십시오.",
                                     first=EARLIEST_YEAR, last=LATEST_YEAR))


class DayField(DateField):
    """A calendar day in Seoul, typed in a ``date`` input; blank is None."""

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
