"""Officers import a pool from XLSX: every bad row reported with its line and column, nothing half-imported."""
from __future__ import annotations

import io

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from app.accounts.passwords import verify_password
from app.extensions import db
from app.models import AuditEntry, OutboxMessage, User
from app.models.pool import ReviewerExpertise, ReviewerProfile
from app.review import pool_import, profiles
from tests.factories import OrganisationFactory, UserFactory, next_brn
from tests.support import sign_in

HEADERS = [c.header for c in pool_import.COLUMNS]


def xlsx(rows, headers=HEADERS) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(headers)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def row(email, name="홍길동", brn="", affiliation="한국대학교", org_type="대학", department="기계공학과",
        position="교수", codes="0104, 0301", keywords="스마트팩토리", career="10", region="경남"):
    return [email, name, brn, affiliation, org_type, department, position, codes, keywords, career, region]


def _counts() -> tuple:
    return tuple(db.session.scalar(select(func.count()).select_from(t)) for t in
                 (User, ReviewerProfile, ReviewerExpertise, AuditEntry, OutboxMessage))


def test_a_good_file_creates_accounts_and_profiles_without_mail(app, expertise_codes):
    officer = UserFactory(roles=("officer",))
    org = OrganisationFactory(name="부산대학교 산학협력단", type="university", region="부산")
    existing = UserFactory(email="known@example.kr", roles=("applicant",), name="원래이름")
    before = _counts()
    result = pool_import.import_file(xlsx([
        row("New.One@Example.kr", brn=org.brn, affiliation="", region="서울"),
        row("known@example.kr", name="다른이름", brn="", affiliation="미등록 연구소", org_type="연구기관",
            codes="301", career=7),
        row("third@example.kr", codes="", keywords="", career=""),
    ]), officer, filename="pool.xlsx")
    db.session.commit()
    assert (result.rows, result.accounts_created, result.profiles_created) == (3, 2, 3)
    new = db.session.scalar(select(User).where(User.email == "new.one@example.kr"))
    assert new.has_role("reviewer") and new.email_verified_at is None and new.organisation_id is None
    # Nobody can sign in with the imported account's password: the invitation's link sets one.
    assert not verify_password(new.password_hash, "") and not verify_password(new.password_hash, "!imported:")
    profile = profiles.profile_of(new)
    assert (profile.organisation_id, profile.org_type, profile.region) == (org.id, "university", "부산")
    assert profile.codes == ["0104", "0301"] and profile.career_years == 10
    known = profiles.profile_of(existing)
    assert existing.name == "원래이름" and existing.has_role("reviewer") and existing.has_role("applicant")
    # "301": a number cell lost its leading zero; the code list gives it back.
    assert (known.affiliation, known.org_type, known.codes, known.career_years) == ("미등록 연구소", "research_institute", ["0301"], 7)
    after = _counts()
    assert after[0] - before[0] == 2 and after[1] - before[1] == 3
    assert after[4] == before[4]  # not a single mail or notice
    [entry] = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "reviewer_pool.imported")).all()
    assert entry.actor_id == officer.id
    assert {k: entry.data[k] for k in ("rows", "accounts_created", "profiles_created", "profiles_updated")} == {
        "rows": 3, "accounts_created": 2, "profiles_created": 3, "profiles_updated": 0}


def test_importing_again_updates_what_changed_and_clears_terms(app, expertise_codes):
    officer = UserFactory(roles=("officer",))
    pool_import.import_file(xlsx([row("a@example.kr"), row("b@example.kr")]), officer)
    db.session.commit()
    profile = db.session.scalar(select(ReviewerProfile).join(User).where(User.email == "a@example.kr"))
    profile.terms = {"x": 1.0}
    db.session.commit()
    result = pool_import.import_file(xlsx([row("a@example.kr", keywords="예지보전", codes="0301"), row("b@example.kr")]),
                                     officer)
    db.session.commit()
    assert (result.accounts_created, result.profiles_created, result.profiles_updated, result.unchanged) == (0, 0, 1, 1)
    db.session.refresh(profile)
    assert profile.keywords == "예지보전" and profile.codes == ["0301"] and profile.terms is None


def test_every_bad_row_is_reported_with_its_line_and_column_and_nothing_is_imported(app, expertise_codes):
    officer = UserFactory(roles=("officer",))
    db.session.commit()
    before = _counts()
    bad_brn = "1234567890"
    assert not __import__("app.accounts.brn", fromlist=["is_valid"]).is_valid(bad_brn)
    with pytest.raises(pool_import.PoolImportError) as refused:
        pool_import.import_file(xlsx([
            row("good@example.kr"),                      # line 2: fine
            row("not-an-email"),                         # line 3
            row("dup@example.kr"),                       # line 4
            row("DUP@example.kr"),                       # line 5: the same address
            row("brn@example.kr", brn=bad_brn),          # line 6
            row("code@example.kr", codes="0104, 9999"),  # line 7
            row("career@example.kr", career="열 년"),    # line 8
            row("noaff@example.kr", brn="", affiliation=""),  # line 9
            row("type@example.kr", org_type="우주기관"),  # line 10
            row("", name=""),                            # line 11: two problems
        ]), officer)
    problems = {(p.line, p.column.split(" (")[0]) for p in refused.value.problems}
    assert problems == {(3, "이메일"), (5, "이메일"), (6, "소속 사업자등록번호"), (7, "기술분류코드"), (8, "경력(년)"),
                        (9, "소속명"), (10, "기관유형"), (11, "이메일"), (11, "이름")}
    by_line = {p.line: p for p in refused.value.problems}
    assert "4행과 같은 이메일" in str(by_line[5].message) and "9999" in str(by_line[7].message)
    assert by_line[6].column == "소속 사업자등록번호 (C열)"
    db.session.rollback()
    assert _counts() == before


