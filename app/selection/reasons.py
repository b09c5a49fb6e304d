"""The engine's reason codes as an officer reads them (ranking pages and exports).

The engine keeps stable English codes (shared/spec/scoring.md): ``below pass mark``,
``below criterion floor: KEY``, ``no reviews``, ``awards filled``, ``one per FIELD: VALUE``,
``budget cap exceeded``; stages add ``not passed at STAGE: REASON``, ``not shortlisted at
STAGE`` and ``no-show at STAGE``. They are stored as codes and put into words here.
"""
from __future__ import annotations

import re
from functools import lru_cache

from flask_babel import get_locale
from flask_babel import gettext as _

from app.calls.calls import field_label
from app.calls.stages import kind_label


def _stage(name: str) -> str:
    kind = name.split(" ")[0]
    return kind_label(kind)


def reason_text(code: str | None, criteria: list[tuple[str, str, str]] | None = None) -> str:
    """The reason in the reader's language; an unknown code as it is. With the rubric's
    ``criteria`` ((key, label, max points), as results.criteria_labels gives them) a criterion
    floor names the criterion's label rather than its key."""
    if not code:
        return ""
    # A thousand-row ranking holds a handful of distinct codes: each is put into words once.
    text = _words(code, str(get_locale()))
    if criteria and "below criterion floor: " in code:
        labels = {key: label for key, label, _mx in criteria}
        text = _KEY_IN_BRACKETS.sub(lambda m: f"({labels.get(m.group(1), m.group(1))})", text)
    return text


_KEY_IN_BRACKETS = re.compile(r"\(([A-Za-z0-9_-]+)\)")


@lru_cache(maxsize=1024)
def _words(code: str, locale: str) -> str:
    if code.startswith("not passed at "):
        stage, _sep, inner = code[len("not passed at "):].partition(": ")
        return _("%(stage)s 미통과 (%(reason)s)", stage=_stage(stage), reason=_words(inner, locale))
    if code.startswith("not shortlisted at "):
        return _("%(stage)s에서 다음 단계 대상이 되지 않음", stage=_stage(code[len("not shortlisted at "):]))
    if code.startswith("no-show at "):
        return _("%(stage)s 불참", stage=_stage(code[len("no-show at "):]))
    if code.startswith("below criterion floor: "):
        return _("항목 최저 기준 미달 (%(key)s)", key=code[len("below criterion floor: "):])
    if code.startswith("one per "):
        name, _sep, value = code[len("one per "):].partition(": ")
        what = f"{field_label(name)}: {value}" if value else field_label(name)
        return _("같은 대상 중복 (%(what)s)", what=what)
    known = {
        "below pass mark": _("총점 기준 미달"),
        "no reviews": _("반영된 평가표 없음"),
        "awards filled": _("선정 수 초과"),
        "budget cap exceeded": _("국비 총액 한도 초과"),
        "no-show": _("발표평가 불참"),
    }
    return known.get(code, code)
