"""Automatic (정량) criteria: points computed from a proposal's structured facts.

Each rule returns its points as an exact fraction (numerator, denominator) rather than a
Decimal, because ``max × n / target`` may not terminate (10 × 2 / 3) and the contract
wants the total computed exactly before its single rounding.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import ClassVar, NamedTuple, Union

from .errors import ScoringInputError
from .values import ZERO, quotient, to_decimal, to_int

MAX_TARGET = 1_000_000


class AutoScore(NamedTuple):
    """Points of one automatic criterion for one proposal, with the fact behind them.

    ``numerator / denominator`` are the exact points; the denominator is the rule's
    (its target, or 1), the same for every proposal, so the engine can add a call's
    automatic points over one common denominator.

    ``detail`` holds what an explanation needs: for coverage ``distinct``, ``target`` and
    ``missing_required``; for count ``target``; for steps the matched ``threshold`` and
    ``ratio`` (absent when no step matched); ``missing`` when the fact was not given.
    """

    numerator: Decimal
    denominator: int
    fact: str
    value: object
    detail: Mapping[str, object]

    @property
    def points(self) -> Decimal:
        return self.numerator if self.denominator == 1 else quotient(self.numerator, self.denominator)


def _missing(fact: str, denominator: int) -> AutoScore:
    return AutoScore(ZERO, denominator, fact, None, {"missing": True})


def _check_fact_name(fact: object) -> str:
    if not isinstance(fact, str) or not fact:
        raise ScoringInputError("rule.fact must be a non-empty string")
    return fact


@dataclass(frozen=True, slots=True)
class CoverageRule:
    """``max × min(n, target) / target`` for n distinct values; 0 if a required one is absent."""

    fact: str
    target: int
    required: tuple[str, ...] = ()
    type: ClassVar[str] = "coverage"

    @property
    def denominator(self) -> int:
        return self.target

    def __post_init__(self) -> None:
        _check_fact_name(self.fact)
        to_int(self.target, "rule.target", minimum=1, maximum=MAX_TARGET)
        if isinstance(self.required, str) or not all(isinstance(value, str) for value in self.required):
            raise ScoringInputError("rule.required must be a list of strings")
        object.__setattr__(self, "required", tuple(self.required))

    def score(self, max_points: Decimal, facts: Mapping[str, object]) -> AutoScore:
        value = facts.get(self.fact)
        if value is None:
            return _missing(self.fact, self.denominator)
        if not isinstance(value, (list, tuple)) or not all(isinstance(item, str) for item in value):
            raise ScoringInputError(f"fact {self.fact} must be a list of strings")
        distinct = set(value)
        missing = [item for item in self.required if item not in distinct]
        detail = {"distinct": len(distinct), "target": self.target, "missing_required": missing}
        if missing:
            return AutoScore(ZERO, self.target, self.fact, value, detail)
        return AutoScore(max_points * min(len(distinct), self.target), self.target, self.fact, value, detail)


@dataclass(frozen=True, slots=True)
class CountRule:
    """``max × min(value, target) / target``."""

    fact: str
    target: int
    type: ClassVar[str] = "count"

    @property
    def denominator(self) -> int:
        return self.target

    def __post_init__(self) -> None:
        _check_fact_name(self.fact)
        to_int(self.target, "rule.target", minimum=1, maximum=MAX_TARGET)

    def score(self, max_points: Decimal, facts: Mapping[str, object]) -> AutoScore:
        raw = facts.get(self.fact)
        if raw is None:
            return _missing(self.fact, self.denominator)
        value = to_decimal(raw, f"fact {self.fact}", minimum=0)
        return AutoScore(
            max_points * min(value, self.target), self.target, self.fact, raw, {"target": self.target}
        )


@dataclass(frozen=True, slots=True)
class StepsRule:
    """``max × ratio`` of the first ``(threshold, ratio)`` step, in the order given, that the value reaches."""

    fact: str
    steps: tuple[tuple[Decimal, Decimal], ...]
    type: ClassVar[str] = "steps"
    denominator: ClassVar[int] = 1

    def __post_init__(self) -> None:
        _check_fact_name(self.fact)
        if not isinstance(self.steps, (list, tuple)):
            raise ScoringInputError("rule.steps must be a list of [threshold, ratio] pairs")
        steps = []
        for step in self.steps:
            if not isinstance(step, (list, tuple)) or len(step) != 2:
                raise ScoringInputError("rule.steps must be a list of [threshold, ratio] pairs")
            threshold = to_decimal(step[0], "step threshold")
            ratio = to_decimal(step[1], "step ratio", minimum=0, maximum=1)
            steps.append((threshold, ratio))
        object.__setattr__(self, "steps", tuple(steps))

    def score(self, max_points: Decimal, facts: Mapping[str, object]) -> AutoScore:
        raw = facts.get(self.fact)
        if raw is None:
            return _missing(self.fact, self.denominator)
        value = to_decimal(raw, f"fact {self.fact}")
        for threshold, ratio in self.steps:
            if value >= threshold:
                detail = {"threshold": threshold, "ratio": ratio}
                return AutoScore(max_points * ratio, 1, self.fact, raw, detail)
        return AutoScore(ZERO, 1, self.fact, raw, {})


Rule = Union[CoverageRule, CountRule, StepsRule]
RULE_TYPES: dict[str, type[CoverageRule] | type[CountRule] | type[StepsRule]] = {
    cls.type: cls for cls in (CoverageRule, CountRule, StepsRule)
}
