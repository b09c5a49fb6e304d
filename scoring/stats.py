"""Reviewer statistics for officers: who scores high or low compared with their panels."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, localcontext

from .model import Result, Score
from .values import DIVISION, ZERO, to_decimal

DEFAULT_Z = Decimal(2)


@dataclass(frozen=True, slots=True)
class SheetDeviation:
    """One sheet's total against the mean of all sheets on the same proposal."""

    proposal: str
    total: Decimal
    panel_mean: Decimal
    deviation: Decimal


@dataclass(frozen=True, slots=True)
class ReviewerStats:
    """A reviewer's sheet totals: count, mean, population standard deviation.

    ``mean_deviation`` is the mean of the reviewer's ``deviation``s: positive for a
    reviewer who scores above their panels. ``z`` places that lean among all
    reviewers' leans, ``(mean_deviation − μ) / σ`` over reviewers (population σ, and 0
    when every reviewer leans alike); ``flagged`` when ``|z|`` exceeds the threshold.
    """

    reviewer: str
    count: int
    mean: Decimal
    stdev: Decimal
    mean_deviation: Decimal
    z: Decimal
    flagged: bool
    sheets: tuple[SheetDeviation, ...]


def _mean(values: list[Decimal]) -> Decimal:
    return sum(values, ZERO) / len(values)


def _pstdev(values: list[Decimal], mean: Decimal) -> Decimal:
    return (sum(((v - mean) ** 2 for v in values), ZERO) / len(values)).sqrt()


def reviewer_stats(results: Iterable[Result | Score], z_threshold: Decimal | int | str = DEFAULT_Z) -> list[ReviewerStats]:
    """Statistics per reviewer over every sheet they submitted, dropped ones included.

    Trimming hides an outlying sheet from the score, which is exactly when an officer
    wants to see it, so dropped sheets count here.
    """
    threshold = to_decimal(z_threshold, "z threshold", minimum=0)
    by_reviewer: dict[str, list[SheetDeviation]] = {}
    with localcontext(DIVISION):
        for item in results:
            score = item.score if isinstance(item, Result) else item
            if not score.sheets:
                continue
            panel_mean = _mean([s.total for s in score.sheets])
            for sheet in score.sheets:
                by_reviewer.setdefault(sheet.reviewer, []).append(
                    SheetDeviation(score.proposal.id, sheet.total, panel_mean, sheet.total - panel_mean)
                )
        partial = []
        for reviewer in sorted(by_reviewer):
            sheets = by_reviewer[reviewer]
            totals = [s.total for s in sheets]
            mean = _mean(totals)
            partial.append((reviewer, sheets, mean, _pstdev(totals, mean), _mean([s.deviation for s in sheets])))
        if not partial:
            return []
        leans = [lean for *_, lean in partial]
        lean_mean = _mean(leans)
        lean_sd = _pstdev(leans, lean_mean)
        stats = []
        for reviewer, sheets, mean, sd, lean in partial:
            z = (lean - lean_mean) / lean_sd if lean_sd else ZERO
            stats.append(ReviewerStats(reviewer, len(sheets), mean, sd, lean, z, abs(z) > threshold, tuple(sheets)))
    return stats
