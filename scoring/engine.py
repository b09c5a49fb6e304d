"""Scoring one call: sheets → trimmed means, automatic points, total, pass or fail."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal, Inexact, localcontext
from itertools import repeat
from math import lcm
from operator import itemgetter

from .errors import ScoringInputError
from .model import CRITERION_PREFIX, Policy, ProposalInput, Result, Rubric, Score, SheetTotal
from .rules import AutoScore
from .select import check_selection_fields, rank_and_select
from .values import DIVISION, EXACT, ZERO, looks_numeric, quotient, round_half_up, show, to_decimal


def evaluate(rubric: Rubric, policy: Policy, proposals: Iterable[ProposalInput]) -> list[Result]:
    """Score, rank and select a call's proposals; results come in rank order."""
    return rank_and_select(score_all(rubric, policy, proposals), policy)


def score_all(rubric: Rubric, policy: Policy, proposals: Iterable[ProposalInput]) -> list[Score]:
    """Score every proposal, in the order given, without ranking them."""
    keys = {c.key for c in rubric.criteria}
    for tie_break in policy.tie_breaks:
        if tie_break.startswith(CRITERION_PREFIX) and tie_break[len(CRITERION_PREFIX):] not in keys:
            raise ScoringInputError(f"tie-break {tie_break!r} names no criterion of the rubric", field="policy.tie_breaks")
    scores = []
    seen: set[str] = set()
    with localcontext(EXACT):
        scorer = _Scorer(rubric, policy)
        for proposal in proposals:
            if not isinstance(proposal, ProposalInput):
                raise ScoringInputError("proposals must be ProposalInput objects")
            if proposal.id in seen:
                raise ScoringInputError("duplicate proposal id", proposal=proposal.id)
            seen.add(proposal.id)
            check_selection_fields(proposal, policy)
            try:
                scores.append(scorer.score(proposal))
            except Inexact:
                raise ScoringInputError("numbers too long to compute exactly", proposal=proposal.id) from None
    return scores


