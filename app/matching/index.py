"""BM25 over a pool of documents: built once, then any query document scored against all.

A document is a text or a mapping of fields to texts. Fields are weighted (BM25F's simple
form): a term's frequency in a field counts ``weight`` times, and the document's length is
the weighted sum too, so "디지털트윈" among a reviewer's declared expertise keywords can
outweigh it in an old project title.

The index is inverted: for each term, the documents holding it and their term weight with
the IDF already folded in (numpy arrays). Ranking a query is then one vector addition per
query term — what keeps 300 proposals against 10,000 profiles well under a second.
"""
from __future__ import annotations

import heapq
import math
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # numpy itself is imported by the code that ranks: a web process never does
    import numpy as np

from app.matching.explain import top_terms
from app.matching.tokens import nouns, nouns_many


def _np():
    """numpy, imported on first use (the web process reads stored rankings and never loads it)."""
    import numpy

    return numpy


K1 = 1.2
B = 0.75
TEXT = "text"  # the field name of a document given as one text


@dataclass(frozen=True, slots=True)
class Match:
    key: Hashable
    score: float
    terms: tuple[str, ...]  # the shared terms that contributed most, most first


def _fields(document) -> dict[str, str]:
    if document is None:
        return {}
    if isinstance(document, str):
        return {TEXT: document}
    if isinstance(document, Mapping):
        return {name: _joined(value) for name, value in document.items()}
    raise TypeError("a document is a text or a mapping of field names to texts")


def _joined(value) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    # A list of keywords or project titles: one line each, so no two run together.
    return "\n".join(str(v) for v in value if v)


def query_text(query) -> str:
    """A query document (a text or fields) as the one text its terms are taken from."""
    return "\n".join(_fields(query).values())


def tokenise(documents: Mapping[Hashable, str | Mapping[str, str | Iterable[str]]]) -> dict[Hashable, dict[str, list[str]]]:
    """Each document's terms per field (key → field → terms), ready for ``Pool.from_terms``."""
    fields = {key: _fields(document) for key, document in documents.items()}
    # Each distinct text is tokenised once, all in one batch (Kiwi's fast path): the same
    # department, keyword list or project title recurs across a pool.
    texts = list(dict.fromkeys(text for f in fields.values() for text in f.values()))
    terms_of = dict(zip(texts, nouns_many(texts)))
    return {key: {name: terms_of[text] for name, text in f.items()} for key, f in fields.items()}


class Pool:
    """The documents to rank (reviewer profiles, suppliers), indexed for BM25."""

    def __init__(self, keys: list, postings: dict[str, tuple[np.ndarray, np.ndarray]]):
        self.keys = keys
        self._postings = postings
        self._position = {key: i for i, key in enumerate(keys)}

    def __len__(self) -> int:
        return len(self.keys)

    @classmethod
    def build(cls, documents: Mapping[Hashable, str | Mapping[str, str | Iterable[str]]],
              weights: Mapping[str, float] | None = None, k1: float = K1, b: float = B) -> Pool:
        """Index ``documents`` (key → text or fields). ``weights`` per field name, default 1."""
        return cls.from_terms(tokenise(documents), weights, k1, b)

    @classmethod
    def from_terms(cls, documents: Mapping[Hashable, Sequence[str] | Mapping[str, Sequence[str]]],
                   weights: Mapping[str, float] | None = None, k1: float = K1, b: float = B) -> Pool:
        """Index documents already tokenised (``tokenise``'s output, kept with each profile),
        which skips Kiwi: tokenising 10,000 profiles takes seconds, indexing them does not."""
        weights = dict(weights or {})
        if any(w < 0 for w in weights.values()) or k1 < 0 or not 0 <= b <= 1:
            raise ValueError("field weights and k1 must not be negative, b lies in [0, 1]")
        keys = list(documents)
        per_doc: list[Counter] = []
        for key in keys:
            fields = documents[key]
            if not isinstance(fields, Mapping):
                fields = {TEXT: fields or ()}
            counts = Counter()
            for name, terms in fields.items():
                weight = float(weights.get(name, 1.0))
                for term in terms if weight else ():
                    counts[term] += weight
            per_doc.append(counts)

        lengths = _np().array([sum(c.values()) for c in per_doc], dtype=_np().float64)
        average = float(lengths.mean()) if len(keys) and lengths.mean() > 0 else 1.0
        norm = k1 * (1 - b + b * lengths / average)
        holders: dict[str, list[int]] = {}
        for i, counts in enumerate(per_doc):
            for term in counts:
                holders.setdefault(term, []).append(i)
        total = len(keys)
        postings = {}
        for term, docs in holders.items():
            idf = math.log(1 + (total - len(docs) + 0.5) / (len(docs) + 0.5))
            index = _np().array(docs, dtype=_np().int64)
            tf = _np().array([per_doc[i][term] for i in docs], dtype=_np().float64)
            postings[term] = (index, idf * tf * (k1 + 1) / (tf + norm[index]))
        return cls(keys, postings)

    def rank(self, query, top: int = 10, exclude: Iterable[Hashable] = (),
             boost: np.ndarray | None = None) -> list[Match]:
        """The ``top`` documents best matching ``query`` (a text or fields), best first.

        Only documents sharing at least one term are returned: an empty or unrelated
        profile is no recommendation, whatever room is left. Ties keep the pool's order.

        ``boost`` (one number per document, in the pool's order) weighs in evidence the text
        cannot carry, such as the same industrial complex: a document's text score is raised by
        that share (0.3: 30 % more). Relative, so it moves good matches past close ones without
        lifting a weak match over a strong one, and never brings in a document sharing no term.
        """
        if top <= 0 or not self.keys:
            return []
        return self.rank_terms(self.query_terms(query), top, exclude, boost)

    def rank_terms(self, terms: Sequence[str], top: int = 10, exclude: Iterable[Hashable] = (),
                   boost: np.ndarray | None = None) -> list[Match]:
        """``rank`` for a query already tokenised (many queries go through Kiwi in one batch)."""
        terms = [t for t in dict.fromkeys(terms) if t in self._postings]
        if top <= 0 or not terms:
            return []
        scores = _np().zeros(len(self.keys), dtype=_np().float64)
        for term in terms:
            index, contribution = self._postings[term]
            scores[index] += contribution  # a term's documents are distinct: no lost updates
        if boost is not None:
            scores *= 1.0 + boost
        excluded = [self._position[k] for k in exclude if k in self._position]
        scores[excluded] = 0.0
        candidates = _np().flatnonzero(scores > 0)
        if len(candidates) > top:
            # argpartition narrows to the best ``top`` before the exact, stable sort.
            cut = candidates[_np().argpartition(-scores[candidates], top - 1)[:top]]
            threshold = scores[cut].min()
            candidates = _np().flatnonzero(scores >= threshold)
        best = heapq.nsmallest(top, candidates.tolist(), key=lambda i: (-scores[i], i))
        relevance = [float(scores[i]) for i in best]  # float ok: BM25 relevance, neither money nor points
        return [Match(self.keys[i], r, self._explain(i, terms)) for i, r in zip(best, relevance)]

    def query_terms(self, query) -> list[str]:
        """The distinct terms of ``query`` that some document of the pool holds."""
        return [t for t in dict.fromkeys(nouns(query_text(query))) if t in self._postings]

    def _explain(self, doc: int, terms: list[str]) -> tuple[str, ...]:
        contributions = {}
        for term in terms:
            index, contribution = self._postings[term]
            at = _np().searchsorted(index, doc)
            if at < len(index) and index[at] == doc:
                contributions[term] = float(contribution[at])
        return top_terms(contributions)
