"""Gongmo's evaluation engine (선정평가): pure Python, standard library, Decimal only.

The contract is ``shared/spec/scoring.md``. Two ways in:

The contract form, as the command uses it::

    from scoring import evaluate_json
    output = evaluate_json(input_document)      # dict in, dict out; figures are strings

Typed objects, as the web app builds them from database rows::

    from decimal import Decimal
    from scoring import (Criterion, CoverageRule, CountRule, StepsRule, Rubric, Policy,
                         ProposalInput, Sheet, evaluate, explain, results_to_json, reviewer_stats)

    rubric = Rubric(
        criteria=[
            Criterion("infra", "인프라 구축 계획", Decimal("30")),
            Criterion("cov", "인프라 유형 포괄성", Decimal("10"),
                      rule=CoverageRule(fact="infrastructure_types", target=5, required=("openlab",))),
            Criterion("match", "민간부담 비율", Decimal("5"),
                      rule=StepsRule(fact="private_matching_ratio",
                                     steps=((Decimal("0.3"), Decimal("1")), (Decimal("0.2"), Decimal("0.6"))))),
        ],
        grades={"S": Decimal("1"), "A": Decimal("0.9")},
        bonus_cap=Decimal("3"),
    )
    policy = Policy(trim_from=5, pass_mark=Decimal("70"), awards=10, decimals=2,
                    tie_breaks=("criterion:infra", "submitted_at"), criterion_floor=Decimal("0.4"),
                    one_per="complex", budget_cap=Decimal("140000000000"))
    proposal = ProposalInput(
        id="P-001", budget=Decimal("14000000000"), submitted_at="2025-07-28T05:12:00Z",
        reviews=[Sheet("R1", {"infra": Decimal("27")}), Sheet("R2", {"infra": "A"})],
        facts={"infrastructure_types": ["openlab", "private5g"], "private_matching_ratio": Decimal("0.25")},
        bonus=Decimal("1"), fields={"complex": "창원국가산업단지"},
    )
    results = evaluate(rubric, policy, [proposal])     # list[Result], rank order
    top = results[0]
    top.rank, top.selected, top.reason                 # 1, False, 'below pass mark'
    top.score.total, top.score.criteria["infra"]       # Decimal('35.00'), Decimal('27')
    explain(top, rubric, policy, "ko")                 # list of sentences for the result page
    reviewer_stats(results)                            # list[ReviewerStats] for officers
    results_to_json(results, policy)                   # the contract's output document

A call in stages (서면 → 발표 → 현장) runs ``evaluate`` once per stage, then::

    from scoring import final_ranking, final_scores, shortlist

    written = evaluate(rubric, policy, proposals)
    going_on = shortlist(written, "multiple", 3, policy.awards, policy=policy,
                         stage="written", next_stage="presentation")     # 3배수
    going_on.advancing, going_on.explain("P-003", "ko")
    presented = evaluate(presentation_rubric, presentation_policy,
                         [p for p in proposals if p.id in going_on.advancing])
    finals = final_scores({"written": written, "presentation": presented}, "weighted",
                          {"written": Decimal("30"), "presentation": Decimal("70")}, decimals=2)
    final_ranking(finals, policy)                      # list[FinalResult], rank order

Bad input raises ``ScoringInputError``, whose ``proposal``, ``reviewer`` and
``criterion`` attributes locate the fault and whose ``str()`` is one line.
"""

from .api import evaluate_json
from .engine import evaluate, score_all
from .errors import ScoringInputError
from .explain import explain
from .model import Criterion, Policy, ProposalInput, Result, Rubric, Score, Sheet, SheetTotal
from .output import results_to_json
from .parse import load_json, parse_input
from .rules import AutoScore, CountRule, CoverageRule, StepsRule
from .select import rank, rank_and_select, select
from .stages import FinalResult, FinalScore, Shortlist, StagePart, final_ranking, final_scores, shortlist
from .stats import ReviewerStats, SheetDeviation, reviewer_stats

__all__ = [
    "AutoScore",
    "CountRule",
    "CoverageRule",
    "Criterion",
    "FinalResult",
    "FinalScore",
    "Policy",
    "ProposalInput",
    "Result",
    "ReviewerStats",
    "Rubric",
    "Score",
    "ScoringInputError",
    "Sheet",
    "SheetDeviation",
    "SheetTotal",
    "Shortlist",
    "StagePart",
    "StepsRule",
    "evaluate",
    "evaluate_json",
    "explain",
    "final_ranking",
    "final_scores",
    "load_json",
    "parse_input",
    "rank",
    "rank_and_select",
    "results_to_json",
    "reviewer_stats",
    "score_all",
    "select",
    "shortlist",
]