def test_headers_are_checked_before_any_row(app, expertise_codes):
    officer = UserFactory(roles=("officer",))
    with pytest.raises(pool_import.PoolImportError) as refused:
        pool_import.import_file(xlsx([["x@example.kr", "홍길동"]], headers=["이메일주소", "이름"]), officer)
    messages = {(p.line, p.column) for p in refused.value.problems}
    assert (1, "이메일주소 (A열)") in messages and (1, "이메일") in messages
    with pytest.raises(pool_import.PoolImportError) as refused:
        pool_import.import_file(b"not a workbook", officer)
    assert "XLSX" in str(refused.value.problems[0].message)


def test_the_template_round_trips(app, expertise_codes):
    officer = UserFactory(roles=("officer",))
    wb = load_workbook(io.BytesIO(pool_import.template_xlsx()))
    assert [c.value for c in wb.worksheets[0][1]] == HEADERS
    assert wb.sheetnames == ["후보단", "작성 예시", "열 설명"]
    example = [c.value for c in wb["작성 예시"][2]]
    ws = wb.worksheets[0]
    for column, value in enumerate(example, start=1):
        ws.cell(row=2, column=column, value=value)
    ws.cell(row=3, column=1, value="second@example.kr")
    ws.cell(row=3, column=2, value="이순신")
    out = io.BytesIO()
    wb.save(out)
    # Row 3 names no affiliation: reported, and the good example row is not imported either.
    with pytest.raises(pool_import.PoolImportError) as refused:
        pool_import.import_file(out.getvalue(), officer)
    assert [(p.line, p.column.split(" (")[0]) for p in refused.value.problems] == [(3, "소속명")]
    assert db.session.scalar(select(func.count(ReviewerProfile.id))) == 0
    ws.cell(row=3, column=4, value="미등록 기관")
    out = io.BytesIO()
    wb.save(out)
    assert pool_import.import_file(out.getvalue(), officer).profiles_created == 2


def test_the_officer_page_shows_the_problems_and_imports_a_good_file(app, client, expertise_codes):
    officer = UserFactory(roles=("officer",))
    sign_in(client, officer)
    assert client.get("/officer/pool/import").status_code == 200
    template = client.get("/officer/pool/import/template.xlsx")
    assert template.status_code == 200 and template.mimetype.endswith("spreadsheetml.sheet")
    before = _counts()
    resp = client.post("/officer/pool/import", data={
        "file": (io.BytesIO(xlsx([row("ok@example.kr"), row("bad")])), "pool.xlsx")},
        content_type="multipart/form-data")
    assert resp.status_code == 422
    page = resp.get_data(as_text=True)
    assert "아무것도 가져오지 않았습니다" in page and "<td>3</td><td>이메일 (A열)</td>" in page
    assert _counts() == before
    resp = client.post("/officer/pool/import", data={
        "file": (io.BytesIO(xlsx([row("ok@example.kr"), row("ok2@example.kr")])), "pool.xlsx")},
        content_type="multipart/form-data")
    assert resp.status_code == 303
    assert db.session.scalar(select(func.count(ReviewerProfile.id))) == 2
    assert "2행을 가져왔습니다" in client.get(resp.headers["Location"]).get_data(as_text=True)


def test_only_officers_and_admins_import(app, client, expertise_codes):
    for roles in (("applicant",), ("reviewer",), ("finance",)):
        sign_in(client, UserFactory(roles=roles))
        assert client.get("/officer/pool/import").status_code == 403
        assert client.post("/officer/pool/import", data={}).status_code == 403
        assert client.get("/officer/pool/import/template.xlsx").status_code == 403
        client.post("/logout")
    sign_in(client, UserFactory(roles=("admin",)))
    assert client.get("/officer/pool/import").status_code == 200


def test_a_file_over_the_row_limit_is_refused(app, expertise_codes, monkeypatch):
    monkeypatch.setattr(pool_import, "MAX_ROWS", 3)
    officer = UserFactory(roles=("officer",))
    with pytest.raises(pool_import.PoolImportError) as refused:
        pool_import.import_file(xlsx([row(f"p{i}@example.kr") for i in range(5)]), officer)
    [problem] = refused.value.problems
    assert problem.line == 5 and "3행까지" in str(problem.message)
