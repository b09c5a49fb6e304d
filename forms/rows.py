"""Adding, removing and reordering the rows of a FieldList on the server, before any save.

An editor's row buttons are submit buttons named ``row`` whose value says what to do:
``add:criteria``, ``remove:criteria-2``, ``up:criteria-2``, ``down:criteria-2``, and for a list
inside a row ``add:criteria-1-steps`` or ``remove:criteria-1-steps-0``. The posted form data is
rewritten with the rows changed and numbered again from 0, and the page renders a form bound
to it: nothing is validated or saved. With JavaScript off this is a full reload; with htmx the
same post swaps only the editor.
"""
from __future__ import annotations

import re

from werkzeug.datastructures import MultiDict

BUTTON = "row"
VERBS = ("add", "remove", "up", "down")


def _rows(data: MultiDict, prefix: str) -> dict[int, list[tuple[str, list[str]]]]:
    """The posted values of list ``prefix`` by row index: (the name after ``prefix-<i>-``, values)."""
    pattern = re.compile(re.escape(prefix) + r"-(\d+)-(.*)$")
    rows: dict[int, list[tuple[str, list[str]]]] = {}
    for name in data.keys():
        match = pattern.match(name)
        if match:
            rows.setdefault(int(match.group(1)), []).append((match.group(2), data.getlist(name)))
    return rows


def apply(formdata, action: str, lists: dict[str, int]) -> tuple[MultiDict, str | None]:
    """``formdata`` with ``action`` done, and the name of the row to focus afterwards (or None).

    ``lists`` maps regular expressions of the list names an action may touch (e.g. ``criteria``
    and ``criteria-\\d+-steps``) to their most rows (the FieldList's max_entries, beyond which
    it drops rows); any other action leaves the data as it was.
    """
    data = MultiDict(formdata)
    data.pop(BUTTON, None)
    verb, _, target = (action or "").partition(":")
    if verb not in VERBS:
        return data, None
    if verb == "add":
        prefix, index = target, None
    else:
        prefix, _, tail = target.rpartition("-")
        index = int(tail) if tail.isdigit() else None
        if index is None:
            return data, None
    limit = next((most for pattern, most in lists.items() if re.fullmatch(pattern, prefix)), None)
    if limit is None:
        return data, None
    rows = _rows(data, prefix)
    order = sorted(rows)
    focus = None
    if verb == "add":
        if len(order) >= limit:
            return data, None
        order.append(-1)  # the new, empty row
        focus = len(order) - 1
    elif index not in rows:
        return data, None
    elif verb == "remove":
        at = order.index(index)
        order.remove(index)
        focus = min(at, len(order) - 1) if order else None
    else:
        at = order.index(index)
        to = at - 1 if verb == "up" else at + 1
        if 0 <= to < len(order):
            order[at], order[to] = order[to], order[at]
        focus = max(0, min(to, len(order) - 1))
    for name in [n for n in data.keys() if re.match(re.escape(prefix) + r"-\d+-", n)]:
        data.poplist(name)
    for position, old in enumerate(order):
        # FieldList makes a row of any name ``prefix-<i>-...``: the new row needs only one.
        for rest, values in rows.get(old, [("new", [""])]):
            data.setlist(f"{prefix}-{position}-{rest}", values)
    return data, (f"{prefix}-{focus}" if focus is not None else None)
