"""Stages: the shortlist from one stage to the next, the final score and the final ranking.

The AX demo's shape: 서면평가 (written) → 3배수 of 2 awards → 발표평가 (presentation),
final score 서면 30 % + 발표 70 %. Each proposal has one sheet on the default rubric
(a max 60, b max 40), so its stage total is a + b.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring import (
    FinalScore,
    ScoringInputError,
    evaluate,
    final_ranking,
    final_scores,
    parse_input,
    shortlist,
)

SETTINGS = settings(max_examples=150, deadline=None)
WEIGHTS = {"written": Decimal("30"), "presentation": Decimal("70")}
# Proposal → (a, b) points of its single sheet.
WRITTEN = {
    "AX-01": ("55", "36"),  # 91.00
    "AX-02": ("50", "32.4"),  # 82.40
    "AX-03": ("48", "30"),  # 78.00
    "AX-04": ("45", "30"),  # 75.00
    "AX-05": ("44", "30"),  # 74.00
    "AX-06": ("42", "30"),  # 72.00
    "AX-07": ("41", "30"),  # 71.00: passes, 7th, outside 3배수 (6)
    "AX-08": ("40", "20"),  # 60.00: below the pass mark 70
}
PRESENTATION = {
    "AX-01": ("50", "30"),  # 80.00
    "AX-02": ("52", "36"),  # 88.00
    "AX-03": ("54", "36"),  # 90.00
    "AX-04": ("50", "35.55"),  # 85.55
    "AX-05": ("45", "30"),  # 75.00
    "AX-06": ("35", "30"),  # 65.00: below the presentation's pass mark
}


def stage(build, points: dict[str, tuple[str, str]], **policy: object):
    """The engine's results of one stage, and its policy."""
    proposals = [
        build.proposal(pid, build.sheets(("R1", a, b)), submitted_at=f"2025-07-01T00:0{i}:00Z", complex=pid)
        for i, (pid, (a, b)) in enumerate(points.items())
    ]
    rubric, parsed_policy, inputs = parse_input(build.document(proposals, **{"awards": 2, **policy}))
    return evaluate(rubric, parsed_policy, inputs), parsed_policy


@pytest.fixture
def demo(build):
    written, policy = stage(build, WRITTEN, tie_breaks=["criterion:a"])
    going_on = shortlist(written, "multiple", 3, policy.awards, policy=policy, stage="written", next_stage="presentation")
    presented, _ = stage(build, {pid: PRESENTATION[pid] for pid in going_on.advancing})
    return written, policy, going_on, presented


def test_three_times_the_awards_go_on_in_rank_order(demo):
    _, _, going_on, _ = demo
    assert going_on.size == 6
    assert going_on.advancing == ("AX-01", "AX-02", "AX-03", "AX-04", "AX-05", "AX-06")
    assert going_on.not_advancing == ("AX-07", "AX-08")
    assert going_on.tied == ()
    assert going_on.explain("AX-02") == ["서면평가 2위, 통과: 3배수(6건) 안에 들어 발표평가 대상"]
    assert going_on.explain("AX-07") == ["서면평가 7위, 통과: 3배수(6건) 밖이라 발표평가 대상 아님"]
    assert going_on.explain("AX-08") == ["서면평가 8위, 미통과: 발표평가 대상 아님"]
    assert going_on.explain("AX-02", "en") == [
        "Written review rank 2, passed: within 3× the awards (6), so on to the presentation review"
    ]


