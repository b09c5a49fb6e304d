"""Forms of a project's report: the lead's draft (built per report) and the officer's review.

Field names are the ones the service reports its errors by (app/projects/reports.py):
``section-<key>``, ``kpi-<id>-value|measured_on|note|evidence``, ``exec-<source>-<year>``,
``attachments``; the review's ``comment-<key>`` and ``supplement_due_on``.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, MultipleFileField
from wtforms import SelectChoice, SelectMultipleField, StringField, TextAreaField
from wtforms.widgets import CheckboxInput, ListWidget

from app.models.proposals import BUDGET_SOURCES
from app.projects import reports
from app.projects.report_submission import GENERAL
from app.proposals.drafts import SOURCE_LABELS
from forms.fields import DayField
from forms.proposal import QuantityField, WonField


class ReportForm(FlaskForm):
    """Built per report by ``report_form``."""

    section_keys: list[str] = []
    kpi_ids: list[int] = []
    years: list[int] = []
    attachments = MultipleFileField(_l("첨부 파일 추가"))
    remove = SelectMultipleField(_l("삭제할 파일"), coerce=int, choices=[],
                                 widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())

    def section(self, key: str):
        return self[f"section-{key}"]

    def kpi(self, kpi_id: int, part: str):
        return self[f"kpi-{kpi_id}-{part}"]

    def cell(self, year: int, source: str):
        return self[f"exec-{source}-{year}"]

    def sections_data(self) -> dict[str, str]:
        return {k: self.section(k).data or "" for k in self.section_keys}

    def actuals_data(self) -> dict[int, reports.ActualInput]:
        return {k: reports.ActualInput(self.kpi(k, "value").data, self.kpi(k, "measured_on").data,
                                       self.kpi(k, "note").data or "") for k in self.kpi_ids}

    def executions_data(self) -> dict[tuple[int, str], int | None]:
        return {(y, s): self.cell(y, s).data for y in self.years for s in BUDGET_SOURCES}

    def evidence_data(self) -> dict:
        out = {}
        for k in self.kpi_ids:
            f = self.kpi(k, "evidence").data
            if f is not None and getattr(f, "filename", ""):
                out[k] = (f.stream, f.filename)
        return out

    def attachments_data(self) -> list:
        return [(f.stream, f.filename) for f in self.attachments.data or [] if getattr(f, "filename", "")]


def report_form(report, *, formdata=None, stored: bool = False) -> ReportForm:
    """The draft form of ``report``: bound to the request, or (``stored``) filled from its rows."""
    keys = list(reports.sections_of(report))
    kpi_list = reports.kpis(report)
    years = reports.years(report)
    attrs = {"section_keys": keys, "kpi_ids": [k.id for k in kpi_list], "years": years}
    for key, label in reports.sections_of(report).items():
        attrs[f"section-{key}"] = TextAreaField(label)
    # PoCs often measure the same KPI (불량률): the PoC's number keeps every label unique.
    for n, poc in enumerate(report.project.pocs, start=1):
        for kpi in poc.kpis:
            attrs[f"kpi-{kpi.id}-value"] = QuantityField(_l("PoC %(n)s %(kpi)s 실적값", n=n, kpi=kpi.name))
            attrs[f"kpi-{kpi.id}-measured_on"] = DayField(_l("PoC %(n)s %(kpi)s 측정일", n=n, kpi=kpi.name))
            attrs[f"kpi-{kpi.id}-note"] = StringField(_l("PoC %(n)s %(kpi)s 비고", n=n, kpi=kpi.name))
            attrs[f"kpi-{kpi.id}-evidence"] = FileField(_l("PoC %(n)s %(kpi)s 증빙 파일", n=n, kpi=kpi.name))
    for year in years:
        for source in BUDGET_SOURCES:
            attrs[f"exec-{source}-{year}"] = WonField(_l("%(year)s년 %(source)s 집행액", year=year,
                                                         source=SOURCE_LABELS[source]))
    cls = type("ReportForm", (ReportForm,), attrs)
    if not stored:
        form = cls(formdata=formdata) if formdata is not None else cls()
    else:
        data = {f"section-{k}": (report.sections or {}).get(k, "") for k in keys}
        actuals = reports.actuals_by_kpi(report)
        for kpi in kpi_list:
            a = actuals.get(kpi.id)
            if a is not None:
                data.update({f"kpi-{kpi.id}-value": a.value, f"kpi-{kpi.id}-measured_on": a.measured_on,
                             f"kpi-{kpi.id}-note": a.note})
        data.update({f"exec-{s}-{y}": amount for (y, s), amount in reports.executed(report).items()})
        form = cls(formdata=None, data=data)
    form.remove.choices = [SelectChoice(f.id, f.filename) for f in report.files]
    return form


class AcceptForm(FlaskForm):
    """No fields: the CSRF token is the point."""


class ReturnForm(FlaskForm):
    """Built per report by ``return_form``: a comment per section and a general one, and the due day."""

    section_keys: list[str] = []
    supplement_due_on = DayField(_l("보완 기한"))

    def comment(self, key: str):
        return self[f"comment-{key}"]

    def comments_data(self) -> dict[str, str]:
        return {k: self.comment(k).data or "" for k in [*self.section_keys, GENERAL]}


def return_form(report, formdata=None) -> ReturnForm:
    keys = list(reports.sections_of(report))
    attrs = {"section_keys": keys}
    for key, label in reports.sections_of(report).items():
        attrs[f"comment-{key}"] = TextAreaField(_l("%(section)s 보완 의견", section=label))
    attrs[f"comment-{GENERAL}"] = TextAreaField(_l("종합 의견"))
    cls = type("ReturnForm", (ReturnForm,), attrs)
    return cls(formdata=formdata) if formdata is not None else cls()
