"""Typed inputs and outputs of the engine.

Constructors coerce and check their own fields (a string "30" becomes Decimal("30"); a
float is refused), so the web app building them from database rows and the JSON reader
share one set of checks. Review points are the exception: they are checked while
evaluating, where the rubric they must fit is known and where the work is done anyway.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Literal, NamedTuple

from .errors import ScoringInputError
from .rules import RULE_TYPES, AutoScore, Rule
from .values import MAX_DECIMALS, ZERO, looks_numeric, to_decimal, to_instant, to_int

SUBMITTED_AT = "submitted_at"
CRITERION_PREFIX = "criterion:"


def _non_empty_str(value: object, what: str) -> str:
    if not isinstance(value, str) or not value:
        raise ScoringInputError(f"{what} must be a non-empty string")
    return value


@dataclass(frozen=True, slots=True)
class Criterion:
    """A rubric line (평가항목): reviewers score it, or ``rule`` computes it from facts."""

    key: str
    label: str
    max_points: Decimal
    rule: Rule | None = None

    def __post_init__(self) -> None:
        _non_empty_str(self.key, "criterion key")
        try:
            if not isinstance(self.label, str):
                raise ScoringInputError("label must be a string")
            object.__setattr__(self, "max_points", to_decimal(self.max_points, "max_points", minimum=0))
            if self.rule is not None and not isinstance(self.rule, tuple(RULE_TYPES.values())):
                raise ScoringInputError("rule must be a CoverageRule, CountRule or StepsRule")
        except ScoringInputError as error:
            raise error.at(criterion=self.key) from None

    @property
    def kind(self) -> Literal["review", "auto"]:
        return "review" if self.rule is None else "auto"


@dataclass(frozen=True, slots=True)
class Rubric:
    """Criteria in display order, optional grade letters (ratio of max) and bonus cap."""

    criteria: Sequence[Criterion]
    grades: Mapping[str, Decimal] = field(default_factory=dict)
    bonus_cap: Decimal | None = None

    def __post_init__(self) -> None:
        criteria = tuple(self.criteria)
        if not criteria:
            raise ScoringInputError("a rubric needs at least one criterion", field="rubric.criteria")
        seen: set[str] = set()
        for criterion in criteria:
            if not isinstance(criterion, Criterion):
                raise ScoringInputError("criteria must be Criterion objects", field="rubric.criteria")
            if criterion.key in seen:
                raise ScoringInputError("duplicate criterion key", criterion=criterion.key)
            seen.add(criterion.key)
        object.__setattr__(self, "criteria", criteria)
        grades = {}
        for letter, ratio in dict(self.grades).items():
            _non_empty_str(letter, "grade letter")
            if looks_numeric(letter):
                # A grade "1" could not be told apart from one point.
                raise ScoringInputError(f"grade letter {letter!r} looks like a number", field="rubric.grades")
            grades[letter] = to_decimal(ratio, f"grade {letter}", minimum=0, maximum=1)
        object.__setattr__(self, "grades", grades)
        if self.bonus_cap is not None:
            cap = to_decimal(self.bonus_cap, "bonus_cap", minimum=0)
            object.__setattr__(self, "bonus_cap", cap)

    @property
    def review_criteria(self) -> tuple[Criterion, ...]:
        return tuple(c for c in self.criteria if c.rule is None)

    @property
    def auto_criteria(self) -> tuple[Criterion, ...]:
        return tuple(c for c in self.criteria if c.rule is not None)

    def criterion(self, key: str) -> Criterion:
        for c in self.criteria:
            if c.key == key:
                return c
        raise KeyError(key)


@dataclass(frozen=True, slots=True)
class Policy:
    """How totals become a pass, a rank and a selection for one call."""

    trim_from: int
    pass_mark: Decimal
    awards: int
    decimals: int = 2
    tie_breaks: Sequence[str] = ()
    criterion_floor: Decimal | None = None
    one_per: str | None = None
    budget_cap: Decimal | None = None

    def __post_init__(self) -> None:
        def check(name: str, make: Callable[[object, str], object]) -> None:
            try:
                object.__setattr__(self, name, make(getattr(self, name), name))
            except ScoringInputError as error:
                raise error.at(field=f"policy.{name}") from None

        # Below 3 sheets, dropping the highest and the lowest would leave nothing to average.
        check("trim_from", lambda v, n: to_int(v, n, minimum=3))
        check("pass_mark", lambda v, n: to_decimal(v, n))
        check("awards", lambda v, n: to_int(v, n, minimum=0))
        check("decimals", lambda v, n: to_int(v, n, minimum=0, maximum=MAX_DECIMALS))
        check("tie_breaks", lambda v, n: _tie_breaks(v))
        if self.criterion_floor is not None:
            check("criterion_floor", lambda v, n: to_decimal(v, n, minimum=0, maximum=1))
        if self.one_per is not None:
            check("one_per", lambda v, n: _non_empty_str(v, n))
        if self.budget_cap is not None:
            check("budget_cap", lambda v, n: to_decimal(v, n, minimum=0))


def _tie_breaks(raw: object) -> tuple[str, ...]:
    if isinstance(raw, str) or not isinstance(raw, Sequence):
        raise ScoringInputError("tie_breaks must be a list")
    for item in raw:
        if item != SUBMITTED_AT and not (
            isinstance(item, str) and item.startswith(CRITERION_PREFIX) and len(item) > len(CRITERION_PREFIX)
        ):
            raise ScoringInputError(f"unknown tie-break {item!r}: use 'criterion:KEY' or 'submitted_at'")
    return tuple(raw)


class Sheet(NamedTuple):
    """One reviewer's 평가표 for one proposal.

    ``points`` maps every review criterion key to a Decimal, an int, a decimal string
    such as "27.5", or a grade letter of the rubric. A named tuple rather than a
    dataclass: a call has tens of thousands of sheets and they are built per evaluation.
    """

    reviewer: str
    points: Mapping[str, Decimal | int | str]


@dataclass(frozen=True, slots=True)
class ProposalInput:
    """What the engine needs of one proposal.

    ``fields`` holds the proposal attributes a policy may name in ``one_per``, such as
    ``{"complex": "창원국가산업단지"}``.
    """

    id: str
    # None when the policy has no budget_cap: the contract needs a budget only to apply one.
    budget: Decimal | None
    submitted_at: datetime
    reviews: Sequence[Sheet] = ()
    facts: Mapping[str, object] = field(default_factory=dict)
    bonus: Decimal = ZERO
    deduction: Decimal = ZERO
    fields: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        _non_empty_str(self.id, "proposal id")
        try:
            if self.budget is not None:
                object.__setattr__(self, "budget", to_decimal(self.budget, "budget", minimum=0))
            object.__setattr__(self, "submitted_at", to_instant(self.submitted_at, "submitted_at"))
            object.__setattr__(self, "bonus", to_decimal(self.bonus, "bonus", minimum=0))
            object.__setattr__(self, "deduction", to_decimal(self.deduction, "deduction", minimum=0))
            object.__setattr__(self, "reviews", tuple(self.reviews))
            if not isinstance(self.facts, Mapping):
                raise ScoringInputError("facts must be an object")
            if not isinstance(self.fields, Mapping):
                raise ScoringInputError("fields must be an object")
        except ScoringInputError as error:
            raise error.at(proposal=self.id) from None


class SheetTotal(NamedTuple):
    """A sheet's total over the review criteria, and whether trimming dropped it."""

    reviewer: str
    total: Decimal
    dropped: Literal["highest", "lowest"] | None = None