def test_weighted_final_scores_by_hand(demo):
    written, _, _, presented = demo
    finals = final_scores({"written": written, "presentation": presented}, "weighted", WEIGHTS, 2)
    assert sorted(finals) == ["AX-01", "AX-02", "AX-03", "AX-04", "AX-05", "AX-06"]  # not AX-07, AX-08

    def by_hand(w: str, p: str) -> Decimal:
        exact = Decimal(w) * Decimal("0.30") + Decimal(p) * Decimal("0.70")
        return exact.quantize(Decimal("0.01"), ROUND_HALF_UP)

    assert finals["AX-02"].total == by_hand("82.40", "88.00") == Decimal("86.32")
    assert finals["AX-03"].total == by_hand("78.00", "90.00") == Decimal("86.40")
    assert finals["AX-01"].total == by_hand("91.00", "80.00") == Decimal("83.30")
    # 22.5 + 59.885 = 82.385: half-up, the contract's rounding (half-even would give 82.38).
    assert finals["AX-04"].exact == Decimal("82.385")
    assert finals["AX-04"].total == by_hand("75.00", "85.55") == Decimal("82.39")
    parts = finals["AX-02"].parts
    assert [(p.stage, p.total, p.weight, p.contribution) for p in parts] == [
        ("written", Decimal("82.40"), Decimal("30"), Decimal("24.72")),
        ("presentation", Decimal("88.00"), Decimal("70"), Decimal("61.60")),
    ]
    assert finals["AX-02"].explain() == ["서면 82.40점 × 30% = 24.72점, 발표 88.00점 × 70% = 61.60점, 합계 86.32점"]
    assert finals["AX-02"].explain("en") == [
        "Written 82.40 × 30% = 24.72, presentation 88.00 × 70% = 61.60, total 86.32"
    ]
    assert finals["AX-04"].explain() == [
        "서면 75.00점 × 30% = 22.50점, 발표 85.55점 × 70% = 59.885점, 합계 82.385점, 소수점 2자리로 반올림하여 82.39점"
    ]


def test_final_ranking_uses_the_calls_selection(demo):
    written, policy, _, presented = demo
    finals = final_scores({"written": written, "presentation": presented}, "weighted", WEIGHTS, 2)
    ranking = final_ranking(finals, policy)
    assert [(r.id, r.rank, r.total, r.selected, r.reason) for r in ranking] == [
        ("AX-03", 1, Decimal("86.40"), True, None),
        ("AX-02", 2, Decimal("86.32"), True, None),
        ("AX-01", 3, Decimal("83.30"), False, "awards filled"),  # first in 서면, third in the end
        ("AX-04", 4, Decimal("82.39"), False, "awards filled"),
        ("AX-05", 5, Decimal("74.70"), False, "awards filled"),
        # 67.10 and, before that, 65.00 in 발표평가 below its pass mark.
        ("AX-06", 6, Decimal("67.10"), False, "not passed at presentation: below pass mark"),
    ]
    assert not ranking[5].passed and ranking[4].passed
    assert ranking[1].explain()[-2:] == ["통과: 총점 86.32점이 기준 70점 이상입니다.", "순위 2위: 선정되었습니다."]
    assert ranking[5].explain("en")[-2:] == [
        "Not passed: it did not pass the presentation review (below the pass mark).",
        "Rank 6: not selected, because it did not pass.",
    ]


def test_last_mode_takes_the_last_stages_total(demo):
    written, policy, _, presented = demo
    finals = final_scores({"written": written, "presentation": presented}, "last", None, 2)
    assert {k: f.total for k, f in finals.items()} == {r.id: r.total for r in presented}
    assert [(p.stage, p.weight) for p in finals["AX-02"].parts] == [("presentation", Decimal("100"))]
    assert finals["AX-02"].explain() == ["최종점수: 마지막 단계인 발표평가 88.00점"]
    assert [r.id for r in final_ranking(finals, policy) if r.selected] == ["AX-03", "AX-02"]


def test_final_ties_break_on_the_latest_stages_criterion_and_one_per_holds(build):
    # X and Y both end on 80.00; 발표 scores Y's a higher, and they share a complex.
    def both(points):
        proposals = [build.proposal(pid, build.sheets(("R1", a, b)), complex="창원") for pid, (a, b) in points.items()]
        rubric, policy, inputs = parse_input(build.document(proposals, tie_breaks=["criterion:a"], one_per="complex"))
        return evaluate(rubric, policy, inputs), policy

    written, policy = both({"X": ("50", "30"), "Y": ("40", "40")})
    presented, _ = both({"X": ("40", "40"), "Y": ("50", "30")})
    finals = final_scores({"written": written, "presentation": presented}, "weighted", WEIGHTS, 2)
    ranking = final_ranking(finals, policy)
    assert [(r.id, r.total, r.selected, r.reason) for r in ranking] == [
        ("Y", Decimal("80.00"), True, None),
        ("X", Decimal("80.00"), False, "one per complex: 창원"),
    ]
    assert ranking[1].conflict_with == "Y"


