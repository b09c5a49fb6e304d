"""Ranking scored proposals and walking the ranking to select awards."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from decimal import Decimal

from .errors import ScoringInputError
from .model import CRITERION_PREFIX, SUBMITTED_AT, Policy, ProposalInput, Result, Score
from .values import EXACT, ZERO


def check_selection_fields(proposal: ProposalInput, policy: Policy) -> None:
    """Refuse a proposal lacking what the selection reads: its ``one_per`` field, its budget."""
    if policy.one_per is not None and not isinstance(proposal.fields.get(policy.one_per), str):
        raise ScoringInputError(
            f"proposal has no {policy.one_per!r} field, which policy.one_per names", proposal=proposal.id
        )
    if policy.budget_cap is not None and proposal.budget is None:
        raise ScoringInputError("proposal has no budget, which policy.budget_cap needs", proposal=proposal.id)


def tie_key(policy: Policy) -> Callable[[Score], tuple[object, ...]]:
    """What the policy ranks by: rounded total (higher first), then its tie-breaks.

    Two scores with equal keys are tied as far as the call's rules go; only the final
    fallback, the proposal id, orders them (a stage shortlist lets such a tie through).
    """
    parts: list[Callable[[Score], object]] = [lambda s: -s.total]
    for tie_break in policy.tie_breaks:
        if tie_break == SUBMITTED_AT:
            parts.append(lambda s: s.proposal.submitted_at)
        else:
            key = tie_break[len(CRITERION_PREFIX):]
            parts.append(lambda s, key=key: -s.criteria[key])
    return lambda s: tuple(part(s) for part in parts)


def rank(scores: Iterable[Score], policy: Policy) -> list[Score]:
    """Rounded total (higher first), then the policy's tie-breaks, then id ascending."""
    key = tie_key(policy)
    return sorted(scores, key=lambda s: (*key(s), s.proposal.id))


def select(ranked: Iterable[Score], policy: Policy) -> list[Result]:
    """Walk the ranking; a proposal is selected unless one of the contract's checks stops it.

    The checks run in the contract's order (not passed, awards filled, one per value,
    budget cap), and the first that applies is the reason given.
    """
    results = []
    selected_count = 0
    spent: Decimal = ZERO
    taken: dict[str, str] = {}  # one_per value → id of the proposal selected with it
    field = policy.one_per
    for position, score in enumerate(ranked, start=1):
        proposal = score.proposal
        group = proposal.fields.get(field) if field is not None else None
        skipped = conflict = None
        if score.fail_reason is not None:
            skipped, reason = "not passed", score.fail_reason
        elif selected_count >= policy.awards:
            skipped, reason = "awards filled", "awards filled"
        elif group is not None and group in taken:
            skipped, reason, conflict = "one per", f"one per {field}: {group}", taken[group]
        elif policy.budget_cap is not None and EXACT.add(spent, proposal.budget) > policy.budget_cap:
            skipped, reason = "budget cap", "budget cap exceeded"
        else:
            reason = None
        results.append(Result(score, position, skipped is None, reason, skipped, conflict, spent))
        if skipped is None:
            selected_count += 1
            # EXACT raises rather than round a sum that outgrew its precision.
            if proposal.budget is not None:
                spent = EXACT.add(spent, proposal.budget)
            if group is not None:
                taken[group] = proposal.id
    return results


def rank_and_select(scores: Iterable[Score], policy: Policy) -> list[Result]:
    return select(rank(scores, policy), policy)
