"""The pages of a call's proposal form, in order, with the words the call gave them.

Every call's form opens with the overview and ends with the budget table and the attachments;
between them come the call's own sections (``Call.sections``): an itemised build-out, plans
with KPIs, and long texts, each named and explained by the officer who set up the call. A
frozen version carries the definitions it was written against (``frozen``), so it reads the
same after the call's words change.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from app.models.calls import Call, SectionKind

OVERVIEW, BUDGET, ATTACHMENTS = "overview", "budget", "attachments"
FIXED_LABELS = {OVERVIEW: _l("사업 개요"), BUDGET: _l("사업비"), ATTACHMENTS: _l("첨부 서류")}
KINDS = tuple(SectionKind)
KIND_LABELS = {
    SectionKind.ITEMS: _l("세부 항목 (지원유형·내용·사업비)"),
    SectionKind.PLANS: _l("실증·과제 계획 (기업·문제·해결방안·사업비·성과지표)"),
    SectionKind.TEXT: _l("서술형"),
}
DEFAULT_SITE_LABEL = _l("대상 지역·입지")


@dataclass(frozen=True)
class Page:
    key: str
    kind: str  # SectionKind, or one of the fixed pages' keys
    label: str
    guide: str = ""
    required: bool = True


def pages(call: Call, locale: str = "ko") -> list[Page]:
    """Every page of the call's proposal form, in order."""
    return [Page(OVERVIEW, OVERVIEW, str(FIXED_LABELS[OVERVIEW])),
            *(Page(s.key, s.kind, s.label(locale), s.guide(locale), s.required) for s in call.sections),
            Page(BUDGET, BUDGET, str(FIXED_LABELS[BUDGET])),
            Page(ATTACHMENTS, ATTACHMENTS, str(FIXED_LABELS[ATTACHMENTS]))]


def keys(call: Call) -> tuple[str, ...]:
    return tuple(p.key for p in pages(call))


def editable_keys(call: Call) -> tuple[str, ...]:
    """The pages drafted through a section form (attachments have their own page)."""
    return tuple(k for k in keys(call) if k != ATTACHMENTS)


def labels(call: Call, locale: str = "ko") -> dict[str, str]:
    return {p.key: p.label for p in pages(call, locale)}


def page(call: Call, key: str, locale: str = "ko") -> Page | None:
    return next((p for p in pages(call, locale) if p.key == key), None)


def site_label(call: Call, locale: str = "ko") -> str:
    """What the overview's site choice is called in this call."""
    chosen = call.site_label_en if locale == "en" and call.site_label_en else call.site_label_ko
    return chosen or str(DEFAULT_SITE_LABEL)


# ----- frozen versions -----------------------------------------------------------------------

def frozen(call: Call) -> list[dict]:
    """The call's own sections as a snapshot keeps them."""
    return [{"key": s.key, "kind": s.kind, "label_ko": s.label_ko, "label_en": s.label_en} for s in call.sections]


def frozen_pages(snap: dict, locale: str = "ko") -> list[Page]:
    """The call's own sections of a snapshot, with the labels they had when it was frozen."""
    return [Page(s["key"], s["kind"], s["label_en"] if locale == "en" and s.get("label_en") else s["label_ko"])
            for s in snap.get("sections", [])]


def frozen_label(snap: dict, kind: str, locale: str = "ko") -> str | None:
    """The label of the snapshot's items or plans section; None when the call had none."""
    return next((p.label for p in frozen_pages(snap, locale) if p.kind == kind), None)


def frozen_labels(snap: dict, locale: str = "ko") -> dict[str, str]:
    """Every page's label as a snapshot reads: the fixed pages and the call's, as frozen."""
    return {OVERVIEW: str(FIXED_LABELS[OVERVIEW]), **{p.key: p.label for p in frozen_pages(snap, locale)},
            BUDGET: str(FIXED_LABELS[BUDGET]), ATTACHMENTS: str(FIXED_LABELS[ATTACHMENTS])}


def frozen_site_label(snap: dict, locale: str = "ko") -> str:
    site = snap.get("site_label") or {}
    return (site.get("en") if locale == "en" and site.get("en") else site.get("ko")) or str(DEFAULT_SITE_LABEL)