def test_one_decimal_rounds_half_up_at_the_end_only():
    finals = final_scores({"written": {"P": "82.45"}, "presentation": {"P": "82.45"}}, "weighted", WEIGHTS, 1)
    assert finals["P"].exact == Decimal("82.45") and finals["P"].total == Decimal("82.5")


# --- the cut -----------------------------------------------------------------------

TIED = {"P-A": ("50", "30"), "P-B": ("45", "30"), "P-C": ("45", "30"), "P-D": ("40", "35"), "P-E": ("44", "30")}


def test_proposals_the_policy_cannot_separate_at_the_cut_all_go_on(build):
    # P-B, P-C, P-D all 75.00; no tie-break: only the id orders them.
    results, policy = stage(build, TIED)
    going_on = shortlist(results, "top", 2, None, policy=policy, next_stage="presentation")
    assert going_on.advancing == ("P-A", "P-B", "P-C", "P-D")
    assert going_on.tied == ("P-C", "P-D")
    assert going_on.not_advancing == ("P-E",)
    assert going_on.explain("P-C") == [
        "서면평가 3위, 통과: 상위 2건 밖이지만 2위 P-B와(과) 총점과 동점 처리 기준이 모두 같아 함께 발표평가 대상"
    ]
    assert "equal to P-B (rank 2) on the total and every tie-break" in going_on.explain("P-D", "en")[0]


def test_a_tie_break_that_separates_them_decides_the_cut(build):
    # criterion:a puts P-B and P-C (a 45) before P-D (a 40); P-C still ties P-B.
    results, policy = stage(build, TIED, tie_breaks=["criterion:a"])
    going_on = shortlist(results, "top", 2, None, policy=policy)
    assert going_on.advancing == ("P-A", "P-B", "P-C") and going_on.tied == ("P-C",)
    results, policy = stage(build, TIED, tie_breaks=["criterion:a", "submitted_at"])
    going_on = shortlist(results, "top", 2, None, policy=policy)
    assert going_on.advancing == ("P-A", "P-B") and going_on.tied == ()
    assert going_on.explain("P-C") == ["서면평가 3위, 통과: 상위 2건 밖이라 다음 단계 대상 아님"]


def test_fewer_passing_than_the_shortlist_size(build):
    results, policy = stage(build, {"P1": ("50", "30"), "P2": ("10", "10"), "P3": ("45", "30"), "P4": ("5", "5")})
    going_on = shortlist(results, "multiple", 3, 2, policy=policy)
    assert going_on.size == 6
    assert going_on.advancing == ("P1", "P3") and going_on.not_advancing == ("P2", "P4")
    everyone = shortlist(results, "all", None, None, policy=policy, next_stage="site")
    assert everyone.advancing == ("P1", "P3") and everyone.size is None
    assert everyone.explain("P3") == ["서면평가 2위, 통과: 통과한 제안은 모두 현장평가 대상"]
    assert everyone.explain("P2", "en") == ["Written review rank 3, not passed: not on to the site visit"]


def test_a_tie_break_on_a_criterion_the_stage_lacks_is_refused(build):
    results, policy = stage(build, TIED)
    with pytest.raises(ScoringInputError) as caught:  # the next stage's policy, say
        shortlist(results, "top", 2, None, policy=replace(policy, tie_breaks=("criterion:demo",)))
    assert caught.value.field == "policy.tie_breaks"


