"""Each rule of the contract with its own hand-worked case.

The default rubric (conftest) has review criteria a (max 60) and b (max 40), grades
S..D, pass mark 70, trim_from 5, two decimals, no tie-breaks.
"""

from __future__ import annotations

import pytest

from scoring import evaluate_json, load_json

# --- 1. review criteria and grades -------------------------------------------------


def test_points_and_grades_mix_on_one_sheet(build):
    # A on a (max 60) is 0.9 × 60 = 54; B on b (max 40) is 32.
    result = build.one(build.proposal("P", build.sheets(("R1", "A", "30"), ("R2", "50", "B"))))
    assert result["criteria"] == {"a": "52.00", "b": "31.00"}  # (54+50)/2, (30+32)/2
    assert result["qualitative"] == "83.00"


def test_points_at_both_ends_of_the_range_are_accepted(build):
    result = build.one(build.proposal("P", build.sheets(("R1", "0", "40"), ("R2", "60", "0"))))
    assert result["criteria"] == {"a": "30.00", "b": "20.00"}


def test_json_numbers_are_taken_as_decimals(build):
    points = load_json('{"a": 55, "b": 30.5}')  # 30.5 parses as Decimal, never float
    result = build.one(build.proposal("P", {"R1": points}))
    assert result["criteria"] == {"a": "55.00", "b": "30.50"}


# --- 2. trimming ------------------------------------------------------------------


def test_five_sheets_drop_the_highest_then_the_lowest(build):
    # Totals: R1 80, R2 90, R3 70, R4 60, R5 75 → drop R2 (highest) and R4 (lowest).
    p = build.proposal(
        "P", build.sheets(("R1", "50", "30"), ("R2", "55", "35"), ("R3", "40", "30"), ("R4", "35", "25"), ("R5", "45", "30"))
    )
    result = build.one(p)
    assert result["dropped_reviewers"] == ["R2", "R4"]
    # Kept R1, R3, R5: a = (50+40+45)/3 = 45, b = 30.
    assert result["criteria"] == {"a": "45.00", "b": "30.00"}
    assert result["qualitative"] == "75.00"


def test_fewer_sheets_than_trim_from_drop_none(build):
    p = build.proposal("P", build.sheets(("R1", "50", "30"), ("R2", "55", "35"), ("R3", "40", "30"), ("R4", "35", "25")))
    result = build.one(p)
    assert result["dropped_reviewers"] == []
    assert result["criteria"] == {"a": "45.00", "b": "30.00"}  # 180/4, 120/4


def test_trim_from_is_configurable(build):
    p = build.proposal("P", build.sheets(("R1", "50", "30"), ("R2", "55", "35"), ("R3", "40", "30")))
    result = build.one(p, trim_from=3)
    assert result["dropped_reviewers"] == ["R2", "R3"]
    assert result["criteria"] == {"a": "50.00", "b": "30.00"}


def test_equal_totals_drop_the_smallest_reviewer_id_at_both_ends(build):
    # Highest 90 shared by R7 and R3 → R3; lowest 60 shared by R6 and R4 → R4.
    p = build.proposal(
        "P",
        build.sheets(("R7", "50", "40"), ("R3", "55", "35"), ("R5", "45", "30"), ("R6", "30", "30"), ("R4", "35", "25")),
    )
    result = build.one(p)
    assert result["dropped_reviewers"] == ["R3", "R4"]
    # Kept R7 (50, 40), R5 (45, 30), R6 (30, 30).
    assert result["criteria"] == {"a": "41.67", "b": "33.33"}


def test_reviewer_ids_compare_as_strings(build):
    # "R10" < "R9" as strings.
    p = build.proposal(
        "P", build.sheets(("R9", "50", "40"), ("R10", "50", "40"), ("R1", "40", "30"), ("R2", "40", "30"), ("R3", "30", "30"))
    )
    assert build.one(p)["dropped_reviewers"] == ["R10", "R3"]


