"""The officer's forms for a call's 심의위원회: members, the meeting, attendance, votes, closing."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectChoice, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length

from app.models.committee import CommitteeRole
from forms.fields import KstDateTimeField


class MemberForm(FlaskForm):
    email = StringField(_l("위원의 전자우편 주소 (포털 계정)"), validators=[
        DataRequired(_l("위원의 전자우편 주소를 입력하십시오.")), Length(max=254)])
    # The service checks the role, with its message beside this field.
    role = SelectField(_l("구분"), choices=[SelectChoice(CommitteeRole.MEMBER, _l("위원")),
                                            SelectChoice(CommitteeRole.CHAIR, _l("위원장"))],
                       validate_choice=False)


class RemoveMemberForm(FlaskForm):
    member_id = HiddenField(validators=[DataRequired()])

    @property
    def member(self) -> int | None:
        value = self.member_id.data or ""
        return int(value) if value.isascii() and value.isdigit() and len(value) < 10 else None


class MeetingForm(FlaskForm):
    scheduled_at = KstDateTimeField(_l("회의 일시 (KST)"), validators=[DataRequired(_l("회의 일시를 입력하십시오."))])
    place = StringField(_l("회의 장소"), validators=[DataRequired(_l("회의 장소를 입력하십시오.")), Length(max=200)])


class ActionForm(FlaskForm):
    """A button with nothing to fill in (opening the meeting): CSRF only."""


class AttendanceForm(FlaskForm):
    present = SelectMultipleField(_l("출석한 위원"), coerce=int, validate_choice=False)

    def ids(self) -> set[int]:
        return {int(v) for v in (self.present.data or [])}


class VotesForm(FlaskForm):
    """The vote grid: one ``vote-<member id>-<proposal id>`` choice per cell, read by ``cast``."""

    def cast(self, formdata, cells: list[tuple[int, int]]) -> dict[tuple[int, int], str]:
        # The service refuses a value that is neither (with its message); no cell is dropped silently.
        return {(m, p): formdata.get(f"vote-{m}-{p}", "") for m, p in cells}


class CloseForm(FlaskForm):
    confirm = BooleanField(_l("모든 표를 확인했으며, 회의를 마치면 의결 결과와 회의록을 바꿀 수 없음을 이해합니다."),
                           validators=[DataRequired(_l("진행하려면 확인란에 표시하십시오."))])
