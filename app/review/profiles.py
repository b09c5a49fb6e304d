"""Reviewer profiles (평가위원 후보단): what a candidate is, knows and has declared.

The affiliation is chosen by 사업자등록번호: a registered organisation is linked by identity
(its type and region are copied from it, so the pool filters on one table); an organisation
not registered in the portal is kept as a name the reviewer types, on which no identity rule
can fire. Partners of projects and publications and the organisations of relatives are named
by their numbers too. Every change is audited with the old and new values and clears the
profile's matching terms (``terms``), which the recommendations rebuild.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app import audit
from app.accounts import brn
from app.core import clock
from app.core.errors import ReviewError
from app.extensions import db
from app.models import Organisation
from app.models.organisations import ORG_TYPES
from app.models.pool import RecordKind, ReviewerExpertise, ReviewerProfile, ReviewerRecord, ReviewerRelative
from app.review import expertise

MAX_CAREER_YEARS = 70
MAX_KEYWORDS = 1000
FIRST_YEAR = 1950
MAX_RECORDS = 30
MAX_RELATIVES = 20


class ProfileError(ReviewError):
    """Refusals of a profile change: ``problems`` lists (field name, message), the first is ``message``."""

    def __init__(self, problems: list[tuple[str, object]]):
        field_name, message = problems[0]
        super().__init__(message, field=field_name)
        self.problems = problems


@dataclass
class RecordInput:
    kind: str
    title: str
    year: int | None
    partner_brns: list[str] = field(default_factory=list)
    organisations_text: str = ""


@dataclass
class RelativeInput:
    name: str
    relation: str = ""
    organisation_brn: str = ""


@dataclass
class ProfileInput:
    affiliation_brn: str = ""
    affiliation_name: str = ""
    org_type: str = "other"
    region: str = ""
    department: str = ""
    position: str = ""
    codes: list[str] = field(default_factory=list)
    keywords: str = ""
    career_years: int | None = 0
    available: bool = True
    unavailable_until: date | None = None
    records: list[RecordInput] = field(default_factory=list)
    relatives: list[RelativeInput] = field(default_factory=list)


def profile_of(user, create: bool = False) -> ReviewerProfile | None:
    """The user's profile; with ``create``, a new one from the account's own organisation if none."""
    profile = db.session.scalar(select(ReviewerProfile).where(ReviewerProfile.user_id == user.id).options(
        selectinload(ReviewerProfile.expertise), selectinload(ReviewerProfile.records),
        selectinload(ReviewerProfile.relatives)))
    if profile is None and create:
        org = user.organisation
        profile = ReviewerProfile(user_id=user.id, organisation_id=org.id if org is not None else None,
                                  department=user.department or "", affiliation_name="",
                                  org_type=org.type if org is not None else "other",
                                  region=org.region if org is not None else "")
        db.session.add(profile)
        db.session.flush()
    return profile


def organisations_by_brn(numbers) -> dict[str, Organisation]:
    """Registered organisations by their ten digits, for the numbers given (invalid ones skipped)."""
    digits = {brn.normalise(n) for n in numbers if n and brn.is_valid(n)}
    if not digits:
        return {}
    return {o.brn: o for o in db.session.scalars(select(Organisation).where(Organisation.brn.in_(digits)))}


def partner_numbers(profile: ReviewerProfile | None) -> dict[int, str]:
    """organisation id -> "123-45-67890" for the organisations the profile's records and relatives name."""
    if profile is None:
        return {}
    ids = {i for r in profile.records for i in (r.organisation_ids or [])}
    ids |= {r.organisation_id for r in profile.relatives if r.organisation_id}
    if not ids:
        return {}
    return {o.id: o.brn_display for o in db.session.scalars(select(Organisation).where(Organisation.id.in_(ids)))}


def split_brns(text: str) -> list[str]:
    return [p.strip() for p in (text or "").replace("\n", ",").replace(";", ",").split(",") if p.strip()]