def test_a_failing_proposal_ranked_above_the_cut_takes_no_place(build):
    # P2 ranks second but fails the floor; top 2 are the first two of those passing.
    # P2 (b 15 of 40) is below the floor of 16.
    results, policy = stage(build, {"P1": ("55", "30"), "P2": ("60", "15"), "P3": ("45", "30"), "P4": ("40", "31")},
                            criterion_floor="0.4")
    assert [r.id for r in results] == ["P1", "P2", "P3", "P4"] and not results[1].passed
    going_on = shortlist(results, "top", 2, None, policy=policy)
    assert going_on.advancing == ("P1", "P3")


# --- refusals ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "value", "awards", "field"),
    [("best", 2, 2, "shortlist.rule"), ("top", 0, None, "shortlist.value"), ("top", "3", None, "shortlist.value"),
     ("multiple", 3, None, "shortlist.awards"), ("multiple", 1.5, 2, "shortlist.value")],
)
def test_bad_shortlist_rules_are_refused(build, rule, value, awards, field):
    results, policy = stage(build, TIED)
    with pytest.raises(ScoringInputError) as caught:
        shortlist(results, rule, value, awards, policy=policy)
    assert caught.value.field == field


@pytest.mark.parametrize(
    ("weights", "field", "words"),
    [
        ({"written": Decimal("30"), "presentation": Decimal("60")}, "final_score.weights", "sum to 100 percent, not 90"),
        ({"written": "30.5", "presentation": "70"}, "final_score.weights", "not 100.5"),
        ({"written": Decimal("30")}, "final_score.weights.presentation", "no weight"),
        ({**WEIGHTS, "site": Decimal("0")}, "final_score.weights.site", "no stage"),
        ({"written": 0.3, "presentation": Decimal("70")}, "final_score.weights.written", "decimal number"),
        ({"written": Decimal("-30"), "presentation": Decimal("130")}, "final_score.weights.written", "below 0"),
        (None, "final_score.weights", "weight per stage"),
    ],
)
def test_weights_not_summing_to_100_are_refused_with_the_field(weights, field, words):
    with pytest.raises(ScoringInputError, match=words) as caught:
        final_scores({"written": {"P": "80"}, "presentation": {"P": "90"}}, "weighted", weights, 2)
    assert caught.value.field == field
    assert field in str(caught.value)


def test_bad_final_inputs_are_refused_with_the_field():
    totals = {"written": {"P": "80"}, "presentation": {"P": "90"}}
    cases = [
        (lambda: final_scores(totals, "average", None, 2), "final_score.mode"),
        (lambda: final_scores(totals, "last", None, 13), "final_score.decimals"),
        (lambda: final_scores({}, "last", None, 2), "final_score.stages"),
        (lambda: final_scores({"written": {"P": 80.5}}, "last", None, 2), "stage_totals.written"),
        (lambda: final_scores({"written": {}, "presentation": {"P": "90"}}, "weighted", WEIGHTS, 2),
         "stage_totals.written"),
    ]
    for call, field in cases:
        with pytest.raises(ScoringInputError) as caught:
            call()
        assert caught.value.field == field


def test_a_final_ranking_that_needs_proposal_data_refuses_totals_alone(build):
    _, policy = stage(build, TIED, one_per="complex")
    finals = final_scores({"written": {"P": "80"}}, "last", None, 2)
    with pytest.raises(ScoringInputError) as caught:
        final_ranking(finals, policy)
    assert caught.value.field == "policy.one_per" and caught.value.proposal == "P"
    _, plain = stage(build, TIED)
    assert [(r.id, r.selected) for r in final_ranking(finals, plain)] == [("P", True)]


# --- properties ----------------------------------------------------------------------

TWO_PLACES = st.integers(0, 10_000).map(lambda n: Decimal(n).scaleb(-2))


@st.composite
def stage_calls(draw):
    points = {
        f"P-{i}": (str(draw(st.integers(0, 12)) * 5), str(draw(st.integers(0, 8)) * 5))
        for i in range(draw(st.integers(0, 9)))
    }
    policy = {
        "pass_mark": str(draw(st.integers(0, 90))),
        "tie_breaks": draw(st.sampled_from([[], ["criterion:a"], ["submitted_at"], ["criterion:b", "criterion:a"]])),
    }
    rule = draw(st.sampled_from(["all", "top", "multiple"]))
    return points, policy, rule, draw(st.integers(1, 4)), draw(st.integers(1, 3))


