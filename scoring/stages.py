"""Evaluation stages (SPEC §6): a shortlist from one stage to the next, and the final score.

The engine (``evaluate``) runs once per stage, on that stage's rubric, policy and sheets.
These functions take its results from there:

- ``shortlist``: who goes on to the next stage. Only passing proposals go on, in the
  stage's rank order: all of them (``"all"``), the top K (``"top"``), or K × the call's
  awards (``"multiple"``, K = 3 is 3배수). **At the cut**, the policy's tie-breaks have
  already ordered the proposals; those still equal on the rounded total and on every
  tie-break of the stage's policy (only the proposal id, the contract's last resort,
  orders them) all go on, so the list may run past K. Never more than those passing;
  fewer when fewer pass.
- ``final_scores``: for each proposal that reached the last stage, the last stage's total
  (``"last"``) or the sum of each stage's total × its weight / 100 (``"weighted"``;
  weights in percent summing exactly to 100). Stage totals are the engine's rounded
  totals, as announced per stage; the sum is exact and rounded once, half-up to
  ``decimals`` places, as the contract rounds.
- ``final_ranking``: the final scores ranked and selected by the call's policy with the
  engine's own ranking and selection (``select.rank_and_select``).

Each verdict comes with Korean and English lines for the result page.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from decimal import Decimal, localcontext
from typing import Literal

from .errors import ScoringInputError
from .explain import Locale, _plain
from .model import CRITERION_PREFIX, SUBMITTED_AT, Policy, ProposalInput, Result, Score, SkipKind
from .select import check_selection_fields, rank_and_select, tie_key
from .stage_text import LOCALES, final_line, shortlist_line, verdict_lines
from .values import EXACT, MAX_DECIMALS, ZERO, round_half_up, to_decimal, to_int

ShortlistRule = Literal["all", "top", "multiple"]
FinalMode = Literal["last", "weighted"]
HUNDRED = Decimal(100)
# A proposal known only by its stage totals; the policy may not rank by what it lacks.
_NO_TIME = datetime(1970, 1, 1, tzinfo=timezone.utc)


@dataclass(frozen=True, slots=True)
class Shortlist:
    """Who goes on from one stage: keys in the stage's rank order, and a reason for each.

    ``size`` is the rule's number (None for ``"all"``); ``tied`` the keys past it that
    go on because they tie with the last one inside.
    """

    advancing: tuple[str, ...]
    not_advancing: tuple[str, ...]
    size: int | None
    tied: tuple[str, ...]
    explanation: Mapping[str, Mapping[Locale, tuple[str, ...]]]

    def explain(self, key: str, locale: Locale = "ko") -> list[str]:
        return list(self.explanation[key][locale])


def shortlist(
    ranked: Sequence[Result],
    rule: ShortlistRule,
    value: int | None,
    awards: int | None,
    *,
    policy: Policy,
    stage: str = "written",
    next_stage: str | None = None,
) -> Shortlist:
    """The shortlist from one stage's engine results (``evaluate``) under ``rule``.

    ``policy`` is the stage's: its tie-breaks say which proposals are tied at the cut.
    ``value`` is K for ``"top"`` and ``"multiple"``; ``awards`` the call's number of
    awards, which ``"multiple"`` multiplies.
    """
    size = _shortlist_size(rule, value, awards)
    seen: set[str] = set()
    for result in ranked:
        if not isinstance(result, Result):
            raise ScoringInputError("ranked must hold the engine's Result objects", field="shortlist.ranked")
        if result.id in seen:
            raise ScoringInputError("duplicate proposal id", proposal=result.id, field="shortlist.ranked")
        seen.add(result.id)
        _check_tie_criteria(policy, result.score.criteria, result.id, "the stage")
    results = sorted(ranked, key=lambda r: r.rank)
    passing = [r for r in results if r.passed]
    inside = passing if size is None else passing[:size]
    tied: list[Result] = []
    if inside and len(inside) < len(passing):
        key = tie_key(policy)
        cut_key = key(inside[-1].score)
        for result in passing[len(inside):]:
            if key(result.score) != cut_key:
                break
            tied.append(result)
    advancing = {r.id for r in inside} | {r.id for r in tied}
    tied_ids = {r.id for r in tied}

    cut = inside[-1] if inside else None
    explanation: dict[str, dict[Locale, tuple[str, ...]]] = {}
    for result in results:
        case = (
            "failed" if not result.passed
            else "tied" if result.id in tied_ids
            else "in" if result.id in advancing
            else "out"
        )
        explanation[result.id] = {
            locale: (shortlist_line(case, result, rule, value, size, stage, next_stage, cut, locale),)
            for locale in LOCALES
        }
    return Shortlist(
        advancing=tuple(r.id for r in results if r.id in advancing),
        not_advancing=tuple(r.id for r in results if r.id not in advancing),
        size=size,
        tied=tuple(r.id for r in tied),
        explanation=explanation,
    )


def _check_tie_criteria(policy: Policy, criteria: Mapping[str, Decimal], key: str, where: str) -> None:
    """A ``criterion:KEY`` tie-break must find KEY among the proposal's criterion scores."""
    for tie_break in policy.tie_breaks:
        if tie_break.startswith(CRITERION_PREFIX) and tie_break[len(CRITERION_PREFIX):] not in criteria:
            raise ScoringInputError(
                f"tie-break {tie_break!r} names no criterion of {where}", proposal=key, field="policy.tie_breaks"
            )


