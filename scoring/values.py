"""Turning raw input values into Decimals, ints and instants, and the arithmetic contexts.

Arithmetic runs in ``EXACT``, which traps ``Inexact``: sums and products of inputs are
exact, and the few divisions go through ``quotient`` so a rounding can only happen where
the contract allows one. Input size is bounded (``MAX_INTEGER_DIGITS``,
``MAX_FRACTION_DIGITS``) so that exactness never runs out of precision in practice.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from decimal import (
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    Context,
    Decimal,
    DivisionByZero,
    Inexact,
    InvalidOperation,
    Overflow,
)

from .errors import ScoringInputError

PRECISION = 100
EXACT = Context(
    prec=PRECISION,
    rounding=ROUND_HALF_EVEN,
    traps=[InvalidOperation, DivisionByZero, Overflow, Inexact],
)
# Quotients are correctly rounded at 100 digits; with inputs bounded as below, a quotient
# that is exactly on a half-way point of the display rounding is representable exactly,
# and one that is not lies far further than 1e-90 from it, so rounding it is exact.
DIVISION = Context(prec=PRECISION, rounding=ROUND_HALF_EVEN, traps=[InvalidOperation, DivisionByZero, Overflow])

MAX_INTEGER_DIGITS = 20
MAX_FRACTION_DIGITS = 12
_FRACTION_QUANTUM = Decimal(1).scaleb(-MAX_FRACTION_DIGITS)
# Decimal() alone would also take "1_000", " 27 ", "NaN" and "Infinity".
_DECIMAL_TEXT = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?\Z")
ZERO = Decimal(0)


def show(raw: object) -> str:
    """A short JSON-like rendering of a raw value for error messages."""
    try:
        text = json.dumps(raw, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        text = repr(raw)
    return text if len(text) <= 40 else text[:37] + "..."


def to_decimal(
    raw: object,
    what: str,
    *,
    minimum: Decimal | int | None = None,
    maximum: Decimal | int | None = None,
) -> Decimal:
    """A finite Decimal from a Decimal, an int or a decimal string; never from a float."""
    if isinstance(raw, bool):
        raise ScoringInputError(f"{what} must be a decimal number, got {show(raw)}")
    if isinstance(raw, Decimal):
        value = raw
    elif isinstance(raw, int):
        value = Decimal(raw)
    elif isinstance(raw, str) and _DECIMAL_TEXT.match(raw):
        value = Decimal(raw)
    else:
        raise ScoringInputError(f"{what} must be a decimal number, got {show(raw)}")
    if not value.is_finite():
        raise ScoringInputError(f"{what} must be a finite number, got {show(raw)}")
    if value and value.adjusted() >= MAX_INTEGER_DIGITS:
        raise ScoringInputError(f"{what} {show(raw)} has more than {MAX_INTEGER_DIGITS} integer digits")
    if value.as_tuple().exponent < -MAX_FRACTION_DIGITS and (
        value.quantize(_FRACTION_QUANTUM, context=DIVISION) != value
    ):
        raise ScoringInputError(f"{what} {show(raw)} has more than {MAX_FRACTION_DIGITS} decimal places")
    if minimum is not None and value < minimum:
        raise ScoringInputError(f"{what} {show(raw)} is below {minimum}")
    if maximum is not None and value > maximum:
        raise ScoringInputError(f"{what} {show(raw)} is above {maximum}")
    return value


def looks_numeric(text: str) -> bool:
    """Whether ``text`` is written as a decimal number (in range or not)."""
    return bool(_DECIMAL_TEXT.match(text))


def to_int(raw: object, what: str, *, minimum: int | None = None, maximum: int | None = None) -> int:
    """An int from a JSON integer; "5" or 5.0 are refused so counts stay unambiguous."""
    if isinstance(raw, bool) or not isinstance(raw, int):
        raise ScoringInputError(f"{what} must be an integer, got {show(raw)}")
    if minimum is not None and raw < minimum:
        raise ScoringInputError(f"{what} must be at least {minimum}, got {raw}")
    if maximum is not None and raw > maximum:
        raise ScoringInputError(f"{what} must be at most {maximum}, got {raw}")
    return raw


def to_instant(raw: object, what: str) -> datetime:
    """An aware datetime from ISO 8601 text; a time without offset is taken as UTC."""
    if isinstance(raw, datetime):
        value = raw
    elif isinstance(raw, str):
        text = raw[:-1] + "+00:00" if raw.endswith(("Z", "z")) else raw
        try:
            value = datetime.fromisoformat(text)
        except ValueError:
            raise ScoringInputError(f"{what} must be an ISO 8601 date-time, got {show(raw)}") from None
    else:
        raise ScoringInputError(f"{what} must be an ISO 8601 date-time, got {show(raw)}")
    # Mixing naive and aware instants would make ranking raise TypeError.
    return value if value.tzinfo is not None else value.replace(tzinfo=timezone.utc)


def quotient(numerator: Decimal, denominator: int | Decimal) -> Decimal:
    """numerator / denominator, correctly rounded to ``PRECISION`` digits."""
    return DIVISION.divide(numerator, denominator)


MAX_DECIMALS = 12
_QUANTA = tuple(Decimal(1).scaleb(-places) for places in range(MAX_DECIMALS + 1))


def round_half_up(value: Decimal, decimals: int) -> Decimal:
    """The contract's only rounding: half away from zero, to ``decimals`` places."""
    rounded = value.quantize(_QUANTA[decimals], ROUND_HALF_UP, DIVISION)
    # -0.001 would otherwise print as "-0.00".
    return rounded if rounded else rounded.copy_abs()
