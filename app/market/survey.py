"""An alliance's demand survey (수요조사) from XLSX, and the task list (과제 후보) as XLSX.

The survey's first sheet holds one need per row under a header row of ``COLUMNS`` (any order).
Every row is checked first (``app.core.sheets``, as the reviewer-pool import); any problem is
reported with its line and column and NOTHING is imported. An organisation whose
사업자등록번호 the portal does not know is created as a tenant firm (입주기업) under the row's
기관명: a survey reaches firms that have no account yet, and their needs should be there when
they register (they join the organisation by its number). Every row's organisation becomes a
member of the alliance. One audit entry records the counts.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app import audit
from app.accounts import brn
from app.core import money, reference, sheet_export
from app.core.errors import MarketError
from app.core.sheets import Problem, read_table
from app.extensions import db
from app.market import groups
from app.models import IndustrialComplex, Organisation
from app.models.marketplace import Alliance, Need, TaskCandidate, Visibility

MAX_ROWS = 2_000
# header, key, required, note (the README lists the same)
COLUMNS = (
    ("기관명", "name", False, "포털에 없는 기관이면 필수 (입주기업으로 등록)"),
    ("사업자등록번호", "brn", True, "숫자 10자리, 하이픈 가능"),
    ("수요 제목", "title", False, "비우면 공정과 업종으로"),
    ("산업단지", "complex", False, "산업단지 이름, 예: 창원국가산업단지"),
    ("지역", "region", False, "예: 경남"),
    ("업종", "industry", False, ""),
    ("공정", "process", False, "예: 사출성형"),
    ("현장 문제", "problem", True, ""),
    ("보유 데이터", "data", False, ""),
    ("예산 하한", "budget_min", False, "원, 쉼표 가능"),
    ("예산 상한", "budget_max", False, "원, 쉼표 가능"),
    ("희망 시작일", "start", False, "YYYY-MM-DD"),
    ("공개 범위", "visibility", False, "공개 또는 얼라이언스 (비우면 얼라이언스)"),
)
VISIBILITY_NAMES = {"공개": Visibility.PUBLIC, "전체": Visibility.PUBLIC, "public": Visibility.PUBLIC,
                    "얼라이언스": Visibility.ALLIANCE, "alliance": Visibility.ALLIANCE, "": Visibility.ALLIANCE}


def headers() -> dict[str, str]:
    """Header → key. A header written with a place name's short form (``reference.place_variants``)
    reads too, so a template filled in before a header was renamed still imports."""
    canonical = {h: k for h, k, _r, _n in COLUMNS}
    short = {h.replace(long, abbr): k for h, k in canonical.items()
             for long, abbr in reference.place_variants() if long in h}
    return short | canonical  # the canonical name last: problems are reported under it


class SurveyImportError(MarketError):
    def __init__(self, problems: list[Problem]):
        super().__init__(_l("가져오기 파일에 오류가 %(n)d건 있어 아무것도 가져오지 않았습니다.", n=len(problems)),
                         field="file")
        self.problems = problems


@dataclass
class SurveyResult:
    needs: int = 0
    organisations_created: int = 0


def _won(text: str):
    if not text:
        return None
    try:
        amount = money.parse_won(text)
    except ValueError:
        return ValueError
    return amount if amount <= money.MAX_WON else ValueError


def read(data: bytes) -> list[dict]:
    """The rows, checked; raises ``SurveyImportError`` with every problem found."""
    rows, letters = read_table(data, headers(), {k for _h, k, r, _n in COLUMNS if r},
                               MAX_ROWS, SurveyImportError)
    complexes = {c.name: c.id for c in db.session.scalars(select(IndustrialComplex))}
    numbers = {brn.normalise(v["brn"]) for _n, v in rows if brn.is_valid(v.get("brn"))}
    known = {o.brn: o for o in db.session.scalars(select(Organisation).where(Organisation.brn.in_(numbers)))} if numbers else {}
    problems, out = [], []
    for line, v in rows:
        def bad(key, message):
            problems.append(Problem(line, letters.get(key, key), message))

        number = brn.normalise(v.get("brn"))
        if not brn.is_valid(number):
            bad("brn", _l("올바른 사업자등록번호가 아닙니다 (숫자 10자리, 검증번호 확인)."))
        elif number not in known and not v.get("name"):
            bad("name", _l("포털에 등록되지 않은 기관이면 기관명이 필요합니다."))
        if len(v.get("name", "")) > 200:
            bad("name", _l("%(n)d자 이내로 입력하십시오.", n=200))
        if not v.get("problem"):
            bad("problem", _l("현장 문제를 입력하십시오."))
        complex_id = complexes.get(v.get("complex", "")) if v.get("complex") else None
        if v.get("complex") and complex_id is None:
            bad("complex", _l("목록에 있는 산업단지를 고르십시오."))
        low, high = _won(v.get("budget_min", "")), _won(v.get("budget_max", ""))
        for key, amount in (("budget_min", low), ("budget_max", high)):
            if amount is ValueError:
                bad(key, _l("금액은 원 단위 숫자로 입력하십시오 (예: 1,500,000,000)."))
        if isinstance(low, int) and isinstance(high, int) and low > high:
            bad("budget_max", _l("예산 상한은 하한 이상이어야 합니다."))
        start = None
        if v.get("start"):
            try:
                start = datetime.strptime(v["start"], "%Y-%m-%d").date()
            except ValueError:
                bad("start", _l("날짜를 YYYY-MM-DD 형식으로 입력하십시오."))
        visibility = VISIBILITY_NAMES.get(v.get("visibility", ""))
        if visibility is None:
            bad("visibility", _l("공개 범위는 공개 또는 얼라이언스입니다."))
        for key, limit in (("title", 200), ("region", 64), ("industry", 100), ("process", 200)):
            if len(v.get(key, "")) > limit:
                bad(key, _l("%(n)d자 이내로 입력하십시오.", n=limit))
        title = v.get("title") or " ".join(x for x in (v.get("industry", ""), v.get("process", "")) if x) or v.get("problem", "")[:60]
        out.append({"line": line, "brn": number, "name": v.get("name", ""), "org": known.get(number),
                    "need": {"title": title[:200], "complex_id": complex_id, "region": v.get("region", ""),
                             "industry": v.get("industry", ""), "process": v.get("process", ""),
                             "problem": v.get("problem", ""), "data_available": v.get("data", ""),
                             "budget_min": low if isinstance(low, int) else None,
                             "budget_max": high if isinstance(high, int) else None,
                             "desired_start": start, "visibility": visibility}})
    if problems:
        raise SurveyImportError(problems)
    return out


def import_file(data: bytes, alliance: Alliance, actor, filename: str = "") -> SurveyResult:
    """Check the whole file, then create its organisations and needs (the caller commits)."""
    rows = read(data)
    result = SurveyResult()
    created: dict[str, Organisation] = {}
    for row in rows:
        org = row["org"] or created.get(row["brn"])
        if org is None:
            org = Organisation(name=row["name"], type="tenant_company", brn=row["brn"],
                               region=row["need"]["region"] or alliance.region)
            db.session.add(org)
            db.session.flush()
            created[row["brn"]] = org
        groups.join_alliance(actor, alliance, org)
        need = row["need"]
        db.session.add(Need(organisation_id=org.id, created_by_id=actor.id, state="open",
                            alliance_id=alliance.id if need["visibility"] == Visibility.ALLIANCE else None,
                            **need))
        result.needs += 1
    result.organisations_created = len(created)
    db.session.flush()
    audit.record(actor, "alliance.survey_imported", alliance, file=filename[:200], needs=result.needs,
                 organisations_created=result.organisations_created)
    return result


def template_xlsx() -> bytes:
    wb = sheet_export.new_workbook()
    ws = wb.active
    ws.title = "수요조사"
    ws.append([h for h, _k, _r, _n in COLUMNS])
    notes = wb.create_sheet("열 설명")
    notes.append(["열", "필수", "설명"])
    for header, _key, required, note in COLUMNS:
        notes.append([header, "필수" if required else "", note])
    return sheet_export.save(wb)


# --- the task list -----------------------------------------------------------------------------

def tasks_xlsx(tasks: list[TaskCandidate]) -> bytes:
    """One row per task candidate, and one row per need or supplier attached to it."""
    wb = sheet_export.new_workbook()
    ws = wb.active
    ws.title = "과제 후보"
    ws.append(["번호", "연구회", "과제 후보", "상태", "요약", "수요 수", "공급기업 수"])
    links = wb.create_sheet("수요·공급")
    links.append(["과제 번호", "과제 후보", "구분", "기관명", "사업자등록번호", "제목", "업종", "공정·솔루션",
                  "예산 하한", "예산 상한"])
    for t in tasks:
        ws.append([t.id, t.group.name, t.title, t.state, t.summary, len(t.needs), len(t.suppliers)])
        for tn in t.needs:
            n = tn.need
            links.append([t.id, t.title, "수요", n.organisation.name, n.organisation.brn_display, n.title, n.industry,
                          n.process, n.budget_min, n.budget_max])
        for ts in t.suppliers:
            c = ts.capability
            links.append([t.id, t.title, "공급", c.organisation.name, c.organisation.brn_display, c.title,
                          c.industries, c.solutions, None, None])
    return sheet_export.save(wb)

