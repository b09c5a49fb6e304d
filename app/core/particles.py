"""Korean particles after words known only at run time: "%(name)s을(를)" → "서울을", "AI를".

A msgid keeps the double form ("을(를)", "이(가)", "은(는)", "과(와)", "(으)로" …) where a
placeholder stands before the particle: that is how a translator reads it, and the English
catalogue keys stay as they are. The marker is resolved after the values are filled in,
centrally: Flask-Babel's domain (every ``_``/``_l``/``ngettext`` in Python, in a request,
a worker or the CLI) and the Jinja ``_``/``gettext``/``ngettext`` return resolved text, so
pages, mails, notices read later and PDFs never show "을(를)" to a person.

The word before the marker is read as a Korean reader says it: a Hangul syllable by its
final consonant, digits by their Korean reading (3을, 1을, 10을, 2,000을, 14.5를), Latin
letters by the letter's name when the word is an acronym (AI와, PDF를, URL로) or by the
last sound of an English word otherwise (file을, pdf를). A space before the marker
("%(name)s 을(를)") is dropped: the particle joins the word. Closing quotes and brackets,
HTML tags and entities are looked through ("「사업」을", "'위원'이", "<b>서울</b>로").
"""
from __future__ import annotations

import re

from jinja2 import pass_context
from markupsafe import Markup

# marker → (form after a final consonant, form after a vowel, form after ㄹ)
_MARKERS: dict[str, tuple[str, str, str]] = {
    "을(를)": ("을", "를", "을"), "를(을)": ("을", "를", "을"),
    "이(가)": ("이", "가", "이"), "가(이)": ("이", "가", "이"),
    "은(는)": ("은", "는", "은"), "는(은)": ("은", "는", "은"),
    "과(와)": ("과", "와", "과"), "와(과)": ("과", "와", "과"),
    "(으)로": ("으로", "로", "로"), "로(으로)": ("으로", "로", "로"),
    "(이)나": ("이나", "나", "이나"), "(이)라": ("이라", "라", "이라"),
    "(이)며": ("이며", "며", "이며"), "(이)고": ("이고", "고", "이고"),
}
MARKERS = tuple(_MARKERS)
_MARKER_RE = re.compile("( ?)(" + "|".join(re.escape(m) for m in sorted(_MARKERS, key=len, reverse=True)) + ")")

# What the eye skips back over to find the word a particle attaches to.
_TRAILING = re.compile(r"(?:</[^<>]*>|&#?\w+;|[\s'\"’”」』》〉\]}.…*_`])+$")
_CLOSERS = re.compile(r"[)\s]+$")
_PAREN_NOTE = re.compile(r"(?<=\S)\s?\([^()]*\)$")  # 사업(AI)을: the particle follows 사업

_RIEUL = 8  # index of ㄹ among the final consonants
# Final consonant of the Korean name of each digit: 0 영, 1 일, 2 이, 3 삼, 4 사, 5 오, 6 육, 7 칠, 8 팔, 9 구.
_DIGIT = {"0": "ng", "1": "l", "2": "", "3": "m", "4": "", "5": "", "6": "k", "7": "l", "8": "l", "9": ""}
# Trailing zeros of a whole number: 10 십, 100 백, 1000 천, 10⁴ 만, 10⁸ 억, 10¹² 조.
_TENS = {1: "p", 2: "k", 3: "n", 0: ""}
_BIG = {4: "n", 8: "k", 12: "", 16: "ng"}
# The name of each Latin letter, by its last sound: A 에이, L 엘, M 엠, N 엔, R 알, X 엑스 …
_LETTER = {c: "" for c in "ABCDEFGHIJKOPQSTUVWXYZ"} | {"L": "l", "M": "m", "N": "n", "R": "l"}
_GREEK = {"α": "", "β": "", "γ": "", "δ": "", "Ω": "", "π": ""}


def final(word: str) -> str | None:
    """The final consonant of how ``word`` is read: "" for a vowel, "l" for ㄹ, another
    letter for the other consonants, None when nothing readable is there."""
    text = _TRAILING.sub("", word or "")
    text = _PAREN_NOTE.sub("", text) or text
    text = _TRAILING.sub("", _CLOSERS.sub("", _TRAILING.sub("", text)))
    if not text:
        return None
    last = text[-1]
    if "가" <= last <= "힣":
        jong = (ord(last) - 0xAC00) % 28
        return "" if jong == 0 else ("l" if jong == _RIEUL else "c")
    if "ㄱ" <= last <= "ㅎ":  # a bare jamo (ㄱ, ㄴ …) is read by its name: 기역, 니은 … all end in a consonant
        return "l" if last == "ㄹ" else "c"
    if last.isdigit() and last.isascii():
        return _number_final(text)
    if last.isascii() and last.isalpha():
        return _latin_final(text)
    return _GREEK.get(last)


