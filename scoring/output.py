"""Results in the contract's JSON form: figures as strings, rounded half-up for display."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from .model import Policy, Result
from .stats import ReviewerStats
from .values import round_half_up


def decimal_text(value: Decimal, decimals: int) -> str:
    return str(round_half_up(value, decimals))


def result_to_json(result: Result, decimals: int) -> dict[str, object]:
    score = result.score

    def text(value: Decimal, decimals: int = decimals) -> str:
        return str(round_half_up(value, decimals))

    return {
        "id": score.proposal.id,
        "rank": result.rank,
        "total": text(score.total),
        "qualitative": text(score.qualitative),
        "automatic": text(score.automatic),
        "bonus": text(score.bonus),
        "deduction": text(score.proposal.deduction),
        "passed": score.passed,
        "selected": result.selected,
        "reason": result.reason,
        "criteria": dict(zip(score.criteria, map(text, score.criteria.values()))),
        "dropped_reviewers": list(score.dropped_reviewers),
    }


def results_to_json(results: Sequence[Result], policy: Policy) -> dict[str, object]:
    """The contract's output document for results in rank order."""
    return {
        "results": [result_to_json(r, policy.decimals) for r in results],
        "selected": [r.id for r in results if r.selected],
    }


def reviewer_stats_to_json(stats: Sequence[ReviewerStats], decimals: int) -> list[dict[str, object]]:
    def text(value: Decimal) -> str:
        return decimal_text(value, decimals)

    return [
        {
            "reviewer": s.reviewer,
            "sheets": s.count,
            "mean": text(s.mean),
            "stdev": text(s.stdev),
            "mean_deviation": text(s.mean_deviation),
            "z": text(s.z),
            "flagged": s.flagged,
            "deviations": [
                {"proposal": d.proposal, "total": text(d.total), "panel_mean": text(d.panel_mean), "deviation": text(d.deviation)}
                for d in s.sheets
            ],
        }
        for s in stats
    ]
