"""Decimal figures (KPI values) as people write them."""
from __future__ import annotations

from decimal import Decimal


def plain(value: Decimal | None) -> str:
    """20, 1.5, 0.25 — never ``2E+1`` (what ``str(Decimal("20").normalize())`` gives) nor ``1.5000``."""
    if value is None:
        return ""
    return format(value.normalize(), "f")
