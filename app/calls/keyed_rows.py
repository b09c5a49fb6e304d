"""A call's keyed configuration rows (support types, attachment kinds, form sections) replaced in order."""
from __future__ import annotations


def by_key(existing: list, model, wanted: list[dict]) -> list:
    """``wanted`` in order, reusing the row of each key that exists.

    Rows are kept by key and updated: replacing them would insert a key before the old row with
    the same key is deleted, which the unique (call, key) constraints refuse."""
    old = {row.key: row for row in existing}
    rows = []
    for position, values in enumerate(wanted):
        row = old.pop(values["key"], None) or model(key=values["key"])
        for name, value in values.items():
            setattr(row, name, value)
        row.position = position
        rows.append(row)
    return rows
