"""The contract's JSON input, as text or as parsed data, into the typed model.

This module checks the document's shape (objects, lists, required keys) and passes
values on raw: the model's constructors coerce and check them, for this reader and for
the web app alike.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal

from .errors import ScoringInputError
from .model import Criterion, Policy, ProposalInput, Rubric, Sheet, make_rule

_ABSENT = object()


def load_json(text: str | bytes) -> object:
    """Parse JSON text with every non-integer number as a Decimal (never a float)."""
    try:
        if isinstance(text, bytes):
            text = text.decode("utf-8-sig")
        # NaN and Infinity literals become Decimal NaN/Infinity, refused where a number is
        # read, so the error can name the proposal, reviewer and criterion holding them.
        return json.loads(text, parse_float=Decimal, parse_constant=Decimal)
    except UnicodeDecodeError as error:
        raise ScoringInputError(f"input is not UTF-8 (byte {error.start})") from None
    except json.JSONDecodeError as error:
        raise ScoringInputError(
            f"malformed JSON: {error.msg} at line {error.lineno} column {error.colno}"
        ) from None
    except RecursionError:
        raise ScoringInputError("malformed JSON: nested too deeply") from None
    except ValueError as error:  # e.g. an integer literal longer than Python converts
        raise ScoringInputError(f"malformed JSON: {error}") from None


def _object(raw: object, what: str) -> Mapping[str, object]:
    if not isinstance(raw, Mapping):
        raise ScoringInputError(f"{what} must be a JSON object")
    return raw


def _list(raw: object, what: str) -> list[object]:
    if not isinstance(raw, list):
        raise ScoringInputError(f"{what} must be a JSON array")
    return raw


def _required(obj: Mapping[str, object], key: str, what: str) -> object:
    value = obj.get(key, _ABSENT)
    if value is _ABSENT:
        raise ScoringInputError(f"{what} is missing {key!r}")
    return value


def parse_rubric(raw: object) -> Rubric:
    rubric = _object(raw, "rubric")
    criteria = []
    for index, item in enumerate(_list(_required(rubric, "criteria", "rubric"), "rubric.criteria")):
        entry = _object(item, f"rubric.criteria[{index}]")
        key = entry.get("key")
        try:
            kind = _required(entry, "kind", "criterion")
            rule_raw = entry.get("rule")
            if kind == "review":
                if rule_raw is not None:
                    raise ScoringInputError("a review criterion takes no rule")
                rule = None
            elif kind == "auto":
                rule = make_rule(_object(_required(entry, "rule", "an auto criterion"), "rule"))
            else:
                raise ScoringInputError(f"kind must be 'review' or 'auto', got {kind!r}")
            criteria.append(
                Criterion(
                    key=key,
                    label=entry.get("label", key),
                    max_points=_required(entry, "max_points", "criterion"),
                    rule=rule,
                )
            )
        except ScoringInputError as error:
            raise error.at(criterion=key if isinstance(key, str) else f"#{index + 1}") from None
    grades = rubric.get("grades")
    return Rubric(
        criteria=criteria,
        grades=_object(grades, "rubric.grades") if grades is not None else {},
        bonus_cap=rubric.get("bonus_cap"),
    )


def parse_policy(raw: object) -> Policy:
    policy = _object(raw, "policy")
    names = ("trim_from", "pass_mark", "awards", "decimals", "tie_breaks")
    required = {name: _required(policy, name, "policy") for name in names}
    optional = {name: policy.get(name) for name in ("criterion_floor", "one_per", "budget_cap")}
    return Policy(**required, **optional)


def parse_proposal(raw: object, index: int, one_per: str | None, *, needs_budget: bool = True) -> ProposalInput:
    proposal = _object(raw, f"proposals[{index}]")
    pid = proposal.get("id")
    if not isinstance(pid, str) or not pid:
        raise ScoringInputError(f"proposals[{index}] needs a non-empty string id")
    try:
        sheets = []
        for number, item in enumerate(_list(_required(proposal, "reviews", "proposal"), "reviews")):
            sheet = _object(item, f"reviews[{number}]")
            reviewer = sheet.get("reviewer")
            if not isinstance(reviewer, str) or not reviewer:
                raise ScoringInputError(f"reviews[{number}] needs a non-empty string reviewer")
            points = _object(_required(sheet, "points", "review sheet"), "points")
            sheets.append(Sheet(reviewer, points))
        fields = {}
        if one_per is not None:
            value = _required(proposal, one_per, "proposal (policy.one_per names it)")
            if not isinstance(value, str):
                raise ScoringInputError(f"{one_per} must be a string")
            fields[one_per] = value
        facts = proposal.get("facts")
        return ProposalInput(
            id=pid,
            budget=(_required(proposal, "budget", "proposal (policy.budget_cap needs it)") if needs_budget
                    else proposal.get("budget")),
            submitted_at=_required(proposal, "submitted_at", "proposal"),
            reviews=sheets,
            facts=_object(facts, "facts") if facts is not None else {},
            bonus=proposal.get("bonus", "0"),
            deduction=proposal.get("deduction", "0"),
            fields=fields,
        )
    except ScoringInputError as error:
        raise error.at(proposal=pid) from None


def parse_input(data: object) -> tuple[Rubric, Policy, list[ProposalInput]]:
    """The contract's input document (already parsed JSON) as typed objects."""
    document = _object(data, "the input")
    rubric = parse_rubric(_required(document, "rubric", "the input"))
    policy = parse_policy(_required(document, "policy", "the input"))
    raw_proposals = _list(_required(document, "proposals", "the input"), "proposals")
    needs_budget = policy.budget_cap is not None
    return rubric, policy, [parse_proposal(item, i, policy.one_per, needs_budget=needs_budget)
                            for i, item in enumerate(raw_proposals)]
