"""Forms around the call: needs, capabilities, the list filters, research-group membership, task
candidates and the demand-survey upload. The rules (budget range, which alliance, which needs a
group sees) are the services' (app/market/); the views put their messages beside the fields.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectChoice, SelectField, SelectMultipleField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length

from app.models.marketplace import ListingState, TaskState, Visibility
from forms.auth import REGIONS
from forms.fields import DayField
from forms.proposal import WonField

STATE_LABELS = {ListingState.OPEN: _l("모집 중"), ListingState.MATCHED: _l("매칭됨"), ListingState.CLOSED: _l("종료")}
TASK_STATE_LABELS = {TaskState.OPEN: _l("진행 중"), TaskState.STARTED: _l("컨소시엄 시작"), TaskState.CLOSED: _l("종료")}
VISIBILITY_LABELS = {Visibility.PUBLIC: _l("공개 (로그인한 모든 사용자)"), Visibility.ALLIANCE: _l("얼라이언스 회원만")}


def _id_or_none(value):
    return int(value) if value not in (None, "", "None") and str(value).isdigit() else None


class _Listing(FlaskForm):
    title = StringField(_l("제목"), validators=[DataRequired(_l("제목을 입력하십시오.")), Length(max=200)])
    visibility = SelectField(_l("공개 범위"), choices=[SelectChoice(k, v) for k, v in VISIBILITY_LABELS.items()])
    alliance_id = SelectField(_l("얼라이언스"), choices=[], coerce=_id_or_none, validate_choice=False)
    submit = SubmitField(_l("저장"))

    def configure(self, alliances) -> "_Listing":
        self.alliance_id.choices = [SelectChoice("", _l("선택하십시오"))] + [SelectChoice(a.id, a.name) for a in alliances]
        return self


class NeedForm(_Listing):
    complex_id = SelectField(_l("산업단지"), choices=[], coerce=_id_or_none, validate_choice=False)
    region = SelectField(_l("지역"), choices=[SelectChoice("", _l("선택하십시오"))] + [SelectChoice(r, r) for r in REGIONS])
    industry = StringField(_l("업종"), validators=[Length(max=100)])
    # Not ``process``: that name is the form's own method.
    work_process = StringField(_l("공정"), validators=[Length(max=200)])
    problem = TextAreaField(_l("현장 문제"), validators=[DataRequired(_l("현장 문제를 입력하십시오.")), Length(max=5000)])
    data_available = TextAreaField(_l("보유 데이터"), validators=[Length(max=5000)])
    budget_min = WonField(_l("예산 하한 (원)"))
    budget_max = WonField(_l("예산 상한 (원)"))
    desired_start = DayField(_l("희망 시작일"))

    def configure(self, alliances, complexes=()) -> "NeedForm":
        super().configure(alliances)
        self.complex_id.choices = [SelectChoice("", _l("선택하지 않음"))] + [
            SelectChoice(c.id, f"{c.name} ({c.region})") for c in complexes]
        return self

    def values(self) -> dict:
        values = {k: getattr(self, k).data or "" for k in (
            "title", "region", "industry", "problem", "data_available", "visibility")}
        values.update({k: getattr(self, k).data for k in (
            "complex_id", "budget_min", "budget_max", "desired_start", "alliance_id")})
        return {**values, "process": self.work_process.data or ""}


class CapabilityForm(_Listing):
    solutions = TextAreaField(_l("솔루션"), validators=[DataRequired(_l("솔루션을 입력하십시오.")), Length(max=5000)])
    reference_sites = TextAreaField(_l("적용 사례"), validators=[Length(max=5000)])
    industries = StringField(_l("업종 (쉼표로 구분)"), validators=[Length(max=300)])
    regions = StringField(_l("서비스 지역 (쉼표로 구분)"), validators=[Length(max=300)])

    def values(self) -> dict:
        values = {k: getattr(self, k).data or "" for k in (
            "title", "solutions", "reference_sites", "industries", "regions", "visibility")}
        return {**values, "alliance_id": self.alliance_id.data}


class StateForm(FlaskForm):
    state = SelectField(_l("상태"), choices=[SelectChoice(k, v) for k, v in STATE_LABELS.items()])
    submit = SubmitField(_l("상태 바꾸기"))


class ListFilterForm(FlaskForm):
    """Read from the query string (GET), so a filter is a link: no CSRF token."""

    class Meta:
        csrf = False

    industry = StringField(_l("업종"), validators=[Length(max=100)])
    region = SelectField(_l("지역"), choices=[SelectChoice("", _l("전체"))] + [SelectChoice(r, r) for r in REGIONS],
                         validate_choice=False)
    complex_id = SelectField(_l("산업단지"), choices=[], validate_choice=False)
    state = SelectField(_l("상태"), choices=[SelectChoice("", _l("전체"))] + [
        SelectChoice(k, v) for k, v in STATE_LABELS.items()], validate_choice=False)

    def configure(self, complexes) -> "ListFilterForm":
        self.complex_id.choices = [SelectChoice("", _l("전체"))] + [SelectChoice(str(c.id), c.name) for c in complexes]
        return self


class MemberForm(FlaskForm):
    brn = StringField(_l("사업자등록번호"), validators=[DataRequired(_l("사업자등록번호를 입력하십시오.")), Length(max=20)])
    submit = SubmitField(_l("회원 기관 추가"))


class TaskForm(FlaskForm):
    title = StringField(_l("제목"), validators=[DataRequired(_l("제목을 입력하십시오.")), Length(max=200)])
    summary = TextAreaField(_l("요약"), validators=[Length(max=5000)])
    need_ids = SelectMultipleField(_l("수요"), choices=[], validate_choice=False)
    capability_ids = SelectMultipleField(_l("공급기업"), choices=[], validate_choice=False)
    submit = SubmitField(_l("저장"))

    def configure(self, needs, capabilities) -> "TaskForm":
        self.need_ids.choices = [SelectChoice(str(n.id), f"{n.title} · {n.organisation.name}") for n in needs]
        self.capability_ids.choices = [SelectChoice(str(c.id), f"{c.title} · {c.organisation.name}") for c in capabilities]
        return self

    def ids(self, field) -> list[int]:
        """The ticked ids; one that is not a number names nothing the group sees (the service says so)."""
        return [int(v) if str(v).isdigit() and len(str(v)) < 10 else -1 for v in field.data or ()]


class TaskStateForm(FlaskForm):
    state = SelectField(_l("상태"), choices=[SelectChoice(TaskState.OPEN, TASK_STATE_LABELS[TaskState.OPEN]),
                                            SelectChoice(TaskState.CLOSED, TASK_STATE_LABELS[TaskState.CLOSED])])
    submit = SubmitField(_l("상태 바꾸기"))


class SurveyImportForm(FlaskForm):
    file = FileField(_l("수요조사 XLSX 파일"), validators=[FileRequired(_l("올릴 XLSX 파일을 선택하십시오."))])
    submit = SubmitField(_l("검사하고 가져오기"))
