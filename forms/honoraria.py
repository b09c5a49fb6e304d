"""Forms of the 평가수당: a stage's rate, the reviewers' attendance, finance's closing of a batch.

The rules (which basis fits which stage, ranges, a closed batch) are the service's; these only
parse what was typed, so a bad value is named beside its field with the text kept as typed.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, FieldList, Form, FormField, HiddenField, RadioField, SelectChoice, StringField
from wtforms.validators import DataRequired, InputRequired

from app.review import honorarium_service as service
from forms.proposal import WonField


class RateForm(FlaskForm):
    basis = RadioField(_l("지급 기준"), choices=[], validate_choice=False,
                       validators=[InputRequired(_l("지급 기준을 고르십시오."))])
    amount_won = WonField(_l("평가수당 단가 (원)"), validators=[InputRequired(_l("단가를 원 단위로 입력하십시오."))])
    travel_won = WonField(_l("여비 (원, 참석 1회 정액, 비과세)"))

    def __init__(self, *args, stage, **kwargs):
        super().__init__(*args, **kwargs)
        self.basis.choices = [SelectChoice(b.value, service.basis_label(b)) for b in service.bases_for(stage)]

    def fill_from(self, rate) -> None:
        if rate is not None:
            self.basis.data, self.amount_won.data, self.travel_won.data = rate.basis, rate.amount_won, rate.travel_won
        elif len(self.basis.choices) == 1:
            self.basis.data = self.basis.choices[0].value


class SessionsField(StringField):
    """A whole number of sessions; anything else is named beside the field, the text kept."""

    def process_formdata(self, valuelist):
        self.data = None
        text = (valuelist[0] if valuelist else "").strip()
        if not text:
            return
        if not (text.isascii() and text.isdigit() and len(text) < 6):
            raise ValueError(_l("횟수는 0 이상의 정수로 입력하십시오."))
        self.data = int(text)

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return str(self.data) if self.data is not None else ""


class AttendanceRow(Form):
    reviewer_id = HiddenField()
    sessions = SessionsField(_l("횟수"))
    travel = BooleanField(_l("여비 지급"))


class AttendanceForm(FlaskForm):
    rows = FieldList(FormField(AttendanceRow), min_entries=0)

    def fill_from(self, stage_rows) -> None:
        for row in stage_rows:
            self.rows.append_entry({"reviewer_id": str(row.reviewer.id), "sessions": row.sessions,
                                    "travel": row.travel})

    def entries(self) -> list[service.Entry]:
        out = []
        for entry in self.rows.entries:
            raw = entry.form.reviewer_id.data or ""
            reviewer_id = int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 10 else -1
            out.append(service.Entry(reviewer_id, entry.form.sessions.data, bool(entry.form.travel.data)))
        return out


class CloseForm(FlaskForm):
    stage_id = HiddenField()
    confirm = BooleanField(_l("위 금액으로 지급을 확정합니다. 확정한 뒤에는 이 단계의 단가와 참석을 바꿀 수 없습니다."),
                           validators=[DataRequired(_l("지급을 확정하려면 확인란을 선택하십시오."))])
