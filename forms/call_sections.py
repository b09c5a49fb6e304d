"""The officer's editor of a call's proposal sections (app/calls/call_sections.py holds the rules)."""
from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, FieldList, Form, FormField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired

from app.calls.call_sections import MAX_SECTIONS
from app.proposals.sections import KIND_LABELS

_ROW = re.compile(r"^sections-(\d+)-(.+)$")


class SectionRow(Form):
    """One section; a row with nothing typed in is skipped. The service checks every value."""

    key = StringField(_l("키"))
    kind = SelectField(_l("작성 형식"), validate_choice=False,
                       choices=[SelectChoice("", _l("고르십시오"))]
                       + [SelectChoice(str(kind), label) for kind, label in KIND_LABELS.items()])
    label_ko = StringField(_l("한국어 이름"))
    label_en = StringField(_l("영어 이름"))
    guide_ko = TextAreaField(_l("작성 안내 (한국어)"), render_kw={"rows": 3})
    guide_en = TextAreaField(_l("작성 안내 (영어)"), render_kw={"rows": 3})
    required = BooleanField(_l("필수"))

    def is_blank(self) -> bool:
        return not any((f.data or "").strip() for f in (self.key, self.label_ko, self.label_en, self.guide_ko,
                                                       self.guide_en))

    def values(self) -> dict:
        return {"key": self.key.data or "", "kind": self.kind.data or "", "label_ko": self.label_ko.data or "",
                "label_en": self.label_en.data or "", "guide_ko": self.guide_ko.data or "",
                "guide_en": self.guide_en.data or "", "required": bool(self.required.data)}


class SectionsForm(FlaskForm):
    sections = FieldList(FormField(SectionRow), label=_l("신청서 작성 항목"), min_entries=0, max_entries=MAX_SECTIONS)

    # The lists the row buttons may change (forms/rows.py).
    ROW_LISTS = {"sections": MAX_SECTIONS}

    def fill_from(self, call) -> None:
        while self.sections.entries:
            self.sections.pop_entry()
        for s in call.sections:
            self.sections.append_entry({"key": s.key, "kind": str(s.kind), "label_ko": s.label_ko,
                                        "label_en": s.label_en, "guide_ko": s.guide_ko, "guide_en": s.guide_en,
                                        "required": s.required})

    def _kept(self) -> list[int]:
        return [i for i, e in enumerate(self.sections.entries) if not e.form.is_blank()]

    def to_rows(self) -> list[dict]:
        return [self.sections.entries[i].form.values() for i in self._kept()]

    def problem_field(self, name: str) -> str:
        """The form field of a service problem: its row counts only the rows that were saved."""
        match = _ROW.match(name)
        kept = self._kept()
        if match and int(match.group(1)) < len(kept):
            return f"sections-{kept[int(match.group(1))]}-{match.group(2)}"
        return name


class CopySectionsForm(FlaskForm):
    source_id = SelectField(_l("항목을 가져올 공모"), coerce=int,
                            validators=[InputRequired(_l("항목을 가져올 공모를 고르십시오."))])
