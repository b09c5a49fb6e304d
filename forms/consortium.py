"""Forms for forming a consortium: its name, and members found by 사업자등록번호."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Length, ValidationError

from app.accounts import brn as brn_rules
from app.models.consortia import MemberRole
from app.proposals.consortia import ROLE_LABELS


class ConsortiumForm(FlaskForm):
    name = StringField(
        _l("컨소시엄 이름"),
        validators=[DataRequired(_l("컨소시엄 이름을 입력하십시오.")),
                    Length(max=200, message=_l("컨소시엄 이름은 200자 이내로 입력하십시오."))],
    )


def _check_digit(form, field):
    if field.data and not brn_rules.has_only_allowed_characters(field.data):
        raise ValidationError(brn_rules.CHARACTERS_MESSAGE)
    if field.data and not brn_rules.is_valid(field.data):
        raise ValidationError(
            _l("올바른 사업자등록번호가 아닙니다. 10자리 숫자와 검증번호를 확인하십시오 (예: 123-45-67890)."))


class AddMemberForm(FlaskForm):
    action = HiddenField(default="add")
    brn = StringField(
        _l("참여기관 사업자등록번호"),
        validators=[DataRequired(_l("사업자등록번호를 입력하십시오.")), _check_digit],
    )
    # The lead is fixed when the consortium is created; members take the other roles.
    role = SelectField(
        _l("역할"),
        choices=[SelectChoice(key, label) for key, label in ROLE_LABELS.items() if key != MemberRole.LEAD],
        validators=[DataRequired(_l("역할을 선택하십시오."))],
        validate_choice=False,
    )

    def validate_role(self, field):
        if field.data not in ROLE_LABELS or field.data == MemberRole.LEAD:
            raise ValidationError(_l("목록에 있는 역할을 선택하십시오."))


class RemoveMemberForm(FlaskForm):
    action = HiddenField(default="remove")
    member_id = HiddenField()


class AnswerInvitationForm(FlaskForm):
    """The listed organisation's answer: only the two buttons' values mean anything."""

    decision = HiddenField()

    def validate_decision(self, field):
        if field.data not in ("accept", "decline"):
            raise ValidationError(_l("참여 또는 거절을 선택하십시오."))
