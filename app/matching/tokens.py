"""Korean text to matching terms: the nouns Kiwi finds, Latin words lower-cased, stop-words out.

Kiwi takes about a second to load its model (shipped inside the kiwipiepy-model package,
nothing is downloaded), so one instance is made on first use and shared. Domain compounds
are registered as user words: without them Kiwi may split 디지털트윈 into 디지털 + 트윈, and a
profile saying "디지털트윈" would then match every proposal that merely says "디지털".
"""
from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from pathlib import Path

# The shared domain vocabulary is data, read once here (the engine stays free of the portal, so
# it reads the file itself); a call adds its own words with add_words.
WORDS_FILE = Path(__file__).resolve().parent.parent / "reference" / "domain_words.txt"


def _read_words(path: Path) -> tuple[str, ...]:
    lines = (line.strip() for line in path.read_text(encoding="utf-8").splitlines())
    return tuple(line for line in lines if line and not line.startswith("#"))


# Proper-noun tag so Kiwi keeps the compound whole; score 0 is Kiwi's neutral weight.
DOMAIN_WORDS = _read_words(WORDS_FILE)
NOUN_TAGS = frozenset({"NNG", "NNP", "SL"})
# Words every proposal and profile in this domain uses: they would match everyone and
# so explain nothing. BM25's IDF discounts them too; the list keeps them out of explanations.
STOP_WORDS = frozenset({
    "기반", "활용", "구축", "개발", "지원", "사업", "기업", "분야", "관련", "추진", "운영", "통한",
    "위한", "대상", "경우", "이상", "이하", "가능", "수행", "과제", "계획", "내용", "방안", "목표",
    "기관", "참여", "제공", "확대", "강화", "도입", "적용", "실증", "고도", "전반", "등등", "기타",
})
LATIN_STOP_WORDS = frozenset({"and", "of", "the", "for", "in", "on", "to", "with", "a", "an"})

_lock = threading.Lock()
_kiwi = None
_extra_words: list[tuple[str, str]] = []


def _instance():
    global _kiwi
    if _kiwi is None:
        with _lock:
            if _kiwi is None:
                from kiwipiepy import Kiwi

                kiwi = Kiwi()
                for word in DOMAIN_WORDS:
                    kiwi.add_user_word(word, "NNP", 0)
                for word, tag in _extra_words:
                    kiwi.add_user_word(word, tag, 0)
                _kiwi = kiwi
    return _kiwi


def add_words(words: Iterable[str], tag: str = "NNP") -> None:
    """Register more compound nouns (a call's own vocabulary) so they stay whole."""
    with _lock:
        for word in words:
            word = word.strip()
            if word and (word, tag) not in _extra_words:
                _extra_words.append((word, tag))
                if _kiwi is not None:
                    _kiwi.add_user_word(word, tag, 0)


def _terms(tokens) -> list[str]:
    terms = []
    previous = None
    for token in tokens:
        number, previous = previous, token
        if token.tag not in NOUN_TAGS:
            continue
        if token.tag == "SL":
            word = token.form.lower()
            if number is not None and number.tag == "SN" and number.end == token.start:
                word = number.form + word  # "5G" is one word, not the number 5 and a letter G
            if len(word) > 1 and word not in LATIN_STOP_WORDS:
                terms.append(word)
        elif len(token.form) > 1 and token.form not in STOP_WORDS:
            # One-syllable nouns (것, 수, 등, 위) carry no expertise.
            terms.append(token.form)
    return terms


def nouns(text: str) -> list[str]:
    """The matching terms of one text, in order, repeats kept (BM25 counts them)."""
    if not text or not text.strip():
        return []
    return _terms(_instance().tokenize(text))


def nouns_many(texts: Iterable[str]) -> Iterator[list[str]]:
    """``nouns`` for many texts through Kiwi's batch call, which is faster than one by one."""
    texts = list(texts)
    kiwi = _instance()
    filled = [i for i, t in enumerate(texts) if t and t.strip()]
    results: list[list[str]] = [[] for _ in texts]
    for i, tokens in zip(filled, kiwi.tokenize([texts[i] for i in filled])):
        results[i] = _terms(tokens)
    yield from results