@dataclass(frozen=True, slots=True)
class Score:
    """Everything computed for one proposal before ranking.

    Figures are exact (to 100 significant digits where a division does not terminate);
    only ``total`` is rounded, as the contract says.
    """

    proposal: ProposalInput
    criteria: Mapping[str, Decimal]
    auto: Mapping[str, AutoScore]
    sheets: tuple[SheetTotal, ...]
    qualitative: Decimal
    automatic: Decimal
    bonus: Decimal
    total_exact: Decimal
    total: Decimal
    fail_reason: str | None

    @property
    def id(self) -> str:
        return self.proposal.id

    @property
    def passed(self) -> bool:
        return self.fail_reason is None

    @property
    def dropped_reviewers(self) -> tuple[str, ...]:
        """``(highest, lowest)`` or ``()``, the contract's order."""
        by_kind = {s.dropped: s.reviewer for s in self.sheets if s.dropped}
        return (by_kind["highest"], by_kind["lowest"]) if by_kind else ()


SkipKind = Literal["not passed", "awards filled", "one per", "budget cap"]


@dataclass(frozen=True, slots=True)
class Result:
    """A ranked proposal and the selection's verdict on it.

    ``reason`` is the contract's string; ``skipped`` says the same as a code, with
    ``conflict_with`` (the selected proposal sharing the ``one_per`` value) and
    ``budget_before`` (budget already selected when this one was reached) for
    explanations.
    """

    score: Score
    rank: int
    selected: bool
    reason: str | None
    skipped: SkipKind | None = None
    conflict_with: str | None = None
    budget_before: Decimal = ZERO

    @property
    def id(self) -> str:
        return self.score.proposal.id

    @property
    def total(self) -> Decimal:
        return self.score.total

    @property
    def passed(self) -> bool:
        return self.score.passed


def make_rule(raw: Mapping[str, object]) -> Rule:
    """A rule object from its contract form, e.g. ``{"type": "count", "fact": ..., "target": 10}``."""
    kind = raw.get("type")
    cls = RULE_TYPES.get(kind) if isinstance(kind, str) else None
    if cls is None:
        raise ScoringInputError(f"unknown rule type {kind!r}: use one of {', '.join(RULE_TYPES)}")
    args = {name: raw[name] for name in ("fact", "target", "required", "steps") if name in raw}
    try:
        return cls(**args)
    except TypeError:
        needed = {"coverage": "fact, target", "count": "fact, target", "steps": "fact, steps"}[kind]
        raise ScoringInputError(f"a {kind} rule takes {needed}") from None
