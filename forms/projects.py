"""Forms of a project after the award: plan change requests and decisions, site inspections.

The fields are kept loose here (text, unchecked choices): the services check every rule and say
which field is wrong, so a refusal shows beside its field and saves nothing.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import FieldList, Form, FormField, RadioField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired

from app.models.proposals import BUDGET_SOURCES
from app.projects.plan_changes import DIRECTIONS
from app.proposals.drafts import SOURCE_LABELS
from forms.fields import DayField

MOVE_ROWS = 4
ACTION_ROWS = 4


def _sources():
    return [SelectChoice(s, SOURCE_LABELS[s]) for s in BUDGET_SOURCES]


class MoveRow(Form):
    from_year = StringField(_l("옮겨 올 연도"))
    from_source = SelectField(_l("옮겨 올 재원"), choices=_sources(), validate_choice=False)
    to_year = StringField(_l("옮겨 갈 연도"))
    to_source = SelectField(_l("옮겨 갈 재원"), choices=_sources(), validate_choice=False)
    amount = StringField(_l("금액(원)"))


class BudgetChangeForm(FlaskForm):
    reason = TextAreaField(_l("변경 사유"))
    moves = FieldList(FormField(MoveRow), min_entries=MOVE_ROWS, max_entries=MOVE_ROWS)


class PocChangeForm(FlaskForm):
    reason = TextAreaField(_l("변경 사유"))
    kpi_id = SelectField(_l("목표값을 바꿀 성과지표"), validate_choice=False)
    target = StringField(_l("새 목표값"))
    poc_id = SelectField(_l("내용을 바꿀 실증(PoC)"), validate_choice=False)
    problem = TextAreaField(_l("새 해결 과제 (바꾸지 않으면 비워 두십시오)"))
    ai_solution = TextAreaField(_l("새 AI 솔루션 (바꾸지 않으면 비워 두십시오)"))


class MemberChangeForm(FlaskForm):
    reason = TextAreaField(_l("변경 사유"))
    organisation = StringField(_l("기관명"))
    direction = RadioField(_l("구분"), choices=[SelectChoice(k, label) for k, label in DIRECTIONS.items()],
                           validate_choice=False)


class DecisionForm(FlaskForm):
    decision = RadioField(_l("결정"), choices=[SelectChoice("approve", _l("승인")), SelectChoice("reject", _l("반려"))],
                          validators=[InputRequired(_l("승인 또는 반려를 고르십시오."))])
    reason = TextAreaField(_l("결정 사유 (반려할 때 필수)"))


class ActionRow(Form):
    description = StringField(_l("조치 사항"))
    due_on = DayField(_l("조치 기한"))


class InspectionForm(FlaskForm):
    held_on = DayField(_l("점검일"))
    inspectors = StringField(_l("점검자"))
    findings = TextAreaField(_l("점검 결과"))
    actions = FieldList(FormField(ActionRow), min_entries=ACTION_ROWS, max_entries=ACTION_ROWS)


class ActionDoneForm(FlaskForm):
    note = TextAreaField(_l("조치 결과"))
