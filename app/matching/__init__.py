"""The expertise-matching engine: Korean nouns, BM25, and the terms a match rests on.

Pure like ``scoring/``: no Flask, no database. Reviewer recommendations (a candidate's
expertise against a proposal) and firm–supplier matching build a ``Pool`` once and rank
query documents against it::

    pool = Pool.build({7: {"keywords": "디지털트윈, 예지보전", "projects": "..."}},
                      weights={"keywords": 3.0, "projects": 1.0})
    pool.rank("디지털트윈을 활용한 스마트팩토리", top=15, exclude={12})
"""
from app.matching.explain import describe
from app.matching.index import Match, Pool, tokenise
from app.matching.tokens import add_words, nouns

__all__ = ["Match", "Pool", "add_words", "describe", "nouns", "tokenise"]
