"""사업자등록번호 (business registration number) checks."""
from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l

# The form error for a number typed with anything but ASCII digits and hyphens.
CHARACTERS_MESSAGE = _l("사업자등록번호는 숫자(0-9)와 하이픈(-)만 입력할 수 있습니다. "
                        "전각 숫자(０-９)나 다른 문자는 쓸 수 없습니다.")

_WEIGHTS = (1, 3, 7, 1, 3, 7, 1, 3, 5)


# ASCII digits and hyphens only. Python's \d (and int()) also take full-width "５" and every
# other script's digits: "５０４８..." would pass the check digit yet be another string than
# "5048...", i.e. a second, look-alike organisation that skips the colleague confirmation.
_TYPED = re.compile(r"[0-9]+(?:-[0-9]+)*")
_DIGITS = re.compile(r"[0-9]{10}")


def has_only_allowed_characters(value: str | None) -> bool:
    """True when the number, spaces around it aside, is ASCII digits with optional hyphens."""
    return bool(_TYPED.fullmatch((value or "").strip(" \t\r\n")))


def normalise(value: str | None) -> str:
    """The ten digits as stored; anything with other characters is returned as typed (and is invalid)."""
    text = (value or "").strip(" \t\r\n")
    return text.replace("-", "") if _TYPED.fullmatch(text) else text


def is_valid(value: str | None) -> bool:
    """The National Tax Service check digit: weights 1,3,7,1,3,7,1,3,5 plus the carry of the 9th."""
    digits = normalise(value)
    if not _DIGITS.fullmatch(digits):
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