def snapshot(profile: ReviewerProfile) -> dict:
    """What an audit entry compares: every field the reviewer or an import may change."""
    return {
        "organisation_id": profile.organisation_id, "affiliation_name": profile.affiliation_name,
        "org_type": profile.org_type, "region": profile.region, "department": profile.department,
        "position": profile.position, "codes": sorted(profile.codes), "keywords": profile.keywords,
        "career_years": profile.career_years, "available": profile.available,
        "unavailable_until": profile.unavailable_until,
        "records": [[r.kind, r.title, r.year, list(r.organisation_ids or []), r.organisations_text]
                    for r in profile.records],
        "relatives": [[r.name, r.relation, r.organisation_id] for r in profile.relatives],
    }


def record_changes(profile: ReviewerProfile, before: dict, actor, action: str = "reviewer.profile_updated",
                   **data) -> dict:
    """Audit the difference since ``before``; a change clears the matching terms. Nothing when unchanged."""
    changes = audit.changes(before, snapshot(profile))
    if changes:
        # The recommendations rebuild the terms of a profile whose terms are gone.
        profile.terms = None
        profile.terms_at = None
        profile.updated_at = clock.now()
        audit.record(actor, action, profile, user_id=profile.user_id, changes=changes, **data)
    return changes


def update(profile: ReviewerProfile, data: ProfileInput, actor) -> dict:
    """Apply the reviewer's own form; every problem is reported at once and nothing changes then."""
    problems: list[tuple[str, object]] = []
    numbers = [data.affiliation_brn, *(n for r in data.records for n in r.partner_brns),
               *(r.organisation_brn for r in data.relatives)]
    orgs = organisations_by_brn(numbers)
    affiliation = _affiliation(data, orgs, problems)
    codes = sorted({c.strip() for c in data.codes if c and c.strip()})
    unknown = sorted(set(codes) - expertise.known(codes))
    if unknown:
        problems.append(("codes", _l("기술분류 목록에 없는 코드입니다: %(codes)s", codes=", ".join(unknown))))
    if data.career_years is None or not 0 <= data.career_years <= MAX_CAREER_YEARS:
        problems.append(("career_years", _l("경력은 0~%(n)d년 사이의 정수로 입력하십시오.", n=MAX_CAREER_YEARS)))
    if len(data.keywords or "") > MAX_KEYWORDS:
        problems.append(("keywords", _l("키워드는 %(n)d자 이내로 입력하십시오.", n=MAX_KEYWORDS)))
    if not data.available and data.unavailable_until is not None and data.unavailable_until < _today():
        problems.append(("unavailable_until", _l("평가 불가 기간의 끝은 오늘 이후여야 합니다.")))
    records = _records(data.records, orgs, problems)
    relatives = _relatives(data.relatives, orgs, problems)
    if problems:
        raise ProfileError(problems)

    before = snapshot(profile)
    profile.organisation_id, profile.affiliation_name, profile.org_type, profile.region = affiliation
    profile.department = data.department.strip()[:100]
    profile.position = data.position.strip()[:100]
    profile.keywords = normalise_keywords(data.keywords)
    profile.career_years = data.career_years
    profile.available = data.available
    profile.unavailable_until = data.unavailable_until
    set_codes(profile, codes)
    if before["records"] != records:
        profile.records = [ReviewerRecord(kind=k, title=t, year=y, organisation_ids=ids, organisations_text=text)
                           for k, t, y, ids, text in records]
    if before["relatives"] != relatives:
        profile.relatives = [ReviewerRelative(name=n, relation=rel, organisation_id=oid) for n, rel, oid in relatives]
    db.session.flush()
    return record_changes(profile, before, actor)


def set_codes(profile: ReviewerProfile, codes: list[str]) -> None:
    if sorted(profile.codes) != sorted(codes):
        profile.expertise = [ReviewerExpertise(code=c) for c in sorted(set(codes))]


def normalise_keywords(text: str) -> str:
    """"a,b , a" -> "a, b": trimmed, each once, in the order typed."""
    seen, out = set(), []
    for k in (text or "").replace("\n", ",").split(","):
        k = k.strip()
        if k and k not in seen:
            seen.add(k)
            out.append(k)
    return ", ".join(out)


