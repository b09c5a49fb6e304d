"""Hostile form bodies for the fuzz tests, and the check every response must pass.

Bodies start from a valid submission and then lose, repeat or replace fields, so most
examples get past the first validators and reach the services and the database, where
a 500 would hide. Values are encoded by hand: lone surrogates and raw invalid UTF-8
cannot be sent through the test client's own encoder.
"""
from __future__ import annotations

import os
from urllib.parse import quote_from_bytes

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from tests.security.conftest import changed_tables, table_digest

# GONGMO_FUZZ_EXAMPLES=500 for a long hunt; the default keeps the suite near a minute per database.
EXAMPLES = int(os.environ.get("GONGMO_FUZZ_EXAMPLES", "20"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                        HealthCheck.too_slow,
                                                                        HealthCheck.data_too_large])

OVERSIZE = 100_000

HOSTILE_TEXT = [
    "\u202e", "\u202d", "\u200f", "\u200b", "\u200d", "\ufeff", "\u2028", "\x00", "a\x00b", "\x1b[31m", "\x7f",
    "\ud800", "\udfff", "x\udc80y",  # lone surrogates: sent as raw (invalid) UTF-8
    "\u0301" * 30, "가" + "\u0301\u0308" * 10, "\u1100\u1161\u11a8", "\u1112\u1161\u11ab\u1100\u1173\u11af",
    "👩\u200d👩\u200d👧\u200d👦", "🇰🇷", "\U0001f600" * 5, "Ａ１２", "١٢٣", "𝟙𝟚𝟛",
    "\r\n", "\n\n\n", "\t", " ", "", "  padded  ",
    "<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>", "javascript:alert(1)",
    "' OR '1'='1' --", "'); DROP TABLE proposals; --", "%(x)s %s %n {0} {{7*7}} ${7*7}",
    "../../../../etc/passwd", "..\\..\\windows\\win.ini", "null", "None", "true", "[]", "{}",
]
NUMBERISH = [
    "1" + "0" * 30, "-1", "0", "-0", "1e309", "-1e309", "1e-400", "1E5", "NaN", "nan", "-NaN", "sNaN",
    "Infinity", "-Infinity", "inf", "1_000", "0x1F", "0b101", "1,000,000,000,000,000,000,000",
    "9" * 400, "2147483648", "-2147483649", "9223372036854775808", "-9223372036854775809",
    "3.14159265358979323846264338327950288419716939937510", "0.1", "+5", "--5", "5-", "1.2.3", "1,2",
    "１４０억", "140억", "14000000000원", "₩1,000", "1e3억",
]
DATES = [
    "2025-13-45T25:61", "0001-01-01T00:00", "9999-12-31T23:59", "2025-07-01", "2025-07-01T09:00:00+09:00",
    "99999-01-01T00:00", "2025-02-30T10:00", "-2025-01-01T00:00", "2025-07-01T24:00",
]
_LONG = st.sampled_from(["가", "a", "\u202e", "9", "\x00", "😀", "\u0301"]).map(lambda c: c * OVERSIZE)

VALUE = st.one_of(
    st.text(max_size=30),
    st.sampled_from(HOSTILE_TEXT),
    st.sampled_from(NUMBERISH),
    st.sampled_from(DATES),
    st.lists(st.sampled_from(HOSTILE_TEXT + NUMBERISH), min_size=2, max_size=4).map("".join),
)
KEY = st.one_of(st.text(min_size=1, max_size=12), st.sampled_from(["\x00", "a[]", "__proto__", "csrf_token", "a" * 5000]))


@st.composite
def mutated(draw, valid: dict[str, str | list[str]]):
    """A body (list of pairs: keys may repeat) derived from ``valid``.

    Half the time only one field is touched, so the rest stays valid and the hostile
    value travels past the form into the services and the database.
    """
    keys = list(valid)
    single = draw(st.booleans())
    target = draw(st.sampled_from(keys)) if single and keys else None
    pairs: list[tuple[str, str]] = []
    for key, value in valid.items():
        values = value if isinstance(value, list) else [value]
        if single:
            choice = 9 if key == target else 0
        else:
            choice = draw(st.integers(0, 9))
        if choice <= 4:  # kept as it was
            pairs += [(key, v) for v in values]
        elif choice == 5:  # missing
            continue
        else:  # replaced, possibly several times over (repeated keys)
            pairs += [(key, v) for v in draw(st.lists(VALUE, min_size=1, max_size=3 if not single else 1))]
    if not single:
        pairs += draw(st.lists(st.tuples(KEY, VALUE), max_size=2))
    if pairs and draw(st.integers(0, 3)) == 0:
        # One field blown up to 100,000 characters (one at a time keeps the suite fast).
        i = draw(st.integers(0, len(pairs) - 1))
        pairs[i] = (pairs[i][0], draw(_LONG))
    return draw(st.permutations(pairs))


# One field at a time, everything else valid: the values that break databases and parsers.
EDGE = [
    "1" + "0" * 30, "2147483648", "-1", "1e309", "NaN", "²", "\ud800", "a\x00b", "9" * 400, "9" * 5000,
    "가" * OVERSIZE,
]


def swept(valid: dict[str, str | list[str]], fields=None, extra: dict[str, list[str]] | None = None):
    """(field, value, body) for every field of ``valid`` (or ``fields``) and every EDGE value.

    ``extra`` adds values for particular fields (a structured text's own traps).
    """
    for field in fields or valid:
        for value in EDGE + (extra or {}).get(field, []):
            body = []
            for key, current in valid.items():
                if key == field:
                    body.append((key, value))
                else:
                    body += [(key, v) for v in (current if isinstance(current, list) else [current])]
            yield field, value, body


def encode(pairs: list[tuple[str, str]]) -> bytes:
    def part(text: str) -> str:
        return quote_from_bytes(text.encode("utf-8", "surrogatepass"), safe="")

    return "&".join(f"{part(k)}={part(v)}" for k, v in pairs).encode("ascii")


FORM = "application/x-www-form-urlencoded"


def post(client, url: str, pairs):
    return client.post(url, data=encode(pairs), content_type=FORM)


def shows_a_message(resp) -> bool:
    html = resp.get_data(as_text=True)
    return 'class="error' in html or 'role="alert"' in html or "<h1>4" in html


def check(resp, before: dict[str, str], *, may_change_on_refusal: frozenset[str] = frozenset()) -> None:
    """Never a 500; a refusal says why and leaves every table as it was."""
    assert resp.status_code < 500, f"HTTP {resp.status_code}"
    if 300 <= resp.status_code < 400:
        return  # accepted (or told, after a redirect, why not); what it saved is the next example's start
    assert resp.status_code in (400, 409, 413, 422), f"HTTP {resp.status_code} for a fuzzed submission"
    assert shows_a_message(resp), "refused without saying why"
    changed = set(changed_tables(before, table_digest())) - may_change_on_refusal
    assert not changed, f"refused with {resp.status_code}, yet changed {sorted(changed)}"
