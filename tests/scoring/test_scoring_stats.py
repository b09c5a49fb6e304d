"""Reviewer statistics, worked by hand."""

from __future__ import annotations

from decimal import Decimal

import pytest

from scoring import ScoringInputError, evaluate, evaluate_json, parse_input, reviewer_stats

ONE_CRITERION = {"criteria": [{"key": "a", "label": "a", "max_points": "100", "kind": "review"}]}


def stats_for(build, panels: dict[str, dict[str, str]], **kwargs):
    proposals = [build.proposal(pid, {r: {"a": t} for r, t in sheets.items()}) for pid, sheets in panels.items()]
    rubric, policy, items = parse_input(build.document(proposals, ONE_CRITERION))
    return {s.reviewer: s for s in reviewer_stats(evaluate(rubric, policy, items), **kwargs)}


PANELS = {
    "P1": {"R1": "60", "R2": "70", "R3": "80"},  # panel mean 70
    "P2": {"R1": "50", "R2": "60", "R3": "70"},  # panel mean 60
}


def test_count_mean_stdev_and_deviations(build):
    stats = stats_for(build, PANELS)
    r1 = stats["R1"]
    assert (r1.count, r1.mean, r1.stdev, r1.mean_deviation) == (2, Decimal(55), Decimal(5), Decimal(-10))
    assert [(d.proposal, d.total, d.panel_mean, d.deviation) for d in r1.sheets] == [
        ("P1", Decimal(60), Decimal(70), Decimal(-10)),
        ("P2", Decimal(50), Decimal(60), Decimal(-10)),
    ]
    assert stats["R2"].mean_deviation == 0 and stats["R3"].mean_deviation == 10


def test_z_places_each_lean_among_reviewers(build):
    # Leans −10, 0, 10: μ 0, σ √(200/3) ≈ 8.165, z ≈ ∓1.2247.
    stats = stats_for(build, PANELS)
    assert stats["R1"].z.quantize(Decimal("0.0001")) == Decimal("-1.2247")
    assert stats["R2"].z == 0
    assert not any(s.flagged for s in stats.values())  # default threshold 2
    flagged = stats_for(build, PANELS, z_threshold="1")
    assert sorted(r for r, s in flagged.items() if s.flagged) == ["R1", "R3"]


def test_an_outlying_reviewer_is_flagged_at_the_default_threshold(build):
    # Five reviewers give 60 and R6 gives 72: panel mean 62; leans −2 ×5 and +10,
    # μ 0, σ √20 ≈ 4.472, z(R6) ≈ 2.236 > 2, z(others) ≈ −0.447.
    panel = {f"R{i}": "60" for i in range(1, 6)} | {"R6": "72"}
    stats = stats_for(build, {"P1": panel})
    assert [r for r, s in stats.items() if s.flagged] == ["R6"]
    assert stats["R6"].z.quantize(Decimal("0.001")) == Decimal("2.236")
    assert not stats_for(build, {"P1": panel}, z_threshold="2.5")["R6"].flagged


def test_dropped_sheets_count_in_the_statistics(build):
    # trim_from 5 drops R6's sheet from the score, not from the statistics.
    panel = {f"R{i}": "60" for i in range(1, 6)} | {"R6": "72"}
    assert stats_for(build, {"P1": panel})["R6"].count == 1


def test_all_reviewers_alike_have_z_zero(build):
    stats = stats_for(build, {"P1": {"R1": "50", "R2": "50"}})
    assert all(s.z == 0 and not s.flagged for s in stats.values())


def test_no_sheets_no_statistics(build):
    assert stats_for(build, {"P1": {}}) == {}


def test_negative_threshold_is_refused(build):
    with pytest.raises(ScoringInputError):
        stats_for(build, PANELS, z_threshold="-1")


def test_command_output_holds_the_statistics(build):
    proposals = [build.proposal(pid, {r: {"a": t} for r, t in sheets.items()}) for pid, sheets in PANELS.items()]
    document = build.document(proposals, ONE_CRITERION)
    assert "reviewers" not in evaluate_json(document)
    reviewers = evaluate_json(document, reviewer_stats=True, z_threshold="1")["reviewers"]
    assert reviewers[0] == {
        "reviewer": "R1",
        "sheets": 2,
        "mean": "55.00",
        "stdev": "5.00",
        "mean_deviation": "-10.00",
        "z": "-1.22",
        "flagged": True,
        "deviations": [
            {"proposal": "P1", "total": "60.00", "panel_mean": "70.00", "deviation": "-10.00"},
            {"proposal": "P2", "total": "50.00", "panel_mean": "60.00", "deviation": "-10.00"},
        ],
    }