class _Scorer:
    """Per-call state: the review criteria, their value caches and the policy figures."""

    def __init__(self, rubric: Rubric, policy: Policy) -> None:
        self.rubric = rubric
        self.policy = policy
        self.review = rubric.review_criteria
        self.review_keys = tuple(c.key for c in self.review)
        self.review_key_set = frozenset(self.review_keys)
        self.auto = rubric.auto_criteria
        # A call has few distinct point strings ("27", "A", "8.5") but many sheets; each is
        # parsed and range-checked once per criterion, then looked up.
        self.caches: tuple[dict[object, Decimal], ...] = tuple({} for _ in self.review)
        keys = self.review_keys
        if len(keys) > 1:
            self.raw_points = itemgetter(*keys)
        elif keys:
            single = itemgetter(keys[0])
            self.raw_points = lambda points: (single(points),)
        else:
            self.raw_points = lambda points: ()
        self.floors = (
            tuple(policy.criterion_floor * c.max_points for c in self.review)
            if policy.criterion_floor is not None
            else None
        )
        # Automatic points share one denominator per call (the rules' targets), so the
        # total is one fraction whose single division is the only rounding before the
        # contract's: summing separately rounded quotients (1/3 + 2/3) could land a hair
        # below a half-way point that the exact total sits on.
        self.auto_common = lcm(*(c.rule.denominator for c in self.auto))
        self.auto_factors = tuple(self.auto_common // c.rule.denominator for c in self.auto)
        self.common_by_count: dict[int, tuple[int, int, int]] = {}
        self.rubric_keys = tuple(c.key for c in rubric.criteria)
        # Criteria are collected review ones first; the output keeps the rubric's order.
        self.reorder = self.rubric_keys != self.review_keys + tuple(c.key for c in self.auto)

    def _common(self, count: int) -> tuple[int, int, int]:
        """For ``count`` kept sheets: the total's denominator and the factors that bring
        the qualitative sum (over ``count``) and the automatic sum onto it."""
        found = self.common_by_count.get(count)
        if found is None:
            common = lcm(count, self.auto_common)
            found = self.common_by_count[count] = (common, common // count, common // self.auto_common)
        return found

    def score(self, proposal: ProposalInput) -> Score:
        pid = proposal.id
        rows: list[list[Decimal]] = []
        totals: list[Decimal] = []
        reviewers: list[str] = []
        caches = self.caches
        raw_points = self.raw_points
        size = len(self.review_keys)
        seen: set[str] = set()
        for sheet in proposal.reviews:
            try:
                reviewer, points = sheet
            except (TypeError, ValueError):
                raise ScoringInputError("each review must be a Sheet(reviewer, points)", proposal=pid) from None
            if not isinstance(reviewer, str) or not reviewer:
                raise ScoringInputError("each review needs a non-empty string reviewer id", proposal=pid)
            if reviewer in seen:
                raise ScoringInputError("duplicate reviewer on this proposal", proposal=pid, reviewer=reviewer)
            seen.add(reviewer)
            try:
                if len(points) != size:
                    raise KeyError
                # Only strings are cached, so an int, a Decimal, True (== 1) or a list
                # misses here and goes through the checks below.
                row = list(map(dict.__getitem__, caches, raw_points(points)))
            except (KeyError, TypeError):
                row = self._checked_points(pid, reviewer, points)
            rows.append(row)
            totals.append(sum(row, ZERO))
            reviewers.append(reviewer)

        dropped = self._trim(totals, reviewers)
        kept = [row for i, row in enumerate(rows) if i not in dropped] if dropped else rows
        count = len(kept)
        if count:
            sums = list(map(sum, zip(*kept))) if size else []
            criteria = dict(zip(self.review_keys, map(DIVISION.divide, sums, repeat(count))))
        else:
            sums = [ZERO] * size
            criteria = dict.fromkeys(self.review_keys, ZERO)
        qualitative_sum = sum(sums, ZERO)

        autos: dict[str, AutoScore] = {}
        automatic_sum = ZERO
        for criterion, factor in zip(self.auto, self.auto_factors):
            try:
                auto = criterion.rule.score(criterion.max_points, proposal.facts)
            except ScoringInputError as error:
                raise error.at(proposal=pid, criterion=criterion.key) from None
            autos[criterion.key] = auto
            criteria[criterion.key] = auto.points
            automatic_sum += auto.numerator * factor

        bonus = proposal.bonus
        if self.rubric.bonus_cap is not None and bonus > self.rubric.bonus_cap:
            bonus = self.rubric.bonus_cap
        common, qualitative_factor, automatic_factor = self._common(count or 1)
        total_exact = quotient(
            qualitative_sum * qualitative_factor
            + automatic_sum * automatic_factor
            + (bonus - proposal.deduction) * common,
            common,
        )
        total = round_half_up(total_exact, self.policy.decimals)
        if self.reorder:
            criteria = {key: criteria[key] for key in self.rubric_keys}

        return Score(
            proposal=proposal,
            criteria=criteria,
            auto=autos,
            sheets=tuple(map(SheetTotal, reviewers, totals, map(dropped.get, range(len(rows))))),
            qualitative=quotient(qualitative_sum, count) if count else ZERO,
            automatic=quotient(automatic_sum, self.auto_common),
            bonus=bonus,
            total_exact=total_exact,
            total=total,
            fail_reason=self._fail_reason(count, total, sums),
        )

    def _checked_points(self, pid: str, reviewer: str, points: object) -> list[Decimal]:
        """The sheet's points in rubric order, grades resolved, every criterion once, or
        the error that says what is wrong with them."""
        if not isinstance(points, Mapping) or len(points) != len(self.review_keys):
            self._sheet_shape_error(pid, reviewer, points)
        row = []
        for key, cache in zip(self.review_keys, self.caches):
            if key not in points:
                self._sheet_shape_error(pid, reviewer, points)
            raw = points[key]
            value = cache.get(raw) if raw.__class__ is str else None
            if value is None:
                value = self._point_value(pid, reviewer, key, raw, cache)
            row.append(value)
        return row

    def _point_value(self, pid: str, reviewer: str, key: str, raw: object, cache: dict[object, Decimal]) -> Decimal:
        criterion = self.review[self.review_keys.index(key)]
        grades = self.rubric.grades
        try:
            if isinstance(raw, str) and raw in grades:
                value = grades[raw] * criterion.max_points
            else:
                value = to_decimal(raw, "points", minimum=0, maximum=criterion.max_points)
        except ScoringInputError as error:
            if grades and isinstance(raw, str) and not looks_numeric(raw):
                error = ScoringInputError(f"points {show(raw)} are neither a number nor a grade ({', '.join(grades)})")
            raise error.at(proposal=pid, reviewer=reviewer, criterion=key) from None
        if isinstance(raw, str):
            cache[raw] = value
        return value

    def _sheet_shape_error(self, pid: str, reviewer: str, points: object) -> None:
        where = {"proposal": pid, "reviewer": reviewer}
        if not isinstance(points, Mapping):
            raise ScoringInputError("points must be an object of criterion → points", **where)
        for key in points:
            if key not in self.review_key_set:
                is_auto = any(c.key == key for c in self.auto)
                message = "automatic criterion takes no reviewer points" if is_auto else "unknown criterion"
                raise ScoringInputError(message, criterion=key, **where)
        missing = next(k for k in self.review_keys if k not in points)
        raise ScoringInputError("sheet does not score this criterion", criterion=missing, **where)

    def _trim(self, totals: list[Decimal], reviewers: list[str]) -> dict[int, str]:
        """Indexes of the dropped sheets: the highest, then the lowest of the rest.

        Among equal totals the smallest reviewer id is dropped, in both directions, so
        the outcome does not depend on the order sheets arrived in.
        """
        if len(totals) < self.policy.trim_from:
            return {}
        high = _first_reviewer(totals, reviewers, max(totals), None)
        rest = [t for i, t in enumerate(totals) if i != high]
        low = _first_reviewer(totals, reviewers, min(rest), high)
        return {high: "highest", low: "lowest"}

    def _fail_reason(self, count: int, total: Decimal, sums: list[Decimal]) -> str | None:
        if count == 0:
            return "no reviews"
        if total < self.policy.pass_mark:
            return "below pass mark"
        if self.floors is not None:
            for key, column_sum, floor in zip(self.review_keys, sums, self.floors):
                # sum/count < floor, without the division.
                if column_sum < floor * count:
                    return f"below criterion floor: {key}"
        return None


def _first_reviewer(totals: list[Decimal], reviewers: list[str], total: Decimal, skip: int | None) -> int:
    """Index of the smallest reviewer id among sheets with this total, ``skip`` aside."""
    best = -1
    for i, value in enumerate(totals):
        if value == total and i != skip and (best < 0 or reviewers[i] < reviewers[best]):
            best = i
    return best