def test_all_totals_equal_drop_the_two_smallest_ids(build):
    p = build.proposal("P", build.sheets(*[(f"R{i}", "40", "30") for i in (5, 3, 4, 1, 2)]))
    assert build.one(p)["dropped_reviewers"] == ["R1", "R2"]


def test_a_criterion_score_is_the_mean_over_kept_sheets_not_a_per_criterion_trim(build):
    # R1 has the highest a but is kept, because trimming is by sheet total.
    p = build.proposal(
        "P", build.sheets(("R1", "60", "0"), ("R2", "40", "40"), ("R3", "40", "25"), ("R4", "35", "25"), ("R5", "30", "20"))
    )
    result = build.one(p)
    assert result["dropped_reviewers"] == ["R2", "R5"]
    assert result["criteria"] == {"a": "45.00", "b": "16.67"}  # (60+40+35)/3, (0+25+25)/3


# --- 3. automatic criteria ----------------------------------------------------------

AUTO_RUBRIC = {
    "criteria": [
        {"key": "a", "label": "계획", "max_points": "60", "kind": "review"},
        {"key": "cov", "label": "포괄성", "max_points": "10", "kind": "auto",
         "rule": {"type": "coverage", "fact": "types", "target": 3, "required": ["openlab"]}},
        {"key": "cnt", "label": "PoC", "max_points": "10", "kind": "auto",
         "rule": {"type": "count", "fact": "pocs", "target": 4}},
        {"key": "stp", "label": "민간부담", "max_points": "5", "kind": "auto",
         "rule": {"type": "steps", "fact": "ratio", "steps": [["0.3", "1"], ["0.2", "0.6"], ["0.1", "0.3"]]}},
    ],
}


def auto_result(build, facts):
    p = build.proposal("P", {"R1": {"a": "60"}}, **({"facts": facts} if facts is not None else {}))
    return build.one(p, rubric=AUTO_RUBRIC)


@pytest.mark.parametrize(
    ("types", "expected"),
    [
        (["openlab"], "3.33"),  # 10 × 1/3
        (["openlab", "saas", "openlab"], "6.67"),  # distinct values: 2 → 10 × 2/3
        (["openlab", "saas", "5g"], "10.00"),
        (["openlab", "saas", "5g", "twin", "lab"], "10.00"),  # min(5, 3) = 3
        (["saas", "5g", "twin"], "0.00"),  # required openlab missing
        ([], "0.00"),
    ],
)
def test_coverage(build, types, expected):
    assert auto_result(build, {"types": types})["criteria"]["cov"] == expected


@pytest.mark.parametrize(
    ("pocs", "expected"),
    [(0, "0.00"), (1, "2.50"), (3, "7.50"), (4, "10.00"), (9, "10.00"), ("2.5", "6.25")],
)
def test_count(build, pocs, expected):
    assert auto_result(build, {"pocs": pocs})["criteria"]["cnt"] == expected


@pytest.mark.parametrize(
    ("ratio", "expected"),
    [("0.35", "5.00"), ("0.3", "5.00"), ("0.29", "3.00"), ("0.2", "3.00"), ("0.15", "1.50"), ("0.05", "0.00")],
)
def test_steps(build, ratio, expected):
    assert auto_result(build, {"ratio": ratio})["criteria"]["stp"] == expected


def test_steps_take_the_first_match_in_the_order_given(build):
    rubric = {
        "criteria": [
            {"key": "a", "label": "계획", "max_points": "60", "kind": "review"},
            {"key": "stp", "label": "x", "max_points": "5", "kind": "auto",
             "rule": {"type": "steps", "fact": "ratio", "steps": [["0.1", "0.3"], ["0.3", "1"]]}},
        ]
    }
    p = build.proposal("P", {"R1": {"a": "60"}}, facts={"ratio": "0.35"})
    assert build.one(p, rubric=rubric)["criteria"]["stp"] == "1.50"


def test_missing_facts_give_zero(build):
    result = auto_result(build, None)
    assert result["criteria"] == {"a": "60.00", "cov": "0.00", "cnt": "0.00", "stp": "0.00"}
    assert result["automatic"] == "0.00"


