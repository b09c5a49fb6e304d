"""Importing a pool of candidate reviewers from an XLSX sheet (officers).

The first sheet holds one person per row under a header row naming the columns of
``COLUMNS`` (any order; ``template_xlsx`` writes an empty one with an example and notes).
Every row is checked first; if any is wrong, every problem is reported with its line and
column and NOTHING is imported. Otherwise each row creates or updates the person's profile,
and an e-mail without an account gets one: reviewer role, a password nobody knows, no mail
(a pool of 10,000 is not 10,000 mails; people are told when a call invites them, and the
set-password link comes with that invitation). One audit entry records the counts.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, insert, select
from sqlalchemy.orm import selectinload

from app import audit
from app.accounts import brn, directory
from app.core import clock, sheet_export, sheets
from app.core.sheets import Problem  # noqa: F401  (the view and tests read problems from here)
from app.core.errors import ReviewError
from app.extensions import db
from app.models import User, UserRole
from app.models.organisations import ORG_TYPES, Role
from app.models.pool import ReviewerExpertise, ReviewerProfile
from app.review import expertise, profiles

MAX_ROWS = 20_000
_CHUNK = 500


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool
    note: str
    example: str


COLUMNS = (
    Column("email", "이메일", True, "계정의 이메일 주소. 파일 안에서 한 번만", "hong@example.ac.kr"),
    Column("name", "이름", True, "새 계정의 이름 (이미 있는 계정의 이름은 바꾸지 않음)", "홍길동"),
    Column("brn", "소속 사업자등록번호", False, "숫자 10자리 (하이픈 가능). 포털에 등록된 기관이면 그 기관으로 연결", "1234567891"),
    Column("affiliation", "소속명", False, "등록되지 않은 기관이거나 번호가 없을 때 필수", "한국대학교 산학협력단"),
    Column("org_type", "기관유형", False, "지방자치단체, 광역지방자치단체, 공공기관, 입주기업, AI 솔루션 공급기업, 대학, 연구기관, 기타 (등록 기관이면 무시)", "대학"),
    Column("department", "부서", False, "", "기계공학과"),
    Column("position", "직위", False, "", "교수"),
    Column("codes", "기술분류코드", False, "쉼표로 구분, 기술분류 목록의 코드", "0104, 0301"),
    Column("keywords", "키워드", False, "쉼표로 구분", "스마트팩토리, 디지털트윈"),
    Column("career", "경력(년)", False, "0~70의 정수", "15"),
    Column("region", "지역", False, "서울, 부산 … 제주 (등록 기관이면 무시)", "경남"),
)
BY_HEADER = {c.header: c for c in COLUMNS}
# Organisation types as officers write them (the Korean label) or as stored (the key).
ORG_TYPE_NAMES = {"지방자치단체": "local_government", "광역지방자치단체": "metropolitan_government",
                  "광역지자체": "metropolitan_government", "공공기관": "public_agency", "입주기업": "tenant_company",
                  "AI 솔루션 공급기업": "ai_supplier", "AI 공급기업": "ai_supplier", "대학": "university",
                  "연구기관": "research_institute", "기타": "other", **{k: k for k in ORG_TYPES}}
# Nobody can sign in with this: argon2 refuses the hash as malformed. Hashing a random password
# per row would cost a second per 20 people; the set-password link of an invitation replaces it.
UNUSABLE_PASSWORD = "!imported:"


class PoolImportError(ReviewError):
    def __init__(self, problems: list[Problem]):
        super().__init__(_l("가져오기 파일에 오류가 %(n)d건 있어 아무것도 가져오지 않았습니다.", n=len(problems)),
                         field="file")
        self.problems = problems


@dataclass
class ImportResult:
    rows: int = 0
    accounts_created: int = 0
    profiles_created: int = 0
    profiles_updated: int = 0
    unchanged: int = 0


@dataclass
class Row:
    line: int
    email: str
    name: str
    values: dict = field(default_factory=dict)  # profile fields, as stored


# --- reading and checking ------------------------------------------------------------------

def read(data: bytes) -> list[Row]:
    """Every row of the file, checked; raises ``PoolImportError`` with all problems found."""
    typed, letters = sheets.read_table(data, {c.header: c.key for c in COLUMNS},
                                       {c.key for c in COLUMNS if c.required}, MAX_ROWS, PoolImportError)
    problems: list[Problem] = []
    known_codes = {c.code for c in expertise.all_codes()}
    orgs = {}
    numbers = [v["brn"] for _n, v in typed if v.get("brn")]
    for start in range(0, len(numbers), _CHUNK):
        orgs.update(profiles.organisations_by_brn(numbers[start:start + _CHUNK]))
    seen: dict[str, int] = {}
    out: list[Row] = []
    for line, v in typed:
        row, found = _check(line, v, letters, known_codes, orgs, seen)
        problems += found
        out.append(row)
    if problems:
        raise PoolImportError(problems)
    return out


BY_KEY = {c.key: c for c in COLUMNS}


def _check(line: int, v: dict, letters: dict, known_codes: set, orgs: dict, seen: dict) -> tuple[Row, list[Problem]]:
    problems = []

    def bad(key: str, message) -> None:
        problems.append(Problem(line, letters.get(key, BY_KEY[key].header), message))

    email = directory.normalise_email(v.get("email"))
    if not email or not directory.is_plausible_email(email):
        bad("email", _l("올바른 이메일 주소가 아닙니다."))
    elif email in seen:
        bad("email", _l("%(line)d행과 같은 이메일입니다.", line=seen[email]))
    else:
        seen[email] = line
    name = v.get("name", "")
    if not name or len(name) > 100:
        bad("name", _l("이름을 100자 이내로 입력하십시오."))
    number, affiliation = v.get("brn", ""), v.get("affiliation", "")
    org = None
    if number:
        if not brn.is_valid(number):
            bad("brn", _l("올바른 사업자등록번호가 아닙니다 (숫자 10자리, 검증번호 확인)."))
        else:
            org = orgs.get(brn.normalise(number))
    if org is None and not affiliation and not (number and not brn.is_valid(number)):
        bad("affiliation", _l("포털에 등록되지 않은 기관이면 소속명이 필요합니다.") if number
            else _l("소속 사업자등록번호나 소속명을 입력하십시오."))
    if len(affiliation) > 200:
        bad("affiliation", _l("소속명은 200자 이내로 입력하십시오."))
    org_type = ORG_TYPE_NAMES.get(v.get("org_type", "") or "기타")
    if org_type is None:
        bad("org_type", _l("기관유형은 %(types)s 중 하나입니다.", types="지방자치단체, 광역지방자치단체, 공공기관, 입주기업, AI 솔루션 공급기업, 대학, 연구기관, 기타"))
    codes = []
    for raw in (v.get("codes") or "").replace(";", ",").split(","):
        raw = raw.strip()
        if not raw:
            continue
        # A spreadsheet turns "0104" typed into a number cell into 104: the leading zero comes back.
        code = raw if raw in known_codes else ("0" + raw if "0" + raw in known_codes else None)
        if code is None:
            bad("codes", _l("기술분류 목록에 없는 코드입니다: %(code)s", code=raw))
        elif code not in codes:
            codes.append(code)
    career_text = v.get("career", "") or "0"
    career = int(career_text) if career_text.isascii() and career_text.isdigit() else None
    if career is None or career > profiles.MAX_CAREER_YEARS:
        bad("career", _l("경력은 0~%(n)d의 정수로 입력하십시오.", n=profiles.MAX_CAREER_YEARS))
    for key, limit in (("department", 100), ("position", 100), ("region", 64), ("keywords", profiles.MAX_KEYWORDS)):
        if len(v.get(key, "")) > limit:
            bad(key, _l("%(n)d자 이내로 입력하십시오.", n=limit))
    values = {
        "organisation_id": org.id if org is not None else None,
        "affiliation_name": "" if org is not None else affiliation[:200],
        "org_type": org.type if org is not None else (org_type or "other"),
        "region": (org.region or "") if org is not None else v.get("region", "")[:64],
        "department": v.get("department", "")[:100], "position": v.get("position", "")[:100],
        "keywords": profiles.normalise_keywords(v.get("keywords", "")), "career_years": career or 0,
        "codes": sorted(codes),
    }
    return Row(line=line, email=email, name=name[:100], values=values), problems


# --- applying ------------------------------------------------------------------------------

_FIELDS = ("organisation_id", "affiliation_name", "org_type", "region", "department", "position",
           "keywords", "career_years")


def apply(rows: list[Row], actor, filename: str = "") -> ImportResult:
    """Create or update every row's account and profile (the caller commits); one audit entry."""
    result = ImportResult(rows=len(rows))
    emails = [r.email for r in rows]
    users: dict[str, User] = {}
    for start in range(0, len(emails), _CHUNK):
        users.update({u.email.lower(): u for u in db.session.scalars(
            select(User).where(func.lower(User.email).in_(emails[start:start + _CHUNK])))})
    new = [r for r in rows if r.email not in users]
    if new:
        created = _insert(insert(User).returning(User.id, User.email), [
            {"email": r.email, "name": r.name, "password_hash": UNUSABLE_PASSWORD + secrets.token_urlsafe(16),
             "department": r.values["department"], "locale": "ko", "email_verified_at": None,
             # The profile holds the affiliation: an import does not make anybody act for an organisation.
             "organisation_id": None}
            for r in new])
        ids = {email: uid for uid, email in created}
        db.session.execute(insert(UserRole), [{"user_id": ids[r.email], "role": Role.REVIEWER} for r in new])
        result.accounts_created = len(new)
    else:
        ids = {}
    for user in users.values():
        if not user.has_role(Role.REVIEWER):
            user.grant(Role.REVIEWER)
    user_ids = {r.email: users[r.email].id if r.email in users else ids[r.email] for r in rows}

    existing: dict[int, ReviewerProfile] = {}
    known = [uid for email, uid in user_ids.items() if email in users]
    for start in range(0, len(known), _CHUNK):
        existing.update({p.user_id: p for p in db.session.scalars(
            select(ReviewerProfile).where(ReviewerProfile.user_id.in_(known[start:start + _CHUNK]))
            .options(selectinload(ReviewerProfile.expertise)))})
    fresh = [r for r in rows if user_ids[r.email] not in existing]
    if fresh:
        made = _insert(insert(ReviewerProfile).returning(ReviewerProfile.id, ReviewerProfile.user_id), [
            {"user_id": user_ids[r.email], "available": True, **{k: r.values[k] for k in _FIELDS}} for r in fresh])
        profile_ids = {uid: pid for pid, uid in made}
        codes = [{"profile_id": profile_ids[user_ids[r.email]], "code": c} for r in fresh for c in r.values["codes"]]
        if codes:
            db.session.execute(insert(ReviewerExpertise), codes)
        result.profiles_created = len(fresh)
    for r in rows:
        profile = existing.get(user_ids[r.email])
        if profile is None:
            continue
        if _update(profile, r.values):
            result.profiles_updated += 1
        else:
            result.unchanged += 1
    db.session.flush()
    audit.record(actor, "reviewer_pool.imported", object_type="reviewer_pool", file=filename[:200],
                 rows=result.rows, accounts_created=result.accounts_created,
                 profiles_created=result.profiles_created, profiles_updated=result.profiles_updated,
                 unchanged=result.unchanged)
    return result


