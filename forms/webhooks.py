"""Forms of the programme's webhooks: an officer adds an endpoint, or turns one off.

The rules (which addresses, which events) are app/notifications/webhooks.py's; these carry the
values and the views put the service's messages beside the fields.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectChoice, SelectMultipleField, StringField
from wtforms.validators import DataRequired, InputRequired, Length
from wtforms.widgets import HiddenInput

from app.models.webhooks import WebhookEvent

EVENT_LABELS = {
    WebhookEvent.CALL_PUBLISHED: _l("공모 게시"),
    WebhookEvent.CALL_CLOSED: _l("접수 마감"),
    WebhookEvent.RESULTS_ANNOUNCED: _l("선정 결과 발표"),
}


class WebhookForm(FlaskForm):
    url = StringField(_l("받을 주소 (URL)"), validators=[
        DataRequired(_l("받을 주소를 입력하십시오.")), Length(max=500, message=_l("주소는 %(max)d자 이내로 입력하십시오."))])
    description = StringField(_l("설명 (받는 시스템)"), validators=[
        Length(max=200, message=_l("설명은 %(max)d자 이내로 입력하십시오."))])
    events = SelectMultipleField(_l("보낼 이벤트"), choices=[SelectChoice(e.value, label) for e, label in EVENT_LABELS.items()],
                                 default=[e.value for e in WebhookEvent], validate_choice=False)


class DisableForm(FlaskForm):
    webhook_id = IntegerField(widget=HiddenInput(), validators=[InputRequired(_l("끌 주소를 고르십시오."))])
