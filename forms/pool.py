"""Forms of the reviewer pool: the reviewer's own profile and bank details, the officer's import and search.

The rules (which codes exist, which numbers are registered, ranges) are the services'
(app/review/profiles.py, bank.py, pool_import.py); these forms carry values, and the views put
the services' messages beside the fields. Records and relatives are repeatable rows that work
without JavaScript: blank rows are ignored, a ticked row is deleted, a button adds one.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField, DateField, FieldList, Form, FormField, IntegerField, SelectChoice, SelectField,
    SelectMultipleField, StringField, SubmitField, TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from app.models.pool import RecordKind
from app.review import profiles
from forms.auth import ORG_TYPE_LABELS, REGIONS

# A row's choice of kind is always sent (a select has a value): it alone does not make a row.
_NOT_TYPING = ("SubmitField", "BooleanField", "CSRFTokenField", "SelectField")


def kept_rows(field_list) -> list:
    """(entry, row form) of the rows to save: rows ticked for deletion and rows with nothing typed dropped."""
    def typed(f) -> bool:
        return f.type not in _NOT_TYPING and bool((f.raw_data[0] if f.raw_data else "").strip())

    return [(entry, entry.form) for entry in field_list
            if not entry.form.delete.data and any(typed(f) for f in entry.form)]


RECORD_KINDS = [SelectChoice(RecordKind.PROJECT, _l("과제")), SelectChoice(RecordKind.PUBLICATION, _l("논문·저서"))]


def region_choices(blank) -> list[SelectChoice]:
    return [SelectChoice("", blank)] + [SelectChoice(r, r) for r in REGIONS]


def org_type_choices(blank=None) -> list[SelectChoice]:
    head = [SelectChoice("", blank)] if blank is not None else []
    return head + [SelectChoice(k, label) for k, label in ORG_TYPE_LABELS.items()]


class RecordRowForm(Form):
    kind = SelectField(_l("구분"), choices=RECORD_KINDS, default=RecordKind.PROJECT, validate_choice=False)
    title = StringField(_l("과제명·논문 제목"), validators=[Length(max=300)])
    year = IntegerField(_l("연도"), validators=[Optional()])
    partner_brns = StringField(_l("함께한 기관의 사업자등록번호 (쉼표로 구분)"), validators=[Length(max=500)])
    organisations_text = StringField(_l("함께한 기관명"), validators=[Length(max=500)])
    delete = BooleanField(_l("이 행 삭제"))


class RelativeRowForm(Form):
    name = StringField(_l("이름"), validators=[Length(max=100)])
    relation = StringField(_l("관계"), validators=[Length(max=50)])
    organisation_brn = StringField(_l("근무 기관 사업자등록번호"), validators=[Length(max=20)])
    delete = BooleanField(_l("이 행 삭제"))


class ProfileForm(FlaskForm):
    affiliation_brn = StringField(_l("소속 기관 사업자등록번호"), validators=[Length(max=20)])
    affiliation_name = StringField(_l("소속 기관명 (포털에 등록되지 않은 기관)"), validators=[Length(max=200)])
    org_type = SelectField(_l("기관 유형 (등록되지 않은 기관)"), choices=org_type_choices(), default="other",
                           validate_choice=False)
    region = SelectField(_l("지역 (등록되지 않은 기관)"), choices=region_choices(_l("선택 안 함")), validate_choice=False)
    department = StringField(_l("부서·학과"), validators=[Length(max=100)])
    position = StringField(_l("직위"), validators=[Length(max=100)])
    codes = SelectMultipleField(_l("전문 분야 (기술분류)"), choices=[], validate_choice=False)
    keywords = TextAreaField(_l("전문 키워드 (쉼표로 구분)"), validators=[Length(max=profiles.MAX_KEYWORDS)])
    career_years = IntegerField(_l("경력 (년)"), validators=[InputRequired(_l("경력을 년 단위 정수로 입력하십시오."))])
    available = BooleanField(_l("평가위원으로 위촉받을 수 있음"), default=True)
    unavailable_until = DateField(_l("평가 불가 기간의 끝 (위촉받을 수 없을 때)"), validators=[Optional()])
    records = FieldList(FormField(RecordRowForm), max_entries=profiles.MAX_RECORDS + 5)
    relatives = FieldList(FormField(RelativeRowForm), max_entries=profiles.MAX_RELATIVES + 5)
    add_record = SubmitField(_l("실적 행 추가"))
    add_relative = SubmitField(_l("친족 행 추가"))
    submit = SubmitField(_l("저장"))

    @classmethod
    def stored(cls, profile, user, brn_of: dict[int, str], records_blank: int = 1, relatives_blank: int = 1):
        """The form filled from the profile (or, without one, from the account), with blank rows to add."""
        if profile is None:
            org = user.organisation
            data = {"affiliation_brn": org.brn_display if org is not None else "", "department": user.department,
                    "career_years": None, "available": True, "records": [{}] * records_blank,
                    "relatives": [{}] * relatives_blank}
            return cls(formdata=None, data=data)
        data = {
            "affiliation_brn": profile.organisation.brn_display if profile.organisation is not None else "",
            "affiliation_name": profile.affiliation_name, "org_type": profile.org_type, "region": profile.region,
            "department": profile.department, "position": profile.position, "codes": profile.codes,
            "keywords": profile.keywords, "career_years": profile.career_years, "available": profile.available,
            "unavailable_until": profile.unavailable_until,
            "records": [{"kind": r.kind, "title": r.title, "year": r.year,
                         "partner_brns": ", ".join(brn_of[i] for i in r.organisation_ids or [] if i in brn_of),
                         "organisations_text": r.organisations_text} for r in profile.records] + [{}] * records_blank,
            "relatives": [{"name": r.name, "relation": r.relation,
                           "organisation_brn": brn_of.get(r.organisation_id, "") if r.organisation_id else ""}
                          for r in profile.relatives] + [{}] * relatives_blank,
        }
        return cls(formdata=None, data=data)

    def configure(self, code_tree) -> ProfileForm:
        self.codes.choices = [SelectChoice(n.code.code, n.code.name_ko) for top in code_tree
                              for n in (top, *top.children)]
        return self

    def rows(self, name: str) -> list:
        """The kept rows of ``records`` or ``relatives`` (blank and ticked ones dropped), in page order."""
        return [form for _entry, form in kept_rows(self[name])]

    def field_names(self, problems) -> list[tuple[str, object]]:
        """The service numbers kept rows only ("records-0-year"); the page's rows include blank ones."""
        kept = {name: [self[name].entries.index(entry) for entry, _f in kept_rows(self[name])]
                for name in ("records", "relatives")}
        out = []
        for name, message in problems:
            head, _, rest = name.partition("-")
            index, _, sub = rest.partition("-")
            if head in kept and index.isdigit() and int(index) < len(kept[head]):
                name = f"{head}-{kept[head][int(index)]}-{sub}"
            out.append((name, message))
        return out

    def profile_input(self) -> profiles.ProfileInput:
        return profiles.ProfileInput(
            affiliation_brn=self.affiliation_brn.data or "", affiliation_name=self.affiliation_name.data or "",
            org_type=self.org_type.data or "other", region=self.region.data or "",
            department=self.department.data or "", position=self.position.data or "",
            codes=list(self.codes.data or []), keywords=self.keywords.data or "",
            career_years=self.career_years.data, available=bool(self.available.data),
            unavailable_until=self.unavailable_until.data,
            records=[profiles.RecordInput(kind=f.kind.data or "", title=f.title.data or "", year=f.year.data,
                                          partner_brns=profiles.split_brns(f.partner_brns.data or ""),
                                          organisations_text=f.organisations_text.data or "")
                     for f in self.rows("records")],
            relatives=[profiles.RelativeInput(name=f.name.data or "", relation=f.relation.data or "",
                                              organisation_brn=f.organisation_brn.data or "")
                       for f in self.rows("relatives")],
        )