def _shortlist_size(rule: str, value: object, awards: object) -> int | None:
    if rule == "all":
        return None
    if rule not in ("top", "multiple"):
        raise ScoringInputError(f"unknown shortlist rule {rule!r}: use all, top or multiple", field="shortlist.rule")
    try:
        k = to_int(value, "value", minimum=1)
    except ScoringInputError as error:
        raise error.at(field="shortlist.value") from None
    if rule == "top":
        return k
    try:
        return k * to_int(awards, "awards", minimum=1)
    except ScoringInputError as error:
        raise error.at(field="shortlist.awards") from None


@dataclass(frozen=True, slots=True)
class StagePart:
    """One stage's share of a final score: ``contribution = total × weight / 100``, exact."""

    stage: str
    total: Decimal
    weight: Decimal
    contribution: Decimal


@dataclass(frozen=True, slots=True)
class FinalScore:
    """A proposal's final score: ``exact`` is the sum of the parts, ``total`` its rounding.

    Built from the engine's results, it also keeps what the final ranking may need: the
    last stage's ``proposal`` input, the per-criterion scores (a later stage's win where
    two stages share a key) and the first stage the proposal did not pass, if any.
    """

    id: str
    parts: tuple[StagePart, ...]
    exact: Decimal
    total: Decimal
    explanation: Mapping[Locale, tuple[str, ...]]
    proposal: ProposalInput | None = None
    criteria: Mapping[str, Decimal] = field(default_factory=dict)
    failed: tuple[str, str] | None = None  # (stage, engine's reason)

    def explain(self, locale: Locale = "ko") -> list[str]:
        return list(self.explanation[locale])


def final_scores(
    stage_totals: Mapping[str, Mapping[str, object] | Sequence[Result]],
    mode: FinalMode,
    weights: Mapping[str, object] | None,
    decimals: int,
) -> dict[str, FinalScore]:
    """Final scores of the proposals in the last stage, keyed by proposal id.

    ``stage_totals`` maps each evaluation stage, in order, to its engine results
    (``evaluate``'s list) or to proposal id → total. ``weights`` (percent) is read only
    in ``"weighted"`` mode and must give every stage a weight, summing exactly to 100.
    """
    if mode not in ("last", "weighted"):
        raise ScoringInputError(f"unknown final score mode {mode!r}: use last or weighted", field="final_score.mode")
    try:
        places = to_int(decimals, "decimals", minimum=0, maximum=MAX_DECIMALS)
    except ScoringInputError as error:
        raise error.at(field="final_score.decimals") from None
    if not isinstance(stage_totals, Mapping) or not stage_totals:
        raise ScoringInputError("at least one evaluation stage is needed", field="final_score.stages")
    tables = {stage: _stage_table(stage, rows) for stage, rows in stage_totals.items()}
    stages = list(tables)
    last = stages[-1]
    percent = _weights(stages, weights) if mode == "weighted" else {last: HUNDRED}

    finals = {}
    with localcontext(EXACT):
        for key in tables[last]:
            parts = []
            for stage in stages if mode == "weighted" else [last]:
                if key not in tables[stage]:
                    raise ScoringInputError(
                        "proposal reached the last stage without a total in this one",
                        proposal=key, field=f"stage_totals.{stage}",
                    )
                stage_total = tables[stage][key][0]
                # × weight / 100 is a product and a shift: exact, no division.
                share = (stage_total * percent[stage]).scaleb(-2)
                parts.append(StagePart(stage, stage_total, percent[stage], share))
            exact = sum((p.contribution for p in parts), ZERO)
            results = {s: tables[s][key][1] for s in stages if key in tables[s] and tables[s][key][1] is not None}
            criteria: dict[str, Decimal] = {}
            for result in results.values():
                criteria.update(result.score.criteria)
            failed = next(((s, r.reason) for s, r in results.items() if not r.passed), None)
            total = round_half_up(exact, places)
            finals[key] = FinalScore(
                id=key,
                parts=tuple(parts),
                exact=exact,
                total=total,
                explanation={locale: (final_line(mode, parts, exact, total, places, locale),) for locale in LOCALES},
                proposal=results[last].score.proposal if last in results else None,
                criteria=criteria,
                failed=failed,
            )
    return finals


