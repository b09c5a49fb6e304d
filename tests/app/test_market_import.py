"""An alliance's demand survey from XLSX: a good file imports every row; one bad row imports nothing
and names its line and column."""
from __future__ import annotations

import io

from openpyxl import Workbook
from sqlalchemy import func, select

from app.accounts import brn
from app.extensions import db
from app.market import survey
from app.models import AuditEntry, Organisation
from app.models.marketplace import AllianceMember, Need
from tests.app.market_builders import alliance_with_group, firm
from tests.factories import ComplexFactory
from tests.support import sign_in

HEADERS = [h for h, _k, _r, _n in survey.COLUMNS]


def xlsx(rows, headers=HEADERS) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(headers)
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def row(number, name="(주)새기업", complex_name="창원", low="50,000,000", high="100,000,000", start="2026-03-01",
        visibility="얼라이언스", problem="불량 유출"):
    return [name, number, "", complex_name, "경남", "스마트기계", "사출성형", problem, "이미지", low, high, start, visibility]


def _upload(client, alliance, data):
    return client.post(f"/market/alliances/{alliance.id}/survey",
                       data={"file": (io.BytesIO(data), "survey.xlsx")}, content_type="multipart/form-data")


def test_a_good_file_imports_every_row_and_registers_unknown_firms(app, client):
    ComplexFactory(name="창원")
    alliance, _group, coordinator = alliance_with_group()
    known = firm()
    new_number = brn.with_check_digit("609811111")
    db.session.commit()
    sign_in(client, coordinator)
    resp = _upload(client, alliance, xlsx([row(known.organisation.brn, name=""), row(new_number),
                                           row(new_number, visibility="공개", complex_name="", low="", high="")]))
    assert resp.status_code == 303
    needs = list(db.session.scalars(select(Need).order_by(Need.id)))
    assert len(needs) == 3
    assert (needs[0].organisation_id, needs[0].budget_min, needs[0].visibility, needs[0].alliance_id) == (
        known.organisation_id, 50_000_000, "alliance", alliance.id)
    created = db.session.scalar(select(Organisation).where(Organisation.brn == new_number))
    assert created.type == "tenant_company" and created.name == "(주)새기업"
    assert needs[2].visibility == "public" and needs[2].alliance_id is None
    members = set(db.session.scalars(select(AllianceMember.organisation_id)))
    assert {known.organisation_id, created.id} <= members
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "alliance.survey_imported")).data["needs"] == 3


def test_one_bad_row_imports_nothing_and_names_line_and_column(app, client):
    ComplexFactory(name="창원")
    alliance, _group, coordinator = alliance_with_group()
    good = brn.with_check_digit("609811112")
    db.session.commit()
    sign_in(client, coordinator)
    resp = _upload(client, alliance, xlsx([row(good), row(good, low="9,000", high="1,000"), row(good)]))
    assert resp.status_code == 422
    page = resp.get_data(as_text=True)
    assert "<td>3</td><td>예산 상한 (K열)</td>" in page
    assert db.session.scalar(select(func.count(Need.id))) == 0
    assert db.session.scalar(select(Organisation.id).where(Organisation.brn == good)) is None


def test_every_kind_of_bad_cell_is_reported(app):
    ComplexFactory(name="창원")
    good = brn.with_check_digit("609811113")
    try:
        survey.read(xlsx([row("123"), row(good, name="", complex_name="없는산단", start="3월", visibility="비밀",
                                          problem="", low="만원")]))
    except survey.SurveyImportError as error:
        found = {(p.line, p.column.split(" (")[0]) for p in error.problems}
    else:
        raise AssertionError("the file should be refused")
    assert found == {(2, "사업자등록번호"), (3, "기관명"), (3, "산업단지"), (3, "희망 시작일"), (3, "공개 범위"),
                     (3, "현장 문제"), (3, "예산 하한")}
    try:
        survey.read(xlsx([row(good)], headers=["사업자등록번호", "모르는 열"]))
    except survey.SurveyImportError as error:
        assert {p.column.split(" (")[0] for p in error.problems} == {"모르는 열", "현장 문제"}


def test_a_template_with_the_old_short_complex_header_still_imports(app):
    """The header was 산단 before it was 산업단지: a template filled in then still reads."""
    place = ComplexFactory(name="창원")
    db.session.flush()
    old = ["산단" if h == "산업단지" else h for h in HEADERS]
    rows = survey.read(xlsx([row(brn.with_check_digit("609811114"))], headers=old))
    assert rows[0]["need"]["complex_id"] == place.id
    assert "산업단지" in HEADERS and "산단" not in HEADERS


def test_only_admins_and_the_alliances_coordinators_import(app, client):
    alliance, _group, _coordinator = alliance_with_group()
    member = firm()
    from app.market import groups

    groups.join_alliance(None, alliance, member.organisation)
    db.session.commit()
    sign_in(client, member)
    assert client.get(f"/market/alliances/{alliance.id}/survey").status_code == 403
    assert client.get(f"/market/alliances/{alliance.id}/survey/template.xlsx").status_code == 403
    sign_in(client, firm())
    assert client.get(f"/market/alliances/{alliance.id}/survey").status_code == 404