class BankForm(FlaskForm):
    bank = StringField(_l("은행"), validators=[DataRequired(_l("은행명을 입력하십시오.")), Length(max=50)])
    account_no = StringField(_l("계좌번호"), validators=[DataRequired(_l("계좌번호를 입력하십시오.")), Length(max=40)])
    holder = StringField(_l("예금주"), validators=[DataRequired(_l("예금주를 입력하십시오.")), Length(max=100)])
    submit = SubmitField(_l("계좌 정보 저장"))


class PoolImportForm(FlaskForm):
    file = FileField(_l("후보단 XLSX 파일"), validators=[FileRequired(_l("올릴 XLSX 파일을 선택하십시오."))])
    submit = SubmitField(_l("검사하고 가져오기"))


class PoolSearchForm(FlaskForm):
    """Read from the query string (GET), so a search is a link: no CSRF token."""

    class Meta:
        csrf = False

    code = SelectField(_l("기술분류"), choices=[], validate_choice=False)
    keyword = StringField(_l("키워드"), validators=[Length(max=100)])
    region = SelectField(_l("지역"), choices=region_choices(_l("전체")), validate_choice=False)
    org_type = SelectField(_l("기관 유형"), choices=org_type_choices(_l("전체")), validate_choice=False)
    available_on = DateField(_l("위촉 가능일"), validators=[Optional()])

    def configure(self, code_tree, all_label, locale: str = "ko") -> PoolSearchForm:
        def name(c) -> str:
            return c.name_en if locale == "en" and c.name_en else c.name_ko

        choices = [SelectChoice("", all_label)]
        for top in code_tree:
            choices.append(SelectChoice(top.code.code, f"{top.code.code} {name(top.code)}"))
            choices += [SelectChoice(n.code.code, f"  └ {n.code.code} {name(n.code)}") for n in top.children]
        self.code.choices = choices
        return self