def _stage_table(stage: object, rows: object) -> dict[str, tuple[Decimal, Result | None]]:
    if not isinstance(stage, str) or not stage:
        raise ScoringInputError("stage names must be non-empty strings", field="stage_totals")
    where = f"stage_totals.{stage}"
    if isinstance(rows, Mapping):
        table = {}
        for key, raw in rows.items():
            try:
                table[str(key)] = (to_decimal(raw, "total"), None)
            except ScoringInputError as error:
                raise error.at(proposal=key, field=where) from None
        return table
    if isinstance(rows, Sequence) and not isinstance(rows, str) and all(isinstance(r, Result) for r in rows):
        return {r.id: (r.total, r) for r in rows}
    raise ScoringInputError("a stage's totals are the engine's results or id → total", field=where)


def _weights(stages: list[str], raw: object) -> dict[str, Decimal]:
    if not isinstance(raw, Mapping):
        raise ScoringInputError("weighted final scores need a weight per stage", field="final_score.weights")
    for key in raw:
        if key not in stages:
            raise ScoringInputError(f"weight for {key!r}, which is no stage", field=f"final_score.weights.{key}")
    weights = {}
    for stage in stages:
        if stage not in raw:
            raise ScoringInputError("stage has no weight", field=f"final_score.weights.{stage}")
        try:
            weights[stage] = to_decimal(raw[stage], "weight", minimum=0, maximum=100)
        except ScoringInputError as error:
            raise error.at(field=f"final_score.weights.{stage}") from None
    with localcontext(EXACT):
        total = sum(weights.values(), ZERO)
    if total != HUNDRED:
        raise ScoringInputError(f"weights must sum to 100 percent, not {_plain(total)}", field="final_score.weights")
    return weights


@dataclass(frozen=True, slots=True)
class FinalResult:
    """A final score ranked and selected; fields as the engine's ``Result``."""

    final: FinalScore
    rank: int
    selected: bool
    reason: str | None
    skipped: SkipKind | None
    conflict_with: str | None
    budget_before: Decimal
    explanation: Mapping[Locale, tuple[str, ...]]

    @property
    def id(self) -> str:
        return self.final.id

    @property
    def total(self) -> Decimal:
        return self.final.total

    @property
    def passed(self) -> bool:
        return self.skipped != "not passed"

    def explain(self, locale: Locale = "ko") -> list[str]:
        return list(self.explanation[locale])


def final_ranking(finals: Mapping[str, FinalScore], policy: Policy) -> list[FinalResult]:
    """Rank and select the final scores by the call's ``policy``, in rank order.

    The engine's own ``rank_and_select`` does it, on one ``Score`` per proposal that holds
    the final total. A proposal fails when it did not pass a stage or its final total is
    below ``policy.pass_mark`` (a criterion floor belongs to the stages and is not applied
    again). Tie-breaks ``criterion:KEY`` read the latest stage whose rubric has KEY;
    ``submitted_at``, ``one_per`` and ``budget_cap`` read the last stage's proposal input,
    so they need final scores built from the engine's results.
    """
    needs_input = [
        name for name, needed in (
            ("policy.one_per", policy.one_per is not None),
            ("policy.budget_cap", policy.budget_cap is not None),
            ("policy.tie_breaks", SUBMITTED_AT in policy.tie_breaks),
        ) if needed
    ]
    scores = []
    by_id: dict[str, FinalScore] = {}
    for given, final in finals.items():
        if not isinstance(final, FinalScore):
            raise ScoringInputError("final scores must be FinalScore objects", proposal=given)
        key = final.id
        if key in by_id:
            raise ScoringInputError("duplicate proposal id", proposal=key)
        by_id[key] = final
        if final.proposal is None and needs_input:
            raise ScoringInputError(
                "the final ranking needs the stages' engine results, not totals alone", proposal=key, field=needs_input[0]
            )
        _check_tie_criteria(policy, final.criteria, key, "any stage")
        if final.proposal is not None:
            check_selection_fields(final.proposal, policy)
        if final.failed is not None:
            reason = f"not passed at {final.failed[0]}: {final.failed[1]}"
        elif final.total < policy.pass_mark:
            reason = "below pass mark"
        else:
            reason = None
        # Only what rank and select read is filled in: total, criteria, proposal, reason.
        scores.append(Score(
            proposal=final.proposal or ProposalInput(id=key, budget=None, submitted_at=_NO_TIME),
            criteria=final.criteria, auto={}, sheets=(), qualitative=ZERO, automatic=ZERO, bonus=ZERO,
            total_exact=final.exact, total=final.total, fail_reason=reason,
        ))
    return [
        FinalResult(
            by_id[r.id], r.rank, r.selected, r.reason, r.skipped, r.conflict_with, r.budget_before,
            {locale: (*by_id[r.id].explanation[locale], *verdict_lines(r, policy, locale)) for locale in LOCALES},
        )
        for r in rank_and_select(scores, policy)
    ]