def _insert(statement, rows: list[dict]) -> list:
    """The rows RETURNING gives, inserted a chunk at a time: SQLAlchemy joins the results of one large
    multi-row insert batch by batch, which grows with the square of the row count."""
    out = []
    for start in range(0, len(rows), _CHUNK):
        out += list(db.session.execute(statement, rows[start:start + _CHUNK]))
    return out


def _update(profile: ReviewerProfile, values: dict) -> bool:
    """Bring an existing profile to the row's values; its records and relatives stay the reviewer's."""
    changed = any(getattr(profile, k) != values[k] for k in _FIELDS) or sorted(profile.codes) != values["codes"]
    if changed:
        for k in _FIELDS:
            setattr(profile, k, values[k])
        profiles.set_codes(profile, values["codes"])
        profile.terms = None
        profile.terms_at = None
        profile.updated_at = clock.now()
    return changed


def import_file(data: bytes, actor, filename: str = "") -> ImportResult:
    """Check the whole file, then import it; nothing is written when any row is wrong."""
    return apply(read(data), actor, filename)


# --- the template ----------------------------------------------------------------------------

def template_xlsx() -> bytes:
    """An empty sheet with the header row, a sheet with an example row, and the column notes."""
    wb = sheet_export.new_workbook()
    ws = wb.active
    ws.title = "후보단"
    ws.append([c.header for c in COLUMNS])
    for i, column in enumerate(COLUMNS, start=1):
        letter = sheet_export.column_letter(i)
        ws.column_dimensions[letter].width = max(12, len(column.header) * 2 + 4)
        if column.key in ("brn", "codes", "career"):
            # Text cells: a number cell would drop the leading zero of a code such as 0104.
            for (cell,) in ws.iter_rows(min_row=2, max_row=1000, min_col=i, max_col=i):
                cell.number_format = "@"
    ws.freeze_panes = "A2"
    example = wb.create_sheet("작성 예시")
    example.append([c.header for c in COLUMNS])
    example.append([c.example for c in COLUMNS])
    notes = wb.create_sheet("열 설명")
    notes.append(["열", "필수", "설명"])
    for column in COLUMNS:
        notes.append([column.header, "필수" if column.required else "", column.note])
    notes.append([])
    notes.append(["기술분류코드", "", "코드 목록:"])
    for code in expertise.all_codes():
        notes.append([code.code, "", code.name_ko])
    return sheet_export.save(wb)