def _affiliation(data: ProfileInput, orgs: dict, problems: list) -> tuple:
    """(organisation_id, affiliation_name, org_type, region) from the number, else the typed name."""
    number = (data.affiliation_brn or "").strip()
    name = (data.affiliation_name or "").strip()
    if number:
        if not brn.is_valid(number):
            problems.append(("affiliation_brn", _l("올바른 사업자등록번호가 아닙니다 (숫자 10자리, 검증번호 확인).")))
            return None, name, "other", ""
        org = orgs.get(brn.normalise(number))
        if org is not None:
            return org.id, "", org.type, org.region or ""
    if not name:
        problems.append(("affiliation_name", _l("포털에 등록되지 않은 기관이면 소속 기관명을 입력하십시오.")
                         if number else _l("소속 기관의 사업자등록번호나 기관명을 입력하십시오.")))
    if data.org_type not in ORG_TYPES:
        problems.append(("org_type", _l("기관 유형을 목록에서 고르십시오.")))
    return None, name[:200], data.org_type if data.org_type in ORG_TYPES else "other", (data.region or "").strip()[:64]


def _records(rows: list[RecordInput], orgs: dict, problems: list) -> list[list]:
    out = []
    this_year = _today().year
    if len(rows) > MAX_RECORDS:
        problems.append(("records", _l("과제·논문 실적은 %(n)d건까지 입력할 수 있습니다.", n=MAX_RECORDS)))
    for i, r in enumerate(rows[:MAX_RECORDS]):
        title = (r.title or "").strip()
        if not title or len(title) > 300:
            problems.append((f"records-{i}-title", _l("과제명 또는 논문 제목을 300자 이내로 입력하십시오.")))
        if r.kind not in tuple(RecordKind):
            problems.append((f"records-{i}-kind", _l("구분을 목록에서 고르십시오.")))
        if r.year is None or not FIRST_YEAR <= r.year <= this_year + 1:
            problems.append((f"records-{i}-year", _l("연도는 %(lo)d~%(hi)d 사이로 입력하십시오.",
                                                     lo=FIRST_YEAR, hi=this_year + 1)))
        ids = []
        for number in r.partner_brns:
            if not brn.is_valid(number):
                problems.append((f"records-{i}-partner_brns",
                                 _l("올바른 사업자등록번호가 아닙니다: %(n)s", n=number)))
            elif brn.normalise(number) in orgs:
                ids.append(orgs[brn.normalise(number)].id)
        out.append([r.kind, title, r.year, sorted(set(ids)), (r.organisations_text or "").strip()[:500]])
    return out


def _relatives(rows: list[RelativeInput], orgs: dict, problems: list) -> list[list]:
    out = []
    if len(rows) > MAX_RELATIVES:
        problems.append(("relatives", _l("친족은 %(n)d명까지 입력할 수 있습니다.", n=MAX_RELATIVES)))
    for i, r in enumerate(rows[:MAX_RELATIVES]):
        name = (r.name or "").strip()
        if not name or len(name) > 100:
            problems.append((f"relatives-{i}-name", _l("친족의 이름을 100자 이내로 입력하십시오.")))
        org_id = None
        number = (r.organisation_brn or "").strip()
        if number:
            org = orgs.get(brn.normalise(number)) if brn.is_valid(number) else None
            if not brn.is_valid(number):
                problems.append((f"relatives-{i}-organisation_brn", _l("올바른 사업자등록번호가 아닙니다: %(n)s", n=number)))
            elif org is None:
                # Only registered organisations take part in consortia: an unregistered one can never conflict.
                problems.append((f"relatives-{i}-organisation_brn",
                                 _l("포털에 등록되지 않은 기관입니다. 등록되지 않은 기관은 신청에 참여할 수 없으므로 비워 두어도 됩니다.")))
            else:
                org_id = org.id
        out.append([name, (r.relation or "").strip()[:50], org_id])
    return out


def _today() -> date:
    return clock.to_kst(clock.now()).date()
