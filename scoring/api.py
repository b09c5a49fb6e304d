"""The contract in one call: input document in, output document out."""

from __future__ import annotations

from decimal import Decimal

from .engine import evaluate
from .output import results_to_json, reviewer_stats_to_json
from .parse import parse_input
from . import stats


def evaluate_json(
    data: object, *, reviewer_stats: bool = False, z_threshold: Decimal | int | str = stats.DEFAULT_Z
) -> dict[str, object]:
    """The contract's output for its input (parsed JSON, numbers as strings or Decimals).

    With ``reviewer_stats`` the document gains a top-level ``reviewers`` list; without it
    the output is exactly the contract's.
    """
    rubric, policy, proposals = parse_input(data)
    results = evaluate(rubric, policy, proposals)
    document = results_to_json(results, policy)
    if reviewer_stats:
        per_reviewer = stats.reviewer_stats(results, z_threshold)
        document["reviewers"] = reviewer_stats_to_json(per_reviewer, policy.decimals)
    return document

