"""Forms of the marketplace's conversations and of starting a consortium from a task candidate."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.market.messaging import BODY_MAX, SUBJECT_MAX


class ContactForm(FlaskForm):
    subject = StringField(_l("제목"), validators=[
        DataRequired(_l("제목을 입력하십시오.")),
        Length(max=SUBJECT_MAX, message=_l("%(max)d자 이내로 입력하십시오.", max=SUBJECT_MAX))])
    body = TextAreaField(_l("내용"), validators=[
        DataRequired(_l("내용을 입력하십시오.")),
        Length(max=BODY_MAX, message=_l("%(max)d자 이내로 입력하십시오.", max=BODY_MAX))])


class ReplyForm(FlaskForm):
    body = TextAreaField(_l("답장"), validators=[
        DataRequired(_l("내용을 입력하십시오.")),
        Length(max=BODY_MAX, message=_l("%(max)d자 이내로 입력하십시오.", max=BODY_MAX))])


class StartConsortiumForm(FlaskForm):
    call_id = SelectField(_l("공모"), coerce=str, validate_choice=False,
                          validators=[DataRequired(_l("접수 중인 공모를 선택하십시오."))])
    complex_id = SelectField(_l("대상 산업단지"), coerce=str, validate_choice=False, validators=[Optional()])
    name = StringField(_l("컨소시엄 이름"), validators=[
        DataRequired(_l("컨소시엄 이름을 입력하십시오.")),
        Length(max=200, message=_l("컨소시엄 이름은 200자 이내로 입력하십시오."))])

    def configure(self, calls, complexes) -> "StartConsortiumForm":
        self.call_id.choices = [("", _l("선택하십시오"))] + [(str(c.id), f"{c.code} · {c.title}") for c in calls]
        self.complex_id.choices = [("", _l("수요의 산업단지"))] + [(str(c.id), c.name) for c in complexes]
        return self


class RefreshForm(FlaskForm):
    """Only the CSRF token: computing the suggestions again starts a job."""
