"""Explanations of one proposal's score, on the worked example, in both languages."""

from __future__ import annotations

import pytest

from scoring import evaluate, explain, load_json, parse_input


@pytest.fixture(scope="module")
def call(example):
    rubric, policy, proposals = parse_input(load_json(example.input_path.read_bytes()))
    results = {r.id: r for r in evaluate(rubric, policy, proposals)}
    return lambda pid, locale: "\n".join(explain(results[pid], rubric, policy, locale))


def test_english_explains_drops_means_automatic_points_rounding_and_selection(call):
    text = call("AX-2025-001", "en")
    assert "R3 (highest, 72.00)" in text and "R4 (lowest, 54.00)" in text
    assert "기업 AX 실증 계획: mean 21.83 of 25 points" in text
    assert "4 distinct infrastructure_types against a target of 5, so 8.00 of 10" in text
    assert "complete_poc_plans is 12, counted up to 10, so 10.00 of 10" in text
    assert "private_matching_ratio is 0.31, which reaches 0.3 (ratio 1), so 5.00 of 5" in text
    assert "= 89.166666…, rounded half-up to 2 decimal place(s) only at this last step: 89.17." in text
    assert "Passed: the total 89.17 reaches the pass mark 70" in text
    assert text.endswith("Rank 1: selected.")


def test_korean_explains_the_same(call):
    text = call("AX-2025-001", "ko")
    assert "평가표(R3, 72.00점)" in text and "평가표(R4, 54.00점)" in text
    assert "기업 AX 실증 계획: 평균 21.83점 (배점 25점)" in text
    assert "반올림하여 89.17점" in text
    assert "통과: 총점 89.17점이 기준 70점 이상" in text
    assert text.endswith("순위 1위: 선정되었습니다.")


def test_bonus_cap(call):
    assert "Bonus: 4.00 claimed, capped at 3.00." in call("AX-2025-002", "en")
    assert "가점: 4.00점 신청, 상한 3.00점 적용." in call("AX-2025-002", "ko")


def test_tie_rule_required_value_floor_and_deduction(call):
    text = call("AX-2025-004", "en")
    assert "R3 was set aside rather than R7 with the same total" in text
    assert "R1 was set aside rather than R6 with the same total" in text
    assert "infrastructure_types lacks the required openlab, so 0 of 10" in text
    assert "Deduction: 0.50." in text
    assert "Not passed: AX 얼라이언스 운영 averages 3.67, below its floor of 4.00 (40% of 10)." in text
    assert "not selected, because it did not pass" in text
    ko = call("AX-2025-004", "ko")
    assert "미통과(과락): AX 얼라이언스 운영 평균 3.67점이 기준 4.00점(배점의 40%) 미만입니다." in ko


def test_one_per_and_budget_cap(call):
    assert "because AX-2025-001, with the same complex (창원국가산단), ranked higher" in call("AX-2025-003", "en")
    assert "상위 제안 AX-2025-001이(가) 이미 선정되어" in call("AX-2025-003", "ko")
    text = call("AX-2025-006", "en")
    assert "fewer than 5, so none was set aside" in text
    assert "budget of 14,000,000,000 won on top of the 27,500,000,000 won already selected" in text
    assert "= 76.00." in text  # exact already: no rounding sentence


def test_no_reviews_and_missing_fact(call):
    text = call("AX-2025-005", "en")
    assert text.startswith("No review sheets were received")
    assert "private_matching_ratio was not given, so 0 of 5 points." in text
    assert "Not passed: there are no review sheets." in text
    assert "제출된 평가표가 없습니다" in call("AX-2025-005", "ko")


def test_awards_filled_and_below_pass_mark(build):
    proposals = [
        build.proposal("A", {"R1": {"a": "60", "b": "30"}}),
        build.proposal("B", {"R1": {"a": "50", "b": "30"}}),
        build.proposal("C", {"R1": {"a": "10", "b": "30"}}),
    ]
    rubric, policy, items = parse_input(build.document(proposals, awards=1))
    results = {r.id: r for r in evaluate(rubric, policy, items)}
    assert "all 1 award(s) went to higher-ranked proposals" in explain(results["B"], rubric, policy, "en")[-1]
    assert "선정 수 1건이" in explain(results["B"], rubric, policy, "ko")[-1]
    assert "the total 40.00 is below the pass mark 70" in " ".join(explain(results["C"], rubric, policy, "en"))


def test_unknown_locale(call):
    with pytest.raises(ValueError, match="locale"):
        call("AX-2025-001", "fr")
