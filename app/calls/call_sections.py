"""A call's proposal form: the sections applicants write, what the site choice is called, who may lead.

The officer sets the sections while the call is a draft. Once it is published applicants may
already be writing against them, and a 변경공고 changes the announcement, not the form: a
section renamed or removed would leave a draft's text under a page that no longer says what it
asked for. The section list is therefore frozen from publication on.
"""
from __future__ import annotations


from flask_babel import gettext as _

from app.models import Call, CallSection
from app.models.calls import RESERVED_SECTION_KEYS, SECTION_KEY_PATTERN, CallPhase, SectionKind
from app.models.organisations import ORG_TYPES
from app import audit
from app.core.errors import CallsError
from app.calls import keyed_rows

KEY_PATTERN = SECTION_KEY_PATTERN
RESERVED_KEYS = RESERVED_SECTION_KEYS
MAX_SECTIONS = 20
MAX_LABEL = 100
MAX_GUIDE = 2000
FIELD = "sections"
# Only one of each: the overview's budget check and the rubric's facts read "the" items and "the" plans.
SINGLE_KINDS = (SectionKind.ITEMS, SectionKind.PLANS)


class CallSectionsError(CallsError):
    """Refused section lists; ``problems`` are (field, message) pairs for the form, like CallAdminError's."""

    def __init__(self, problems: list[tuple[str, str]]):
        field, message = problems[0] if problems else ("", "")
        super().__init__(message, field)
        self.problems = problems


def lock(call: Call) -> str | None:
    """Why the call's sections can no longer change, or None while they can."""
    if call.phase == CallPhase.DRAFT:
        return None
    return _("게시된 공모의 신청서 작성 항목은 바꿀 수 없습니다. 신청자가 이미 이 항목에 맞춰 작성하고 있을 수 "
             "있고, 변경공고로도 신청서 양식은 바꿀 수 없습니다.")


def summary(call: Call) -> list[dict]:
    """The sections as the audit keeps them, in order."""
    return [{"key": s.key, "kind": str(s.kind), "label_ko": s.label_ko, "label_en": s.label_en or "",
             "guide_ko": s.guide_ko or "", "guide_en": s.guide_en or "", "required": bool(s.required)}
            for s in call.sections]


def _clean(row: dict) -> dict:
    return {"key": (row.get("key") or "").strip(), "kind": (row.get("kind") or "").strip(),
            "label_ko": (row.get("label_ko") or "").strip(), "label_en": (row.get("label_en") or "").strip(),
            "guide_ko": (row.get("guide_ko") or "").strip(), "guide_en": (row.get("guide_en") or "").strip(),
            "required": bool(row.get("required", True))}


def row_problems(rows: list[dict]) -> list[tuple[str, str]]:
    """Everything wrong with a section list, each beside the field of its row (``sections-<i>-<name>``)."""
    if len(rows) > MAX_SECTIONS:
        return [(FIELD, _("신청서 작성 항목은 %(n)d개까지 둘 수 있습니다.", n=MAX_SECTIONS))]
    problems: list[tuple[str, str]] = []
    keys: set[str] = set()
    kinds: set[str] = set()
    for i, row in enumerate(rows):
        prefix = f"{FIELD}-{i}-"
        key, kind = row["key"], row["kind"]
        if not key:
            problems.append((prefix + "key", _("키를 입력하십시오 (예: master_plan).")))
        elif not KEY_PATTERN.match(key):
            problems.append((prefix + "key", _("키는 영문 소문자로 시작하는 영문 소문자·숫자·밑줄 2~32자여야 합니다 "
                                               "(예: master_plan).")))
        elif key in RESERVED_KEYS:
            problems.append((prefix + "key", _("%(k)s은(는) 신청서의 다른 페이지가 쓰는 이름이어서 키로 쓸 수 없습니다.",
                                               k=key)))
        elif key in keys:  # beside the second row with the key, where the officer looks
            problems.append((prefix + "key", _("위의 줄과 키가 같습니다. 키는 줄마다 달라야 합니다.")))
        keys.add(key)
        if kind not in tuple(SectionKind):
            problems.append((prefix + "kind", _("작성 형식을 고르십시오.")))
        elif kind in SINGLE_KINDS and kind in kinds:
            problems.append((prefix + "kind", _("세부 항목 구역과 실증·과제 계획 구역은 한 공모에 하나씩만 둘 수 있습니다.")))
        kinds.add(kind)
        if not row["label_ko"]:
            problems.append((prefix + "label_ko", _("한국어 이름을 입력하십시오.")))
        for name in ("label_ko", "label_en"):
            if len(row[name]) > MAX_LABEL:
                problems.append((prefix + name, _("이름은 100자 이내로 입력하십시오.")))
        for name in ("guide_ko", "guide_en"):
            if len(row[name]) > MAX_GUIDE:
                problems.append((prefix + name, _("안내문은 2,000자 이내로 입력하십시오.")))
    return problems


def save_sections(call: Call, actor, rows: list[dict]) -> Call:
    """Replace the call's sections with ``rows`` (dicts of key, kind, label_ko, label_en, guide_ko,
    guide_en, required), in their order; refused whole, with every problem, or saved whole."""
    locked = lock(call)
    if locked:
        raise CallSectionsError([(FIELD, locked)])
    wanted = [_clean(row) for row in rows]
    problems = row_problems(wanted)
    if problems:
        raise CallSectionsError(problems)
    before = summary(call)
    call.sections = keyed_rows.by_key(call.sections, CallSection, wanted)
    changes = audit.changes({"sections": before}, {"sections": summary(call)})
    if changes:  # saved as it was: no event
        audit.record(actor, "call.sections_set", call, keys=[s["key"] for s in wanted], changes=changes)
    return call


def copy_from(call: Call, source: Call, actor) -> Call:
    """Give ``call`` the sections of ``source`` (another call the officer runs)."""
    return save_sections(call, actor, summary(source))


def call_problems(call: Call) -> list[tuple[str, str]]:
    """What the call's own fields get wrong about its form (checked with the call's other fields)."""
    problems = []
    if call.section_of_kind(SectionKind.ITEMS) is not None and not call.infra_types:
        # Every item names one of the call's support types: without any, no item could be written.
        problems.append(("infra_types", _("신청서에 세부 항목 구역이 있으면 지원유형을 하나 이상 정하십시오.")))
    if any(t not in ORG_TYPES for t in call.lead_org_types or []):
        problems.append(("lead_org_types", _("주관기관 유형은 목록에 있는 기관 유형 중에서 고르십시오.")))
    for name in ("site_label_ko", "site_label_en"):
        if len(getattr(call, name) or "") > MAX_LABEL:
            problems.append((name, _("이름은 100자 이내로 입력하십시오.")))
    return problems


def publication_problem(call: Call) -> str | None:
    """Why the call cannot be published for its form's sake, or None."""
    problems = [message for field, message in call_problems(call) if field == "infra_types"]
    return problems[0] if problems else None
