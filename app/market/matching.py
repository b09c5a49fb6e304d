"""Matching firms' needs and suppliers' capabilities: text through ``app.matching``, plus structure.

Pure like ``scoring/``: no Flask, no database. A listing becomes a ``Profile`` (its texts by
field, and the places and industries it names); a ``Matcher`` indexes one side once (BM25 over
Korean nouns, the engine reviewer recommendations use) and ranks the other side's profiles
against it. Text decides what is a match at all; structure moves matches up:

- the same industrial complex (a need's complex, a supplier's reference sites or regions
  naming it), ``COMPLEX_BOOST``;
- the same region (a need's region or its complex's, a region the supplier serves), ``REGION_BOOST``;
- the same industry (a need's industry among the supplier's industries), ``INDUSTRY_BOOST``.

A boost raises a match's own text score by its share (``Pool.rank``): structure decides between
close matches, and never turns a weak match into a strong one. Each suggestion carries its reasons, structure first, then the text
terms that added most, which the page renders as "같은 산업단지 · 사출성형 · 불량 · 검출".

Place names are written more than one way (a complex's long and short names): the pairs live in
``app/reference/place_variants.csv`` (``long,short``), and ``norm`` writes every long form short.
"""
from __future__ import annotations

import re
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # numpy itself is imported by the code that ranks: a web process never does
    import numpy as np

from app.core import reference
from app.matching import Pool, tokenise


def _np():
    """numpy, imported on first use (the web process reads stored rankings and never loads it)."""
    import numpy

    return numpy


COMPLEX_BOOST = 0.4
REGION_BOOST = 0.3
INDUSTRY_BOOST = 0.4
TERMS_SHOWN = 3

# Field weights of each side when it is the pool. A supplier is known by its solutions, a need by
# its process and problem; titles are short and pointed, reference sites and data are context.
CAPABILITY_WEIGHTS = {"title": 2.0, "solutions": 2.0, "industries": 1.5, "references": 1.0}
NEED_WEIGHTS = {"title": 2.0, "process": 2.0, "problem": 1.5, "industry": 1.5, "data": 0.5}


@dataclass(frozen=True)
class Profile:
    """One listing as matching sees it."""

    key: Hashable
    org_id: int
    fields: Mapping[str, str]
    complexes: frozenset[str] = frozenset()
    regions: frozenset[str] = frozenset()
    industries: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Suggestion:
    key: Hashable
    org_id: int
    score: float
    # ("complex" | "region" | "industry" | "term", value), structure first.
    reasons: tuple[tuple[str, str], ...] = field(default=())


def split_list(text: str | None) -> list[str]:
    """A comma- (or line-, or 、·/-) separated list as typed: "기계, 자동차 부품" → ["기계", "자동차 부품"]."""
    return [part.strip() for part in re.split(r"[,\n;/·、]", text or "") if part.strip()]


def norm(value: str) -> str:
    """What two spellings of one place or industry share: no spaces, every long form written short."""
    out = re.sub(r"\s+", "", value or "")
    for long, short in reference.place_variants():
        out = out.replace(long, short)
    return out


def _names(values: Iterable[str]) -> frozenset[str]:
    return frozenset(n for n in (norm(v) for v in values) if n)


def need_profile(need, complex_name: str = "", complex_region: str = "") -> Profile:
    """A need (any object with the ``Need`` columns): its complex, region and industry."""
    return Profile(
        key=need.id, org_id=need.organisation_id,
        fields={"title": need.title, "process": need.process or "", "problem": need.problem or "",
                "industry": need.industry or "", "data": need.data_available or ""},
        complexes=_names([complex_name]), regions=_names([need.region or "", complex_region]),
        industries=_names([need.industry or ""]),
    )


def capability_profile(capability, known_complexes: Iterable[str] = (), org_region: str = "") -> Profile:
    """A capability: the complexes its reference sites or regions name (of ``known_complexes``),
    the regions it serves (its organisation's own when it lists none), its industries."""
    served = split_list(capability.regions)
    where = norm(f"{capability.reference_sites or ''} {capability.regions or ''}")
    named = [c for c in known_complexes if norm(c) and norm(c) in where]
    return Profile(
        key=capability.id, org_id=capability.organisation_id,
        fields={"title": capability.title, "solutions": capability.solutions or "",
                "references": capability.reference_sites or "", "industries": capability.industries or ""},
        complexes=_names(named), regions=_names(served or [org_region]),
        industries=_names(split_list(capability.industries)),
    )


