"""Invalid input: a ScoringInputError locating the fault; the command exits 2 with one
line on standard error and nothing on standard output."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from scoring import ScoringInputError, evaluate, evaluate_json, load_json
from scoring.cli import main
from scoring.model import Criterion, Policy, ProposalInput, Rubric, Sheet


def error_of(document: dict) -> ScoringInputError:
    with pytest.raises(ScoringInputError) as caught:
        evaluate_json(document)
    assert "\n" not in str(caught.value)
    return caught.value


def location(error: ScoringInputError) -> tuple[object, object, object]:
    return error.proposal, error.reviewer, error.criterion


def with_points(build, points: dict, reviewer: str = "R2") -> dict:
    sheets = {"R1": {"a": "50", "b": "30"}, reviewer: points}
    return build.document([build.proposal("OK"), build.proposal("P-7", sheets)])


@pytest.mark.parametrize(
    ("points", "criterion", "words"),
    [
        ({"a": "60.01", "b": "30"}, "a", "above 60"),
        ({"a": "50", "b": "-1"}, "b", "below 0"),
        ({"a": "E", "b": "30"}, "a", "neither a number nor a grade"),
        ({"a": "abc", "b": "30"}, "a", "neither a number nor a grade"),
        ({"a": "12a", "b": "30"}, "a", "neither a number nor a grade"),
        ({"a": "", "b": "30"}, "a", "neither a number nor a grade"),
        ({"a": None, "b": "30"}, "a", "decimal number"),
        ({"a": True, "b": "30"}, "a", "decimal number"),
        ({"a": [], "b": "30"}, "a", "decimal number"),
        ({"a": {}, "b": "30"}, "a", "decimal number"),
        ({"a": "1_0", "b": "30"}, "a", "neither a number nor a grade"),
        ({"a": " 10", "b": "30"}, "a", "neither a number nor a grade"),
        ({"a": "NaN", "b": "30"}, "a", "neither a number nor a grade"),
        ({"a": "Infinity", "b": "30"}, "a", "neither a number nor a grade"),
        ({"a": Decimal("NaN"), "b": "30"}, "a", "finite"),
        ({"a": Decimal("-Infinity"), "b": "30"}, "a", "finite"),
        ({"a": "50", "b": "30", "c": "1"}, "c", "unknown criterion"),
        ({"a": "50"}, "b", "does not score this criterion"),
        ({"a": "50", "x": "30"}, "x", "unknown criterion"),
    ],
)
def test_bad_points_name_proposal_reviewer_and_criterion(build, points, criterion, words):
    error = error_of(with_points(build, points))
    assert location(error) == ("P-7", "R2", criterion)
    assert words in error.message
    assert str(error).startswith(f"proposal P-7, reviewer R2, criterion {criterion}: ")


def test_grades_are_refused_when_the_rubric_has_none(build):
    document = with_points(build, {"a": "A", "b": "30"})
    del document["rubric"]["grades"]
    error = error_of(document)
    assert location(error) == ("P-7", "R2", "a")


def test_points_for_an_automatic_criterion_are_refused(build):
    document = with_points(build, {"a": "50", "b": "30", "cov": "3"})
    document["rubric"]["criteria"].append(
        {"key": "cov", "label": "c", "max_points": "5", "kind": "auto", "rule": {"type": "count", "fact": "n", "target": 2}}
    )
    error = error_of(document)
    assert location(error) == ("P-7", "R2", "cov")
    assert "automatic" in error.message


def test_json_nan_and_infinity_literals_are_located(build):
    text = json.dumps(with_points(build, {"a": "50", "b": "30"})).replace('"b": "30"}}]}]', '"b": NaN}}]}]')
    assert "NaN" in text
    error = error_of(load_json(text))
    assert location(error) == ("P-7", "R2", "b")
    text = json.dumps(with_points(build, {"a": "50", "b": "30"})).replace('"b": "30"}}]}]', '"b": -Infinity}}]}]')
    assert location(error_of(load_json(text))) == ("P-7", "R2", "b")


def test_duplicate_reviewer_on_one_proposal(build):
    document = build.document([build.proposal("P-7", {"R1": {"a": "1", "b": "1"}})])
    document["proposals"][0]["reviews"].append({"reviewer": "R1", "points": {"a": "2", "b": "2"}})
    error = error_of(document)
    assert location(error) == ("P-7", "R1", None)
    assert "duplicate reviewer" in error.message


def test_the_same_reviewer_on_two_proposals_is_fine(build):
    sheets = {"R1": {"a": "50", "b": "30"}}
    evaluate_json(build.document([build.proposal("A", sheets), build.proposal("B", sheets)]))


def test_duplicate_proposal_id(build):
    error = error_of(build.document([build.proposal("P-7"), build.proposal("P-8"), build.proposal("P-7")]))
    assert location(error) == ("P-7", None, None)
    assert "duplicate proposal id" in error.message


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"budget": "1e3"}, "budget"),
        ({"budget": "-5"}, "budget"),
        ({"budget": 12.5}, "budget"),  # a binary float: refused, never rounded silently
        ({"bonus": "NaN"}, "bonus"),
        ({"deduction": "x"}, "deduction"),
        ({"submitted_at": "yesterday"}, "submitted_at"),
        ({"facts": {"pocs": "many"}}, "fact pocs"),
        ({"facts": {"types": "openlab"}}, "fact types"),
        ({"facts": []}, "facts"),
        ({"reviews": {}}, "reviews"),
    ],
)
def test_bad_proposal_fields_name_the_proposal(build, change, words):
    rubric = build.rubric()
    rubric["criteria"] += [
        {"key": "cnt", "label": "c", "max_points": "5", "kind": "auto", "rule": {"type": "count", "fact": "pocs", "target": 2}},
        {"key": "cov", "label": "v", "max_points": "5", "kind": "auto", "rule": {"type": "coverage", "fact": "types", "target": 2}},
    ]
    p = build.proposal("P-7", {"R1": {"a": "50", "b": "30"}})
    p.update(change)
    error = error_of(build.document([p], rubric))
    assert error.proposal == "P-7"
    assert words in str(error)


def test_bad_facts_name_the_automatic_criterion(build):
    rubric = build.rubric()
    rubric["criteria"].append(
        {"key": "cnt", "label": "c", "max_points": "5", "kind": "auto", "rule": {"type": "count", "fact": "pocs", "target": 2}}
    )
    error = error_of(build.document([build.proposal("P-7", facts={"pocs": "-1"})], rubric))
    assert location(error) == ("P-7", None, "cnt")


def test_missing_one_per_field(build):
    error = error_of(build.document([build.proposal("P-7")], one_per="complex"))
    assert error.proposal == "P-7" and "complex" in error.message


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda d: d["rubric"]["criteria"][0].update(max_points="lots"), "criterion a: max_points"),
        (lambda d: d["rubric"]["criteria"][1].update(key="a"), "criterion a: duplicate criterion key"),
        (lambda d: d["rubric"]["criteria"][1].update(kind="magic"), "criterion b: kind"),
        (lambda d: d["rubric"]["criteria"][1].update(kind="auto", rule={"type": "dice"}), "unknown rule type"),
        (lambda d: d["rubric"]["grades"].update(A="1.1"), "grade A"),
        (lambda d: d["rubric"].update(bonus_cap="-1"), "bonus_cap"),
        (lambda d: d["policy"].update(trim_from=2), "policy.trim_from"),
        (lambda d: d["policy"].update(pass_mark=70.0), "policy.pass_mark"),
        (lambda d: d["policy"].update(awards="3"), "policy.awards"),
        (lambda d: d["policy"].update(criterion_floor="1.5"), "policy.criterion_floor"),
        (lambda d: d["policy"].update(tie_breaks=["criterion:zzz"]), "names no criterion"),
        (lambda d: d["policy"].update(tie_breaks=["budget"]), "unknown tie-break"),
        (lambda d: d["policy"].pop("decimals"), "missing 'decimals'"),
        (lambda d: d.pop("proposals"), "missing 'proposals'"),
    ],
)
def test_bad_rubric_or_policy(build, change, words):
    document = build.document([build.proposal("P-1")])
    change(document)
    assert words in str(error_of(document))


@pytest.mark.parametrize(
    "text",
    ['{"rubric": ', "[1, 2", "", "{'single': 'quotes'}", b"\xff\xfe{}", '{"a": 1}}'],
)
def test_malformed_json(text):
    with pytest.raises(ScoringInputError, match="malformed JSON|not UTF-8"):
        load_json(text)


def test_typed_api_validates_too():
    rubric = Rubric([Criterion("a", "A", Decimal("10"))])
    policy = Policy(trim_from=5, pass_mark=Decimal("5"), awards=1)
    bad = ProposalInput("P-1", Decimal("1"), "2025-07-01T00:00:00Z", reviews=[Sheet("R1", {"a": Decimal("11")})])
    with pytest.raises(ScoringInputError) as caught:
        evaluate(rubric, policy, [bad])
    assert location(caught.value) == ("P-1", "R1", "a")
    with pytest.raises(ScoringInputError, match="decimal number"):
        ProposalInput("P-2", 1.5, "2025-07-01T00:00:00Z")  # type: ignore[arg-type]


# --- the command, in process -------------------------------------------------------


def run_main(capsys, monkeypatch, tmp_path, document: dict | str) -> tuple[int, str, str]:
    path = tmp_path / "input.json"
    path.write_text(document if isinstance(document, str) else json.dumps(document, ensure_ascii=False), encoding="utf-8")
    status = main(["evaluate", str(path)])
    out, err = capsys.readouterr()
    return status, out, err


@pytest.mark.parametrize(
    "points",
    [{"a": "61", "b": "30"}, {"a": "Z", "b": "30"}, {"a": "50"}, {"a": "50", "b": "30", "q": "1"}, {"a": "inf", "b": "1"}],
)
def test_command_exit_2_on_bad_points(build, capsys, monkeypatch, tmp_path, points):
    status, out, err = run_main(capsys, monkeypatch, tmp_path, with_points(build, points))
    assert status == 2
    assert out == ""
    assert err.count("\n") == 1
    assert "proposal P-7, reviewer R2, criterion " in err


def test_command_exit_2_on_malformed_json(capsys, monkeypatch, tmp_path):
    status, out, err = run_main(capsys, monkeypatch, tmp_path, '{"rubric": [}')
    assert (status, out) == (2, "")
    assert err.startswith("error: malformed JSON") and err.count("\n") == 1


def test_command_exit_2_on_a_bad_z_threshold(build, capsys, monkeypatch, tmp_path):
    path = tmp_path / "input.json"
    path.write_text(json.dumps(build.document([build.proposal("P")])), encoding="utf-8")
    assert main(["evaluate", "--reviewer-stats", "--z-threshold", "lots", str(path)]) == 2
    assert capsys.readouterr().out == ""


def test_budget_is_needed_only_by_a_budget_cap(build):
    """The contract: a proposal may omit ``budget`` when the policy has no ``budget_cap``."""
    without_budget = build.proposal("P-7", {"R1": {"a": "50", "b": "30"}})
    del without_budget["budget"]
    output = evaluate_json(build.document([without_budget]))
    assert build.by_id(output)["P-7"]["selected"] is True

    error = error_of(build.document([without_budget], budget_cap="1000"))
    assert error.proposal == "P-7" and "budget" in str(error)


def test_one_per_field_is_needed_only_when_one_per_is_set(build):
    p = build.proposal("P-7", {"R1": {"a": "50", "b": "30"}})
    assert "complex" not in p
    output = evaluate_json(build.document([p]))
    assert build.by_id(output)["P-7"]["selected"] is True