@SETTINGS
@given(stage_calls())
def test_the_shortlist_is_a_prefix_of_the_ranking_among_passing(build, call):
    points, policy_fields, rule, value, awards = call
    results, policy = stage(build, points, **policy_fields)
    going_on = shortlist(results, rule, value, awards, policy=policy)
    passing = [r for r in results if r.passed]
    ids = [r.id for r in passing]
    n = len(going_on.advancing)
    assert list(going_on.advancing) == ids[:n]
    assert sorted(going_on.advancing + going_on.not_advancing) == sorted(r.id for r in results)
    size = going_on.size if going_on.size is not None else len(passing)
    assert n >= min(size, len(passing))

    def ranks_by(r):  # what the policy ranks by, without the id
        return (r.total, *(r.score.criteria[t.split(":")[1]] if t != "submitted_at" else r.score.proposal.submitted_at
                           for t in policy.tie_breaks))

    if n > size:  # past the cut only ties with the last one inside
        assert all(ranks_by(r) == ranks_by(passing[size - 1]) for r in passing[size:n])
    if 0 < n < len(passing):  # and the first one left out is not tied with it
        assert ranks_by(passing[n]) != ranks_by(passing[n - 1])


@st.composite
def weights(draw, stages):
    """Percent weights with up to two decimals, summing exactly to 100."""
    cuts = sorted(draw(st.lists(st.integers(0, 10_000), min_size=len(stages) - 1, max_size=len(stages) - 1)))
    bounds = [0, *cuts, 10_000]
    return {s: Decimal(bounds[i + 1] - bounds[i]).scaleb(-2) for i, s in enumerate(stages)}


STAGE_LISTS = st.sampled_from([["written"], ["written", "presentation"], ["written", "presentation", "site"]])


@SETTINGS
@given(STAGE_LISTS, TWO_PLACES, st.data())
def test_weighted_final_of_equal_stage_totals_is_that_total(stages, total, data):
    shares = data.draw(weights(stages))
    final = final_scores({s: {"P": total} for s in stages}, "weighted", shares, 2)["P"]
    assert final.exact == total and final.total == total


@SETTINGS
@given(STAGE_LISTS, st.data())
def test_the_final_score_is_monotone_in_each_stage_total(stages, data):
    shares = data.draw(weights(stages))
    decimals = data.draw(st.integers(0, 3))
    totals = {s: data.draw(TWO_PLACES) for s in stages}
    raised_stage = data.draw(st.sampled_from(stages))
    raised = {**totals, raised_stage: totals[raised_stage] + data.draw(TWO_PLACES)}
    mode = data.draw(st.sampled_from(["last", "weighted"]))
    before = final_scores({s: {"P": t} for s, t in totals.items()}, mode, shares, decimals)["P"]
    after = final_scores({s: {"P": t} for s, t in raised.items()}, mode, shares, decimals)["P"]
    assert after.exact >= before.exact and after.total >= before.total


@SETTINGS
@given(STAGE_LISTS, st.data())
def test_no_float_anywhere_and_figures_survive_a_decimal_round_trip(stages, data):
    shares = data.draw(weights(stages))
    decimals = data.draw(st.integers(0, 3))
    totals = {s: data.draw(TWO_PLACES) for s in stages}
    final: FinalScore = final_scores({s: {"P": str(t)} for s, t in totals.items()}, "weighted", shares, decimals)["P"]
    figures = [final.exact, final.total, *(x for p in final.parts for x in (p.total, p.weight, p.contribution))]
    assert all(type(x) is Decimal and Decimal(str(x)) == x for x in figures)
    # The parts are exact: they add up to the unrounded sum, which the total rounds once.
    assert sum(p.contribution for p in final.parts) == final.exact
    assert final.total == final.exact.quantize(Decimal(1).scaleb(-decimals), ROUND_HALF_UP)
    for locale in ("ko", "en"):
        (line,) = final.explain(locale)
        assert str(final.total) in line