def test_automatic_is_the_sum_and_criteria_keep_rubric_order(build):
    result = auto_result(build, {"types": ["openlab", "saas"], "pocs": 1, "ratio": "0.2"})
    assert list(result["criteria"]) == ["a", "cov", "cnt", "stp"]
    assert result["automatic"] == "12.17"  # 6.666… + 2.5 + 3
    assert result["total"] == "72.17"


# --- 4. total: bonus cap, deduction, rounding ------------------------------------------


@pytest.mark.parametrize(
    ("bonus", "cap", "expected_bonus", "expected_total"),
    [("2", "3", "2.00", "82.00"), ("4", "3", "3.00", "83.00"), ("4", None, "4.00", "84.00"), (None, "3", "0.00", "80.00")],
)
def test_bonus_is_capped(build, bonus, cap, expected_bonus, expected_total):
    rubric = build.rubric()
    if cap is None:
        del rubric["grades"]
    else:
        rubric["bonus_cap"] = cap
    p = build.proposal("P", build.sheets(("R1", "50", "30")), **({"bonus": bonus} if bonus else {}))
    result = build.one(p, rubric=rubric)
    assert (result["bonus"], result["total"]) == (expected_bonus, expected_total)


def test_deduction_is_subtracted(build):
    result = build.one(build.proposal("P", build.sheets(("R1", "50", "30")), bonus="1", deduction="2.5"))
    assert (result["deduction"], result["total"]) == ("2.50", "78.50")


def test_a_total_can_go_below_zero(build):
    result = build.one(build.proposal("P", build.sheets(("R1", "1", "0")), deduction="3"))
    assert result["total"] == "-2.00"


def test_rounding_is_half_up_not_half_even(build):
    # (70.01 + 70.00) / 2 = 70.005 exactly.
    result = build.one(build.proposal("P", {"R1": {"a": "40.01", "b": "30"}, "R2": {"a": "40", "b": "30"}}))
    assert result["total"] == "70.01"


def test_rounding_happens_only_at_the_end(build):
    # qualitative 70.004 and bonus 0.004 each display as …00, but their sum 70.008 is 70.01.
    result = build.one(build.proposal("P", {"R1": {"a": "40.004", "b": "30"}}, bonus="0.004"))
    assert (result["qualitative"], result["bonus"], result["total"]) == ("70.00", "0.00", "70.01")


def test_the_total_is_exact_where_parts_do_not_terminate(build):
    # (200.015 + 10) / 3 = 70.005 exactly, from 200.015/3 and 10 × 1/3.
    rubric = {
        "criteria": [
            {"key": "a", "label": "a", "max_points": "100", "kind": "review"},
            {"key": "cov", "label": "c", "max_points": "10", "kind": "auto",
             "rule": {"type": "coverage", "fact": "types", "target": 3}},
        ]
    }
    p = build.proposal("P", {"R1": {"a": "66.671"}, "R2": {"a": "66.672"}, "R3": {"a": "66.672"}}, facts={"types": ["x"]})
    result = build.one(p, rubric=rubric)
    assert (result["qualitative"], result["automatic"], result["total"]) == ("66.67", "3.33", "70.01")


def test_decimals_is_configurable(build):
    result = build.one(build.proposal("P", {"R1": {"a": "40.5", "b": "30"}}), decimals=0)
    assert (result["total"], result["criteria"]["a"]) == ("71", "41")  # 70.5 and 40.5 round up


# --- 5. pass mark and criterion floor --------------------------------------------------


@pytest.mark.parametrize(
    ("a", "passed", "reason"),
    [("40", True, None), ("39.99", False, "below pass mark"), ("39.995", True, None)],  # 69.995 rounds to 70.00
)
def test_pass_mark_applies_to_the_rounded_total(build, a, passed, reason):
    result = build.one(build.proposal("P", {"R1": {"a": a, "b": "30"}}))
    assert (result["passed"], result["reason"]) == (passed, reason)


