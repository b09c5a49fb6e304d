"""Forms of the 사업 설명회: the officer's session, cancellation, attendance and slides; registering.
The rules (ranges, deadlines, who may) are the service's (app/calls/info_sessions.py, session_seats.py)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, IntegerField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from app.core import clock
from forms.fields import KstDateTimeField


class SessionForm(FlaskForm):
    title = StringField(_l("설명회 제목"), validators=[DataRequired(_l("설명회 제목을 입력하십시오."))])
    starts_at = KstDateTimeField(_l("시작 일시 (KST)"), validators=[InputRequired(_l("설명회 시작 일시를 입력하십시오."))])
    ends_at = KstDateTimeField(_l("종료 일시 (KST)"), validators=[InputRequired(_l("설명회 종료 일시를 입력하십시오."))])
    place = StringField(_l("장소"), validators=[Optional()])
    online_url = StringField(_l("온라인 참여 링크"), validators=[Optional()])
    capacity = IntegerField(_l("정원 (명)"), validators=[InputRequired(_l("정원을 정수로 입력하십시오."))])
    registration_closes_at = KstDateTimeField(_l("신청 마감 (KST)"),
                                              validators=[InputRequired(_l("신청 마감 일시를 입력하십시오."))])
    description = TextAreaField(_l("안내 내용"), validators=[Optional()])

    def fill_from(self, session) -> None:
        for name in ("title", "place", "online_url", "capacity", "description"):
            getattr(self, name).data = getattr(session, name)
        for name in ("starts_at", "ends_at", "registration_closes_at"):
            getattr(self, name).data = clock.to_kst_wall(getattr(session, name))

    def to_data(self) -> dict:
        return {
            "title": self.title.data or "", "starts_at": clock.from_kst_wall(self.starts_at.data),
            "ends_at": clock.from_kst_wall(self.ends_at.data), "place": self.place.data or "",
            "online_url": self.online_url.data or "", "capacity": self.capacity.data,
            "registration_closes_at": clock.from_kst_wall(self.registration_closes_at.data),
            "description": self.description.data or "",
        }


class CancelSessionForm(FlaskForm):
    reason = TextAreaField(_l("취소 사유"), validators=[DataRequired(_l("취소 사유를 입력하십시오."))])
    confirm = BooleanField(_l("설명회를 취소하고 모든 신청자에게 알립니다."),
                           validators=[DataRequired(_l("취소하려면 확인란을 선택하십시오."))])


class AttendanceForm(FlaskForm):
    attended = SelectMultipleField(_l("참석"), coerce=int, choices=[], validate_choice=False,
                                   widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())


class SlidesForm(FlaskForm):
    slides = FileField(_l("발표자료 (PDF, PPTX)"), validators=[FileRequired(_l("올릴 발표자료 파일을 선택하십시오."))])


class RegisterForm(FlaskForm):
    organisation_name = StringField(_l("소속 기관"), validators=[DataRequired(_l("소속 기관명을 입력하십시오."))])


class WithdrawForm(FlaskForm):
    """No fields: the CSRF token is the point."""
