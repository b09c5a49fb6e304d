"""사업자등록번호 (business registration number) checks."""
from __future__ import annotations

import re

_WEIGHTS = (1, 3, 7, 1, 3, 7, 1, 3, 5)


def normalise(value: str) -> str:
    return re.sub(r"[\s-]", "", value or "")


def is_valid(value: str) -> bool:
    """The National Tax Service check digit: weights 1,3,7,1,3,7,1,3,5 plus the carry of the 9th."""
    digits = normalise(value)
    if not re.fullmatch(r"\d{10}", digits):
        return False
    d = [int(c) for c in digits]
    total = sum(w * x for w, x in zip(_WEIGHTS, d))
    total += (d[8] * 5) // 10
    return (10 - total % 10) % 10 == d[9]


def with_check_digit(first_nine: str) -> str:
    """Complete nine digits into a valid number; used by demo data and tests."""
    for last in range(10):
        if is_valid(first_nine + str(last)):
            return first_nine + str(last)
    raise AssertionError("unreachable: one digit always fits")