def test_criterion_floor_fails_a_proposal_above_the_pass_mark(build):
    # b floor = 0.4 × 40 = 16; b mean 15.5 fails even with total 75.5.
    result = build.one(build.proposal("P", {"R1": {"a": "60", "b": "15"}, "R2": {"a": "60", "b": "16"}}), criterion_floor="0.4")
    assert (result["total"], result["passed"], result["reason"]) == ("75.50", False, "below criterion floor: b")


def test_criterion_floor_is_inclusive(build):
    result = build.one(build.proposal("P", {"R1": {"a": "60", "b": "16"}}), criterion_floor="0.4")
    assert result["passed"] is True


def test_the_first_failing_criterion_in_rubric_order_is_named(build):
    rubric = build.rubric()
    rubric["criteria"].insert(0, {"key": "z", "label": "z", "max_points": "100", "kind": "review"})
    p = build.proposal("P", {"R1": {"z": "100", "a": "10", "b": "10"}})
    assert build.one(p, rubric=rubric, criterion_floor="0.5")["reason"] == "below criterion floor: a"


def test_below_pass_mark_is_reported_before_the_floor(build):
    result = build.one(build.proposal("P", {"R1": {"a": "10", "b": "10"}}), criterion_floor="0.5")
    assert result["reason"] == "below pass mark"


def test_without_a_floor_only_the_pass_mark_counts(build):
    assert build.one(build.proposal("P", {"R1": {"a": "60", "b": "10"}}))["passed"] is True


def test_no_reviews_is_not_passed(build):
    result = build.one(build.proposal("P", bonus="2"), pass_mark="0")
    assert result["passed"] is False
    assert result["reason"] == "no reviews"
    assert result["criteria"] == {"a": "0.00", "b": "0.00"}
    assert (result["qualitative"], result["total"]) == ("0.00", "2.00")


# --- 6. ranking ------------------------------------------------------------------------


def rank_ids(build, proposals, **policy):
    output = evaluate_json(build.document(proposals, **policy))
    assert [r["rank"] for r in output["results"]] == list(range(1, len(proposals) + 1))
    return [r["id"] for r in output["results"]]


def test_higher_rounded_total_first(build):
    proposals = [build.proposal(pid, {"R1": {"a": a, "b": "30"}}) for pid, a in (("A", "41"), ("B", "45"), ("C", "43"))]
    assert rank_ids(build, proposals) == ["B", "C", "A"]


def test_equal_rounded_totals_tie_even_when_exact_totals_differ(build):
    # 80.004 and 80.001 both round to 80.00; the tie falls to the id.
    proposals = [
        build.proposal("B", {"R1": {"a": "50.004", "b": "30"}}),
        build.proposal("A", {"R1": {"a": "50.001", "b": "30"}}),
    ]
    assert rank_ids(build, proposals) == ["A", "B"]


def test_criterion_tie_break_uses_the_exact_criterion_score(build):
    proposals = [
        build.proposal("A", {"R1": {"a": "50", "b": "30"}}),
        build.proposal("B", {"R1": {"a": "50.004", "b": "29.996"}}),
    ]
    assert rank_ids(build, proposals, tie_breaks=["criterion:a"]) == ["B", "A"]
    assert rank_ids(build, proposals, tie_breaks=["criterion:b"]) == ["A", "B"]


def test_tie_breaks_apply_in_order(build):
    proposals = [
        build.proposal("A", {"R1": {"a": "50", "b": "30"}}, submitted_at="2025-07-02T00:00:00Z"),
        build.proposal("B", {"R1": {"a": "50", "b": "30"}}, submitted_at="2025-07-01T00:00:00Z"),
        build.proposal("C", {"R1": {"a": "55", "b": "25"}}, submitted_at="2025-07-03T00:00:00Z"),
    ]
    assert rank_ids(build, proposals, tie_breaks=["criterion:a", "submitted_at"]) == ["C", "B", "A"]
    assert rank_ids(build, proposals, tie_breaks=["submitted_at", "criterion:a"]) == ["B", "A", "C"]