def proposal_profile(title: str, texts: Iterable[str], complex_name: str = "", region: str = "",
                     industries: str = "") -> Profile:
    """A draft proposal looking for members: its texts, target complex and strategic industries."""
    return Profile(key=None, org_id=0, fields={"title": title, "text": "\n".join(t for t in texts if t),
                                               "industries": industries},
                   complexes=_names([complex_name]), regions=_names([region]),
                   industries=_names(split_list(industries)))


class Matcher:
    """One side indexed (capabilities, or needs), ranked against profiles of the other side."""

    def __init__(self, profiles: Iterable[Profile], weights: Mapping[str, float], *,
                 terms: Mapping[Hashable, Mapping[str, list[str]]] | None = None, boosts: bool = True):
        self.profiles = {p.key: p for p in profiles}
        documents = terms if terms is not None else tokenise({k: p.fields for k, p in self.profiles.items()})
        self.pool = Pool.from_terms({k: documents[k] for k in self.profiles}, weights)
        self.boosts = boosts
        self._holders = {kind: self._inverted(kind) for kind in ("complexes", "regions", "industries")}
        self._keys_of_org: dict[int, list] = {}
        for key, profile in self.profiles.items():
            self._keys_of_org.setdefault(profile.org_id, []).append(key)

    def _inverted(self, kind: str) -> dict[str, np.ndarray]:
        holders: dict[str, list[int]] = {}
        for i, key in enumerate(self.pool.keys):
            for name in getattr(self.profiles[key], kind):
                holders.setdefault(name, []).append(i)
        return {name: _np().array(ix, dtype=_np().int64) for name, ix in holders.items()}

    def _boost(self, query: Profile) -> np.ndarray | None:
        if not self.boosts:
            return None
        boost = _np().zeros(len(self.pool.keys), dtype=_np().float64)
        for kind, weight in (("complexes", COMPLEX_BOOST), ("regions", REGION_BOOST),
                             ("industries", INDUSTRY_BOOST)):
            hit = _np().zeros(len(self.pool.keys), dtype=bool)
            for name in getattr(query, kind):
                index = self._holders[kind].get(name)
                if index is not None:
                    hit[index] = True
            boost += weight * hit  # once per kind, however many names both share
        return boost

    def rank(self, query: Profile, top: int = 10, exclude_orgs: Iterable[int] = (),
             terms: list[str] | None = None) -> list[Suggestion]:
        """The ``top`` best profiles for ``query``, never one of ``exclude_orgs`` (the asker's own).
        ``terms``: the query's terms when the caller tokenised it already (``rank_many``)."""
        exclude = [key for org in set(exclude_orgs) for key in self._keys_of_org.get(org, ())]
        if terms is None:
            matches = self.pool.rank(query.fields, top=top, exclude=exclude, boost=self._boost(query))
        else:
            matches = self.pool.rank_terms(terms, top=top, exclude=exclude, boost=self._boost(query))
        return [Suggestion(m.key, self.profiles[m.key].org_id, m.score,
                           self.reasons(query, self.profiles[m.key], m.terms)) for m in matches]

    def rank_many(self, queries: list[Profile], top: int = 10) -> list[list[Suggestion]]:
        """Each query ranked (its own organisation left out), tokenised in one Kiwi batch, each
        distinct field text once (industries, processes and regions recur across needs)."""
        fields = tokenise({i: q.fields for i, q in enumerate(queries)})
        return [self.rank(q, top, exclude_orgs={q.org_id}, terms=[t for ts in fields[i].values() for t in ts])
                for i, q in enumerate(queries)]

    def reasons(self, query: Profile, found: Profile, terms: Iterable[str]) -> tuple[tuple[str, str], ...]:
        out: list[tuple[str, str]] = []
        if self.boosts and query.complexes & found.complexes:
            out.append(("complex", ""))
        if self.boosts and query.regions & found.regions:
            out.append(("region", sorted(query.regions & found.regions)[0]))
        shared_industry = query.industries & found.industries
        if self.boosts and shared_industry:
            out.append(("industry", sorted(shared_industry)[0]))
        said = {value for _, value in out}
        out += [("term", t) for t in terms if t not in said][:TERMS_SHOWN]
        return tuple(out)


def rank_suppliers(need: Profile, capabilities: Iterable[Profile], top: int = 10, **kw) -> list[Suggestion]:
    """Capabilities for one need (one-off: a page builds its ``Matcher`` once for many)."""
    return Matcher(capabilities, CAPABILITY_WEIGHTS, **kw).rank(need, top, exclude_orgs={need.org_id})


def rank_needs(capability: Profile, needs: Iterable[Profile], top: int = 10, **kw) -> list[Suggestion]:
    return Matcher(needs, NEED_WEIGHTS, **kw).rank(capability, top, exclude_orgs={capability.org_id})
