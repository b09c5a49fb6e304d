"""Forms of the 발표평가: the officer's schedule, publication and attendance; the slot's confirmation and
slides; the chair's 종합의견. The rules (ranges, cut-offs, who may) are the service's."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, IntegerField, RadioField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from app.core import clock
from app.models.presentation import Attendance, NoShowRule
from forms.fields import KstDateTimeField

NO_SHOW_CHOICES = [
    SelectChoice(NoShowRule.EXCLUDE, _l("평가하지 않음 (해당 단계 탈락)")),
    SelectChoice(NoShowRule.EVALUATE_DOCUMENTS, _l("제출 서류만으로 평가")),
]
ATTENDANCE_CHOICES = [
    SelectChoice(Attendance.PENDING, _l("미기록")), SelectChoice(Attendance.PRESENT, _l("참석")),
    SelectChoice(Attendance.ABSENT, _l("불참")),
]


class ScheduleForm(FlaskForm):
    starts_at = KstDateTimeField(_l("발표평가 시작 일시 (KST)"),
                                 validators=[InputRequired(_l("발표평가 시작 일시를 입력하십시오."))])
    room = StringField(_l("발표 장소"), validators=[Optional(), Length(max=200)])
    video_url = StringField(_l("화상회의 링크"), validators=[Optional(), Length(max=500)])
    slot_minutes = IntegerField(_l("발표 시간 (분, 질의응답 포함)"),
                                validators=[InputRequired(_l("발표 시간을 분 단위 정수로 입력하십시오."))])
    break_minutes = IntegerField(_l("발표 사이 휴식 (분)"), default=0,
                                 validators=[InputRequired(_l("휴식 시간을 분 단위 정수로 입력하십시오."))])
    presenter_rule = TextAreaField(_l("발표자 기준"), validators=[Optional()])
    slides_due_at = KstDateTimeField(_l("발표자료 제출 마감 (KST)"),
                                     validators=[InputRequired(_l("발표자료 제출 마감 일시를 입력하십시오."))])
    no_show_rule = RadioField(_l("불참 시 처리"), choices=NO_SHOW_CHOICES, default=NoShowRule.EXCLUDE,
                              validate_choice=False)
    chair_id = SelectField(_l("위원장"), choices=[], validate_choice=False)

    def __init__(self, *args, panel=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.chair_id.choices = [SelectChoice("", _l("(아직 정하지 않음)"))] + [
            SelectChoice(str(u.id), u.name) for u in panel]

    def fill_from(self, schedule) -> None:
        if schedule is None:
            return
        for name in ("room", "video_url", "slot_minutes", "break_minutes", "presenter_rule", "no_show_rule"):
            getattr(self, name).data = getattr(schedule, name)
        self.starts_at.data = clock.to_kst_wall(schedule.starts_at)
        self.slides_due_at.data = clock.to_kst_wall(schedule.slides_due_at)
        self.chair_id.data = str(schedule.chair_id) if schedule.chair_id else ""

    def to_data(self) -> dict:
        chair = self.chair_id.data or ""
        return {
            "starts_at": clock.from_kst_wall(self.starts_at.data), "room": self.room.data or "",
            "video_url": self.video_url.data or "", "slot_minutes": self.slot_minutes.data,
            "break_minutes": self.break_minutes.data, "presenter_rule": self.presenter_rule.data or "",
            "slides_due_at": clock.from_kst_wall(self.slides_due_at.data), "no_show_rule": self.no_show_rule.data,
            # Anything but a listed reviewer's id is refused by the service beside this field.
            "chair_id": int(chair) if chair.isascii() and chair.isdigit() and len(chair) < 10 else (None if not chair else -1),
        }


class ActionForm(FlaskForm):
    """No fields: the CSRF token is the point (generating slots, confirming a slot)."""


class PublishForm(FlaskForm):
    confirm = BooleanField(_l("위 일정을 공개하고 대상 컨소시엄과 평가위원에게 메일로 알립니다."),
                           validators=[DataRequired(_l("공개하려면 확인란을 선택하십시오."))])


class AttendanceForm(FlaskForm):
    attendance = RadioField(_l("참석 여부"), choices=ATTENDANCE_CHOICES, validate_choice=False,
                            validators=[InputRequired(_l("참석 여부를 고르십시오."))])


class SlidesForm(FlaskForm):
    slides = FileField(_l("발표자료"), validators=[FileRequired(_l("올릴 발표자료 파일을 선택하십시오."))])


class OpinionForm(FlaskForm):
    opinion = TextAreaField(_l("종합의견"), validators=[DataRequired(_l("종합의견을 입력하십시오."))])
