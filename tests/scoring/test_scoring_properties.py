"""Properties over generated calls: order independence, monotonicity, and the
selection's constraints and maximality."""

from __future__ import annotations

import copy
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scoring import evaluate, evaluate_json, explain, parse_input

GRADES = {"S": "1", "A": "0.9", "B": "0.8", "C": "0.7", "D": "0.6"}
MAX = {"a": 60, "b": 40}
RUBRIC = {
    "criteria": [
        {"key": "a", "label": "a", "max_points": "60", "kind": "review"},
        {"key": "cov", "label": "cov", "max_points": "10", "kind": "auto",
         "rule": {"type": "coverage", "fact": "types", "target": 3, "required": ["lab"]}},
        {"key": "b", "label": "b", "max_points": "40", "kind": "review"},
        {"key": "stp", "label": "stp", "max_points": "5", "kind": "auto",
         "rule": {"type": "steps", "fact": "ratio", "steps": [["0.3", "1"], ["0.1", "0.5"]]}},
    ],
    "grades": GRADES,
    "bonus_cap": "3",
}
REVIEWERS = ["R1", "R2", "R3", "R10", "R11", "R20", "R9"]
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def points(maximum: int) -> st.SearchStrategy[str]:
    halves = st.integers(0, 2 * maximum).map(lambda h: f"{h // 2}.5" if h % 2 else str(h // 2))
    thousandths = st.integers(0, 1000 * maximum).map(lambda m: str(Decimal(m).scaleb(-3)))
    return st.one_of(halves, thousandths, st.sampled_from(sorted(GRADES)))


@st.composite
def calls(draw) -> dict:
    proposals = []
    for number in range(draw(st.integers(0, 8))):
        reviewers = draw(st.lists(st.sampled_from(REVIEWERS), unique=True, max_size=7))
        proposals.append({
            "id": f"P-{number}",
            "complex": draw(st.sampled_from(["창원", "구미", "여수"])),
            "budget": str(draw(st.integers(1, 60))),
            "submitted_at": f"2025-07-0{draw(st.integers(1, 3))}T00:00:00Z",
            "bonus": str(draw(st.integers(0, 5))),
            "deduction": draw(st.sampled_from(["0", "0.5", "1"])),
            "facts": {"types": draw(st.lists(st.sampled_from(["lab", "5g", "saas", "twin"]), max_size=4)),
                      "ratio": draw(st.sampled_from(["0", "0.1", "0.25", "0.3", "0.5"]))},
            "reviews": [{"reviewer": r, "points": {"a": draw(points(60)), "b": draw(points(40))}} for r in reviewers],
        })
    policy = {
        "trim_from": draw(st.integers(3, 6)),
        "pass_mark": str(draw(st.integers(0, 90))),
        "awards": draw(st.integers(0, 4)),
        "decimals": draw(st.integers(0, 3)),
        "tie_breaks": draw(st.sampled_from([[], ["criterion:a"], ["submitted_at", "criterion:b"], ["criterion:cov"]])),
    }
    if draw(st.booleans()):
        policy["criterion_floor"] = draw(st.sampled_from(["0.3", "0.5", "0.8"]))
    if draw(st.booleans()):
        policy["one_per"] = "complex"
    if draw(st.booleans()):
        policy["budget_cap"] = str(draw(st.integers(0, 150)))
    return {"rubric": copy.deepcopy(RUBRIC), "policy": policy, "proposals": proposals}


@SETTINGS
@given(calls(), st.randoms(use_true_random=False))
def test_results_do_not_depend_on_the_order_of_proposals_or_sheets(call, rng):
    shuffled = copy.deepcopy(call)
    rng.shuffle(shuffled["proposals"])
    for proposal in shuffled["proposals"]:
        rng.shuffle(proposal["reviews"])
    assert evaluate_json(shuffled, reviewer_stats=True) == evaluate_json(call, reviewer_stats=True)


def point_value(raw: str, maximum: int) -> Decimal:
    return Decimal(GRADES[raw]) * maximum if raw in GRADES else Decimal(raw)


@SETTINGS
@given(calls(), st.data())
def test_raising_a_reviewers_points_never_lowers_the_total(call, data):
    reviewed = [p for p in call["proposals"] if p["reviews"]]
    if not reviewed:
        return
    proposal = data.draw(st.sampled_from(reviewed))
    sheet = data.draw(st.sampled_from(proposal["reviews"]))
    key = data.draw(st.sampled_from(["a", "b"]))
    before = point_value(sheet["points"][key], MAX[key])
    raised = data.draw(
        st.integers(int(before * 1000), 1000 * MAX[key]).map(lambda m: Decimal(m).scaleb(-3))
    )
    old_total = Decimal(next(r for r in evaluate_json(call)["results"] if r["id"] == proposal["id"])["total"])
    sheet["points"][key] = str(raised)
    new_total = Decimal(next(r for r in evaluate_json(call)["results"] if r["id"] == proposal["id"])["total"])
    assert new_total >= old_total


@SETTINGS
@given(calls())
def test_the_selection_keeps_its_constraints_and_skips_nothing_that_fits(call):
    policy = call["policy"]
    proposals = {p["id"]: p for p in call["proposals"]}
    output = evaluate_json(call)
    results = output["results"]
    selected = [r for r in results if r["selected"]]
    assert output["selected"] == [r["id"] for r in selected]
    assert [r["rank"] for r in results] == list(range(1, len(results) + 1))
    assert all(r["passed"] for r in selected)
    assert len(selected) <= policy["awards"]
    field = policy.get("one_per")
    if field:
        values = [proposals[r["id"]][field] for r in selected]
        assert len(values) == len(set(values))
    cap = Decimal(policy["budget_cap"]) if "budget_cap" in policy else None
    spent = sum((Decimal(proposals[r["id"]]["budget"]) for r in selected), Decimal(0))
    if cap is not None:
        assert spent <= cap
    # Maximality: adding any passing proposal left out would break a constraint.
    for r in results:
        if r["passed"] and not r["selected"]:
            p = proposals[r["id"]]
            breaks = (
                len(selected) + 1 > policy["awards"]
                or (field and p[field] in {proposals[s["id"]][field] for s in selected})
                or (cap is not None and spent + Decimal(p["budget"]) > cap)
            )
            assert breaks, f"{r['id']} passed and would have fitted"


@settings(max_examples=40, deadline=None)
@given(calls())
def test_every_result_can_be_explained_in_both_languages(call):
    rubric, policy, proposals = parse_input(call)
    for result in evaluate(rubric, policy, proposals):
        for locale in ("ko", "en"):
            lines = explain(result, rubric, policy, locale)
            assert lines and all(isinstance(line, str) and line for line in lines)
