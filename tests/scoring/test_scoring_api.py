"""The typed API the web app uses, and the package's promises about itself."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path

import scoring
from scoring import (
    CountRule,
    CoverageRule,
    Criterion,
    Policy,
    ProposalInput,
    Rubric,
    Sheet,
    StepsRule,
    evaluate,
    evaluate_json,
    explain,
    load_json,
    parse_input,
    results_to_json,
    reviewer_stats,
)

PACKAGE = Path(scoring.__file__).resolve().parent


def test_the_docstring_example_runs():
    # The usage shown in scoring/__init__.py, kept honest.
    rubric = Rubric(
        criteria=[
            Criterion("infra", "AX 인프라 구축 계획", Decimal("30")),
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
        bonus=Decimal("1"), fields={"complex": "창원국가산단"},
    )
    results = evaluate(rubric, policy, [proposal])
    top = results[0]
    # 27 + 4 (2 of 5 types) + 3 (0.6 × 5) + 1 = 35: below the pass mark.
    assert (top.rank, top.selected, top.reason) == (1, False, "below pass mark")
    assert top.score.total == Decimal("35.00")
    assert top.score.criteria["infra"] == 27
    assert explain(top, rubric, policy, "ko")
    assert [s.reviewer for s in reviewer_stats(results)] == ["R1", "R2"]
    assert results_to_json(results, policy)["results"][0]["total"] == "35.00"


def test_typed_and_contract_forms_agree(example):
    rubric, policy, proposals = parse_input(load_json(example.input_path.read_bytes()))
    assert results_to_json(evaluate(rubric, policy, proposals), policy) == example.output
    assert evaluate_json(example.input) == example.output


def test_results_carry_the_full_breakdown(example):
    rubric, policy, proposals = parse_input(example.input)
    top = evaluate(rubric, policy, proposals)[0]
    score = top.score
    assert top.id == "AX-2025-001" and top.passed and top.total == Decimal("89.17")
    assert score.dropped_reviewers == ("R3", "R4")
    assert [(s.reviewer, s.total, s.dropped) for s in score.sheets] == [
        ("R1", Decimal("66"), None),
        ("R2", Decimal("63.5"), None),  # A on poc is 22.5
        ("R3", Decimal("72"), "highest"),
        ("R4", Decimal("54"), "lowest"),
        ("R5", Decimal("63"), None),
    ]
    assert str(score.criteria["poc"]) == "21.8" + "3" * 97  # (22 + 22.5 + 21) / 3 to 100 significant digits
    assert score.auto["cov"].detail["distinct"] == 4
    assert score.auto["pocs"].value == 12
    assert score.bonus == 2 and score.proposal.bonus == 2
    assert str(score.total_exact).startswith("89.1666666666")


def test_constructors_coerce_strings_and_refuse_floats():
    criterion = Criterion("a", "A", "30")  # type: ignore[arg-type]
    assert criterion.max_points == Decimal("30") and criterion.kind == "review"
    assert CountRule("n", 4).denominator == 4
    proposal = ProposalInput("P", "10", datetime(2025, 7, 1, 9, 0))  # type: ignore[arg-type]
    assert proposal.budget == 10
    assert proposal.submitted_at.tzinfo is timezone.utc  # naive taken as UTC


def test_no_web_framework_and_no_float_in_the_package():
    done = subprocess.run(
        [sys.executable, "-c", "import scoring, sys; print(sorted(m for m in sys.modules if m.split('.')[0] in "
         "('flask', 'sqlalchemy', 'flask_sqlalchemy')))"],
        cwd=PACKAGE.parent, capture_output=True, text=True, check=True,
    )
    assert done.stdout.strip() == "[]"
    for path in PACKAGE.glob("*.py"):
        assert not re.search(r"\bfloat\(", path.read_text(encoding="utf-8")), path.name
