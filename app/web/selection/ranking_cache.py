"""The ranking table's rows, rendered once per state of a call's results.

A thousand rows of HTML cost most of the officer's ranking page, and they change only when
the results do: a computation, an override, an applied re-evaluation. Each of those writes a
column read here (``computed_at``, ``overridden_at``, rank, total, selection, reasons), so the
key below — those small columns of every row, the reader's language and the table's columns —
changes with them, and a hit never shows an old ranking. The cache is per process (a few
calls' tables, least recently used dropped); every request still passes the page's access check
before anything is read.
"""
from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict

from flask import render_template
from markupsafe import Markup
from app.models import Call
from app.selection import results
from app.selection.reasons import reason_text

MAX_ENTRIES = 16
_cache: OrderedDict[str, Markup] = OrderedDict()
_lock = threading.Lock()


def _key(call: Call, columns: list[str], criteria: list, locale: str) -> str | None:
    """The state of the call's results as the table shows it, or None when there are none."""
    version = results.ranking_version(call)
    if version is None:
        return None
    return hashlib.sha256(repr((call.id, locale, columns, criteria, version)).encode()).hexdigest()


def ranking_body(call: Call, columns: list[str], criteria: list, locale: str) -> Markup | None:
    """The rows of the ranking table as HTML, or None before any result is computed."""
    key = _key(call, columns, criteria, locale)
    if key is None:
        return None
    with _lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    rows = results.ranking_rows(call, columns)
    # The partial is an autoescaped template: its output is HTML already, every value escaped.
    body = Markup(render_template("officer/_ranking_rows.html", rows=rows, criteria=criteria,  # nosec B704
                                  reasons={r.reason: reason_text(r.reason, criteria) for r in rows}))
    with _lock:
        _cache[key] = body
        while len(_cache) > MAX_ENTRIES:
            _cache.popitem(last=False)
    return body


def clear() -> None:
    """Forget every table (the tests empty the database between them, ids start again)."""
    with _lock:
        _cache.clear()
