"""Reference data shipped with the code: the files of ``app/reference/``.

The ways one place name is written are facts about the domain, not rules of the portal, and a
programme's own words belong to its data: so they live in files, read here once. (The matching
engine, which must stay free of the portal, reads its vocabulary file itself.)
"""
from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

FOLDER = Path(__file__).resolve().parent.parent / "reference"


@cache
def place_variants() -> tuple[tuple[str, str], ...]:
    """(long, short) forms of one place-name part (``place_variants.csv``), longest first so a
    long form holding a shorter one is replaced whole."""
    with (FOLDER / "place_variants.csv").open(encoding="utf-8", newline="") as fh:
        pairs = [(row["long"].strip(), row["short"].strip()) for row in csv.DictReader(fh)]
    return tuple(sorted((p for p in pairs if p[0] and p[1]), key=lambda p: -len(p[0])))
