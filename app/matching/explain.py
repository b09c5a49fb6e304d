"""What a match rests on: the shared terms that added most to its score."""
from __future__ import annotations

from collections.abc import Mapping

MAX_TERMS = 5


def top_terms(contributions: Mapping[str, float], limit: int = MAX_TERMS) -> tuple[str, ...]:
    """The terms with the largest contributions, largest first; ties in alphabetical order."""
    ranked = sorted((item for item in contributions.items() if item[1] > 0), key=lambda kv: (-kv[1], kv[0]))
    return tuple(term for term, _ in ranked[:limit])


def describe(match, limit: int = MAX_TERMS) -> str:
    """The officer's line: "디지털트윈, 스마트팩토리"."""
    return ", ".join(match.terms[:limit])
