"""Displaying won the way Korean budget tables do (억원, 백만원)."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

# The largest amount any form accepts (1,000조원): far above any programme, far below
# BigInteger's limit, so sums over a whole table can never overflow.
MAX_WON = 10**15
EOK = 100_000_000
MILLION = 1_000_000


def won(amount: int) -> str:
    return f"{amount:,}원"


def eok(amount: int, places: int = 2) -> str:
    """140억원, 24.9억원, 2.24억원: trailing zeros dropped."""
    q = (Decimal(amount) / EOK).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    text = f"{q:,.{places}f}".rstrip("0").rstrip(".")
    return f"{text}억원"


def million(amount: int) -> str:
    q = (Decimal(amount) / MILLION).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return f"{q:,}백만원"


def parse_won(text: str) -> int:
    """Digits with optional commas and a trailing 원; raises ValueError otherwise."""
    cleaned = (text or "").strip().replace(",", "").removesuffix("원").strip()
    if not cleaned.isdigit() or not cleaned.isascii():
        raise ValueError(text)
    return int(cleaned)


# --- for the reader: English readers get KRW with thousands separators ------------------------

def english(amount: int, scaled: bool = True) -> str:
    """KRW 14.0 billion, KRW 224.0 million (``scaled``), or KRW 1,234,567 to the won."""
    for unit, word in ((10**9, "billion"), (MILLION, "million")):
        if scaled and abs(amount) >= unit:
            q = (Decimal(amount) / unit).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
            text = f"{q:,.2f}"
            return f"KRW {text[:-1] if text.endswith('0') else text} {word}"  # 14.0, 2.49, 2.5
    return f"KRW {amount:,}"


def _english_reader() -> bool:
    from flask_babel import get_locale  # only the Jinja filters need a reader

    locale = get_locale()
    return locale is not None and locale.language == "en"


def won_for_reader(amount: int) -> str:
    return english(amount, scaled=False) if _english_reader() else won(amount)


def eok_for_reader(amount: int, places: int = 2) -> str:
    return english(amount) if _english_reader() else eok(amount, places)


def million_for_reader(amount: int) -> str:
    return english(amount) if _english_reader() else million(amount)