def test_submitted_at_compares_instants_not_text(build):
    # 09:00+09:00 is midnight UTC, before 01:00Z, though it sorts after it as text.
    proposals = [
        build.proposal("A", {"R1": {"a": "50", "b": "30"}}, submitted_at="2025-07-01T01:00:00Z"),
        build.proposal("B", {"R1": {"a": "50", "b": "30"}}, submitted_at="2025-07-01T09:00:00+09:00"),
    ]
    assert rank_ids(build, proposals, tie_breaks=["submitted_at"]) == ["B", "A"]


def test_id_breaks_the_last_tie_and_ranks_are_not_shared(build):
    proposals = [build.proposal(pid, {"R1": {"a": "50", "b": "30"}}) for pid in ("P-2", "P-10", "P-1")]
    assert rank_ids(build, proposals, tie_breaks=["submitted_at"]) == ["P-1", "P-10", "P-2"]


# --- 7. selection ----------------------------------------------------------------------


def selection(build, proposals, **policy):
    output = evaluate_json(build.document(proposals, **policy))
    return output["selected"], {r["id"]: r["reason"] for r in output["results"]}


def scored(pid, a, **fields):
    return {"id": pid, "budget": "100", "submitted_at": "2025-07-01T00:00:00Z", **fields,
            "reviews": [{"reviewer": "R1", "points": {"a": a, "b": "30"}}]}


def test_awards_filled(build):
    selected, reasons = selection(build, [scored("A", "60"), scored("B", "55"), scored("C", "50")], awards=2)
    assert selected == ["A", "B"]
    assert reasons == {"A": None, "B": None, "C": "awards filled"}


def test_zero_awards_select_nothing(build):
    selected, reasons = selection(build, [scored("A", "60")], awards=0)
    assert (selected, reasons) == ([], {"A": "awards filled"})


def test_one_per_names_the_field_and_value(build):
    proposals = [scored("A", "60", complex="창원"), scored("B", "55", complex="창원"), scored("C", "50", complex="구미")]
    selected, reasons = selection(build, proposals, one_per="complex")
    assert selected == ["A", "C"]
    assert reasons["B"] == "one per complex: 창원"


def test_budget_cap_skips_and_the_walk_goes_on(build):
    proposals = [scored("A", "60", budget="60"), scored("B", "55", budget="50"), scored("C", "50", budget="40")]
    selected, reasons = selection(build, proposals, budget_cap="100")
    assert selected == ["A", "C"]  # 60 + 40 = 100 reaches the cap without passing it
    assert reasons == {"A": None, "B": "budget cap exceeded", "C": None}


def test_failing_proposals_give_their_failure_reason_even_when_awards_are_filled(build):
    proposals = [scored("A", "60"), scored("B", "10"), build.proposal("C")]
    selected, reasons = selection(build, proposals, awards=1)
    assert reasons == {"A": None, "B": "below pass mark", "C": "no reviews"}


def test_checks_run_in_the_contract_order(build):
    # B fails all three later checks at once: awards filled is reported.
    proposals = [scored("A", "60", complex="x", budget="90"), scored("B", "55", complex="x", budget="90")]
    _, reasons = selection(build, proposals, awards=1, one_per="complex", budget_cap="100")
    assert reasons["B"] == "awards filled"
    # With awards left, one per comes before the budget cap.
    _, reasons = selection(build, proposals, awards=5, one_per="complex", budget_cap="100")
    assert reasons["B"] == "one per complex: x"


def test_a_skipped_proposal_does_not_block_its_value_or_budget(build):
    # B is skipped for the budget; C shares B's complex and still gets in.
    proposals = [
        scored("A", "60", complex="x", budget="80"),
        scored("B", "55", complex="y", budget="30"),
        scored("C", "50", complex="y", budget="20"),
    ]
    selected, reasons = selection(build, proposals, one_per="complex", budget_cap="100")
    assert selected == ["A", "C"]
    assert reasons["B"] == "budget cap exceeded"


def test_selected_lists_ids_in_rank_order(build):
    proposals = [scored("C", "50"), scored("A", "60"), scored("B", "55")]
    selected, _ = selection(build, proposals)
    assert selected == ["A", "B", "C"]
