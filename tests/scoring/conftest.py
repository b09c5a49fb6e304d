"""Builders for contract documents, shared by the scoring tests as fixtures.

Fixtures rather than an imported helper module, so the tests work whatever import mode
and package layout the repository's pytest configuration uses.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from scoring import evaluate_json

# Copies of shared/spec/examples, so a bare clone of the repository can run the tests;
# test_scoring_example checks the copies against the originals when those are present.
EXAMPLES = Path(__file__).resolve().parent / "examples"
SHARED_EXAMPLES = Path(__file__).resolve().parents[3] / "shared" / "spec" / "examples"

# Two reviewed criteria (60 + 40 points) unless a test passes its own rubric.
RUBRIC = {
    "criteria": [
        {"key": "a", "label": "계획", "max_points": "60", "kind": "review"},
        {"key": "b", "label": "역량", "max_points": "40", "kind": "review"},
    ],
    "grades": {"S": "1", "A": "0.9", "B": "0.8", "C": "0.7", "D": "0.6"},
}
POLICY = {"trim_from": 5, "pass_mark": "70", "awards": 10, "decimals": 2, "tie_breaks": []}


def proposal(pid: str, sheets: dict[str, dict[str, object]] | None = None, **fields: object) -> dict:
    """A proposal; ``sheets`` maps reviewer → points."""
    doc = {"id": pid, "budget": "100", "submitted_at": "2025-07-01T00:00:00Z"}
    doc.update(fields)
    doc["reviews"] = [{"reviewer": r, "points": dict(points)} for r, points in (sheets or {}).items()]
    return doc


def sheets(*totals: tuple[str, str, str]) -> dict[str, dict[str, object]]:
    """Sheets from (reviewer, a, b) triples."""
    return {r: {"a": a, "b": b} for r, a, b in totals}


def document(proposals: list[dict], rubric: dict | None = None, **policy: object) -> dict:
    return {
        "rubric": copy.deepcopy(rubric or RUBRIC),
        "policy": {**POLICY, **policy},
        "proposals": proposals,
    }


def by_id(output: dict) -> dict[str, dict]:
    return {r["id"]: r for r in output["results"]}


def evaluate_one(p: dict, rubric: dict | None = None, **policy: object) -> dict:
    """The single result of a call with one proposal."""
    return evaluate_json(document([p], rubric, **policy))["results"][0]


@pytest.fixture(scope="session")
def build() -> SimpleNamespace:
    return SimpleNamespace(
        proposal=proposal,
        sheets=sheets,
        document=document,
        by_id=by_id,
        one=evaluate_one,
        rubric=lambda: copy.deepcopy(RUBRIC),
    )


@pytest.fixture(scope="session")
def example() -> SimpleNamespace:
    return SimpleNamespace(
        shared=SHARED_EXAMPLES,
        input_path=EXAMPLES / "ax-2025-input.json",
        output_path=EXAMPLES / "ax-2025-output.json",
        input=json.loads((EXAMPLES / "ax-2025-input.json").read_text(encoding="utf-8")),
        output=json.loads((EXAMPLES / "ax-2025-output.json").read_text(encoding="utf-8")),
    )