def _number_final(text: str) -> str:
    digits = re.search(r"[\d,]*\.?\d+$", text).group().replace(",", "")
    if "." in digits:  # 14.5: the last digit is read alone
        return _DIGIT[digits[-1]]
    stripped = digits.rstrip("0")
    zeros = len(digits) - len(stripped)
    if not stripped:
        return _DIGIT["0"]
    if zeros == 0:
        return _DIGIT[digits[-1]]
    if zeros % 4 == 0:
        return _BIG.get(zeros, "")
    return _TENS[zeros % 4]


def _latin_final(text: str) -> str:
    word = re.search(r"[A-Za-z]+$", text).group()
    if word.isupper() or len(word) == 1:  # an acronym is read letter by letter: AI 에이아이, URL 유알엘
        return _LETTER[word[-1].upper()]
    low = word.lower()
    if low.endswith(("ng",)):
        return "ng"
    if low.endswith(("l", "le")) and not low.endswith(("ble", "ple", "tle", "dle")):
        return "l"  # file 파일, mail 메일, portal 포털
    if low.endswith(("m", "n")):
        return "c"  # form 폼, plan 플랜
    # A short vowel before a final p, b, k, t is written as a final consonant: lab 랩, app 앱,
    # book 북, chat 챗; after a cluster or a long vowel it is a syllable of its own (desk 데스크).
    if re.search(r"(?:^|[^aeiou])[aeiou]{1,2}(?:pp|ck|[pbkt])$", low):
        return "c"
    return ""


def particle(word: str, marker: str) -> str:
    """The particle of ``marker`` (e.g. "을(를)") that fits after ``word``."""
    after_consonant, after_vowel, after_rieul = _MARKERS[marker]
    sound = final(word)
    if sound == "l":
        return after_rieul
    return after_consonant if sound else after_vowel


def attach(word: str, marker: str) -> str:
    """``word`` followed by the particle that fits: attach("서울", "(으)로") == "서울로"."""
    return f"{word}{particle(word, marker)}"


def resolve(text):
    """``text`` with every particle marker replaced by the form that fits the word before it.

    Markup stays Markup (only a space and the marker are touched, never the markup itself).
    """
    if not text or "(" not in text:
        return text
    source = str(text)
    out: list[str] = []
    pos = 0
    for m in _MARKER_RE.finditer(source):
        before = source[pos:m.start()]
        out.append(before)
        word = "".join(out)
        out.append(particle(word, m.group(2)))
        pos = m.end()
    if not out:
        return text
    out.append(source[pos:])
    resolved = "".join(out)
    # Safe: ``text`` was Markup already (escaped where it had to be) and only Hangul particles
    # replaced its markers; nothing from outside is added.
    return Markup(resolved) if isinstance(text, Markup) else resolved  # nosec B704


# --- the hooks: Flask-Babel's domain and Jinja's gettext -------------------------------------

def domain_class(base):
    """A Flask-Babel Domain whose gettext family returns resolved text."""

    class ResolvingDomain(base):
        def gettext(self, string, **variables):
            return resolve(super().gettext(string, **variables))

        def ngettext(self, singular, plural, num, **variables):
            return resolve(super().ngettext(singular, plural, num, **variables))

        def pgettext(self, context, string, **variables):
            return resolve(super().pgettext(context, string, **variables))

        def npgettext(self, context, singular, plural, num, **variables):
            return resolve(super().npgettext(context, singular, plural, num, **variables))

    return ResolvingDomain


def install_jinja(env) -> None:
    """Wrap the Jinja ``gettext``/``ngettext`` (and so ``_`` and ``{% trans %}``): Jinja fills
    the values in after the catalogue lookup, so the markers are resolved after that."""
    for name in ("gettext", "ngettext", "pgettext", "npgettext"):
        inner = env.globals.get(name)
        if inner is not None and not getattr(inner, "resolves_particles", False):
            env.globals[name] = _resolving(inner)


def _resolving(inner):
    @pass_context
    def call(__context, *args, **kwargs):
        return resolve(__context.call(inner, *args, **kwargs))

    call.resolves_particles = True
    return call
