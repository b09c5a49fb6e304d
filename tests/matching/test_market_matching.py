"""Firm–supplier matching (app/market/matching.py) on a labelled set: the right suppliers come first."""
from __future__ import annotations

from dataclasses import replace

import pytest

import app.matching.index as engine
from app.market.matching import (
    CAPABILITY_WEIGHTS, Matcher, Profile, capability_profile, need_profile, rank_needs, rank_suppliers, split_list,
)
from tests.matching.market_set import CAPABILITIES, COMPLEXES, EXPECTED, NEEDS


def _needs():
    return [need_profile(n, n.complex_name, COMPLEXES[n.complex_name]) for n in NEEDS]


def _capabilities():
    return [capability_profile(c, COMPLEXES) for c in CAPABILITIES]


def _misses(matcher: Matcher) -> dict[int, list]:
    """Needs whose expected suppliers are not all in the top 3, with what came instead."""
    out = {}
    for need in _needs():
        top = [s.key for s in matcher.rank(need, top=3, exclude_orgs={need.org_id})]
        if not EXPECTED[need.key] <= set(top):
            out[need.key] = top
    return out


def test_the_set_is_the_size_it_says():
    assert len(NEEDS) == 12 and len(CAPABILITIES) == 30 and set(EXPECTED) == {n.id for n in NEEDS}


@pytest.mark.parametrize("need", NEEDS, ids=lambda n: f"need{n.id}")
def test_the_expected_suppliers_rank_in_the_top_three(need):
    query = need_profile(need, need.complex_name, COMPLEXES[need.complex_name])
    top = [s.key for s in rank_suppliers(query, _capabilities(), top=3)]
    assert EXPECTED[need.id] <= set(top), top


def test_without_the_structured_signals_the_set_is_missed():
    # Need 1's text says "외관 불량" like the wafer and panel inspectors; only the complex, the
    # region and the industry put the local injection-moulding suppliers first.
    misses = _misses(Matcher(_capabilities(), CAPABILITY_WEIGHTS, boosts=False))
    assert 1 in misses
    assert _misses(Matcher(_capabilities(), CAPABILITY_WEIGHTS)) == {}


def test_without_the_korean_tokeniser_the_set_is_missed(monkeypatch):
    # Words split at spaces keep their particles ("불량을"), and the matches fall apart.
    monkeypatch.setattr(engine, "nouns", lambda text: (text or "").split())
    monkeypatch.setattr(engine, "nouns_many", lambda texts: iter([(t or "").split() for t in texts]))
    assert _misses(Matcher(_capabilities(), CAPABILITY_WEIGHTS)) != {}


def test_a_match_is_explained_structure_first_then_terms():
    need = _needs()[0]  # 창원국가산단, 자동차 부품, 사출성형 외관 불량
    first = rank_suppliers(need, _capabilities(), top=1)[0]
    assert first.key == 1
    kinds = [kind for kind, _ in first.reasons]
    assert kinds[:3] == ["complex", "region", "industry"]
    assert ("region", "경남") in first.reasons and ("industry", "자동차부품") in first.reasons
    terms = [value for kind, value in first.reasons if kind == "term"]
    assert "사출" in terms and 1 <= len(terms) <= 3


def test_a_supplier_finds_the_needs_it_serves():
    needs = _needs()
    for cap in _capabilities():
        expected = {n for n, caps in EXPECTED.items() if cap.key in caps}
        if expected:
            top = [s.key for s in rank_needs(cap, needs, top=3)]
            assert expected <= set(top), (cap.key, top)


def test_the_askers_own_listings_are_never_suggested():
    caps = _capabilities()
    need = _needs()[0]
    own = next(c for c in caps if c.key == 1)
    mine = replace(need, org_id=own.org_id)  # the supplier's own need
    assert 1 not in [s.key for s in rank_suppliers(mine, caps, top=10)]


def test_unrelated_listings_are_no_suggestion():
    need = _needs()[0]
    assert rank_suppliers(need, [capability_profile(CAPABILITIES[-1], COMPLEXES)], top=5) != []
    nothing = Profile(key=99, org_id=1, fields={"title": "배"})
    assert rank_suppliers(nothing, _capabilities(), top=5) == []


def test_lists_are_split_as_typed():
    assert split_list("기계, 자동차 부품\n로봇·방산") == ["기계", "자동차 부품", "로봇", "방산"]
    assert split_list("") == [] and split_list(None) == []
