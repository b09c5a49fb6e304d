"""What changed between two submitted versions of a proposal, field by field.

Both sides are frozen snapshots, so the comparison says what the evaluators saw change
between the two submissions. Texts are compared by ``difflib`` line by line and, inside a
changed line, word by word; budget cells are compared amount by amount with the difference.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from app.proposals import sections

_WORDS = re.compile(r"\s+|[^\s]+")


@dataclass
class TextChange:
    """One field: ``parts`` are (op, text) pieces, op one of "same", "add", "del"."""
    label: str
    parts: list[tuple[str, str]] = field(default_factory=list)
    changed: bool = False


@dataclass
class Cell:
    old: int
    new: int

    @property
    def delta(self) -> int:
        return self.new - self.old

    @property
    def changed(self) -> bool:
        return self.old != self.new


def text_diff(label, old: str | None, new: str | None) -> TextChange:
    old, new = old or "", new or ""
    change = TextChange(str(label), changed=old != new)
    if not change.changed:
        change.parts = [("same", new)]
        return change
    a, b = _WORDS.findall(old), _WORDS.findall(new)
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            change.parts.append(("same", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            change.parts.append(("del", "".join(a[i1:i2])))
        if j2 > j1:
            change.parts.append(("add", "".join(b[j1:j2])))
    return change


def _lines(items: list[dict], render) -> str:
    return "\n".join(render(n, item) for n, item in enumerate(items, 1))


def _infra(n: int, i: dict) -> str:
    return f"{n}. [{i['type_label_ko']}] {i['description'] or ''} — {int(i['budget'] or 0):,}"


def _poc(n: int, p: dict) -> str:
    kpis = "; ".join(f"{k['name']} {k['baseline'] or ''}→{k['target'] or ''} {k['unit']}" for k in p["kpis"])
    return f"{n}. {p['tenant_firm'] or ''}: {p['problem'] or ''} / {p['ai_solution'] or ''} — {int(p['budget'] or 0):,} ({kpis})"


def _member(n: int, m: dict) -> str:
    return f"{m['name']} ({m['role']})"


def _attachment(n: int, a: dict) -> str:
    return f"[{a['kind_label_ko']}] {a['filename']} {a['sha256'][:12]}"


def _section_text(snap: dict, page) -> str:
    if page.kind == "items":
        return _lines(snap.get("infra_items", []), _infra)
    if page.kind == "plans":
        return _lines(snap.get("poc_plans", []), _poc)
    return snap.get("texts", {}).get(page.key, "")


def _section_diffs(old: dict, new: dict) -> list[TextChange]:
    """The call's own sections, with the newer version's words; one the newer lacks is still shown."""
    locale = str(get_locale())
    pages = {p.key: p for p in sections.frozen_pages(old, locale)}
    pages.update({p.key: p for p in sections.frozen_pages(new, locale)})
    return [text_diff(p.label, _section_text(old, p), _section_text(new, p)) for p in pages.values()]


def compare(old: dict, new: dict) -> dict:
    """Every field of two snapshots side by side; ``changed`` counts the fields that differ."""
    texts = [
        text_diff(_l("사업명"), old["overview"]["title"], new["overview"]["title"]),
        text_diff(sections.frozen_site_label(new, str(get_locale())), (old.get("complex") or {}).get("name"),
                  (new.get("complex") or {}).get("name")),
        text_diff(_l("대상 전략산업"), old["overview"]["strategic_industries"], new["overview"]["strategic_industries"]),
        text_diff(_l("사업 요약"), old["overview"]["summary"], new["overview"]["summary"]),
        text_diff(_l("컨소시엄 구성"), _lines(old["consortium"]["members"], _member),
                  _lines(new["consortium"]["members"], _member)),
        *_section_diffs(old, new),
        text_diff(sections.FIXED_LABELS[sections.ATTACHMENTS], _lines(old["attachments"], _attachment),
                  _lines(new["attachments"], _attachment)),
    ]
    sources = new["budget"]["sources"]
    old_rows = {r["year"]: r for r in old["budget"]["rows"]}
    new_rows = {r["year"]: r for r in new["budget"]["rows"]}
    years = sorted(set(old_rows) | set(new_rows))
    rows = [(y, [Cell(old_rows.get(y, {}).get(s, 0), new_rows.get(y, {}).get(s, 0)) for s in [*sources, "total"]])
            for y in years]
    totals = [Cell(old["budget"]["totals"].get(s, 0), new["budget"]["totals"].get(s, 0)) for s in [*sources, "total"]]
    changed_cells = sum(c.changed for _y, cells in rows for c in cells)
    return {
        "texts": texts,
        "sources": sources,
        "rows": rows,
        "totals": totals,
        "changed": sum(t.changed for t in texts) + (1 if changed_cells else 0),
        "changed_cells": changed_cells,
    }
