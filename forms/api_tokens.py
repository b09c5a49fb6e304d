"""Forms of the API tokens page: an officer issues a token for the agency's calls, or revokes one.

The rules (who may, which scopes and programmes, the expiry) are app/api/tokens.py's; these carry
the values and the views put the service's messages beside the fields.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from app.api.tokens import NAME_MAX, SCOPE_LABELS
from forms.officer import MultiCheckboxField


class IssueForm(FlaskForm):
    name = StringField(_l("토큰 이름 (쓰는 시스템)"), validators=[
        DataRequired(_l("토큰 이름을 입력하십시오 (어느 시스템이 쓰는지).")),
        Length(max=NAME_MAX, message=_l("토큰 이름은 %(max)d자 이내로 입력하십시오."))])
    scopes = MultiCheckboxField(_l("읽을 수 있는 범위"), validate_choice=False)
    programme_id = SelectField(_l("사업 한정"), coerce=int, validate_choice=False)
    expires_on = DateField(_l("만료일 (선택)"), validators=[Optional()])

    def __init__(self, programmes, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.scopes.choices = [(str(k), str(v)) for k, v in SCOPE_LABELS.items()]
        self.programme_id.choices = [(0, str(_l("소속 기관의 모든 사업")))] + [(p.id, p.name) for p in programmes]


class RevokeForm(FlaskForm):
    token_id = IntegerField(validators=[InputRequired(_l("폐기할 토큰을 고르십시오."))])
