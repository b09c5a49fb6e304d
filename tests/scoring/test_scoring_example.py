"""The contract's worked example, in process and through the command."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from scoring import evaluate_json, load_json

ROOT = Path(__file__).resolve().parents[2]


def run_command(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "scoring", *args], cwd=ROOT, input=stdin, capture_output=True, timeout=60
    )


def test_copies_match_the_shared_examples(example):
    if not example.shared.is_dir():
        pytest.skip("shared/spec/examples is not next to this checkout")
    for name in ("ax-2025-input.json", "ax-2025-output.json"):
        assert (example.shared / name).read_bytes() == (Path(example.input_path).parent / name).read_bytes()


def test_example_reproduces_in_process(example):
    assert evaluate_json(load_json(example.input_path.read_bytes())) == example.output


def test_example_reproduces_through_the_command(example):
    done = run_command("evaluate", str(example.input_path))
    assert done.returncode == 0, done.stderr
    assert done.stderr == b""
    assert json.loads(done.stdout.decode("utf-8")) == example.output
    # UTF-8, not ASCII-escaped.
    assert "창원국가산단".encode() in done.stdout


def test_command_reads_standard_input(example):
    done = run_command("evaluate", "-", stdin=example.input_path.read_bytes())
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == example.output


def test_invalid_input_exits_2_with_one_line_and_no_output(example):
    document = json.loads(example.input_path.read_text(encoding="utf-8"))
    document["proposals"][0]["reviews"][1]["points"]["poc"] = "26"  # max 25
    done = run_command("evaluate", "-", stdin=json.dumps(document).encode())
    assert done.returncode == 2
    assert done.stdout == b""
    lines = done.stderr.decode("utf-8").splitlines()
    assert len(lines) == 1
    assert "AX-2025-001" in lines[0] and "R2" in lines[0] and "poc" in lines[0]


def test_malformed_json_exits_2(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"rubric": {', encoding="utf-8")
    done = run_command("evaluate", str(path))
    assert done.returncode == 2
    assert done.stdout == b""
    assert len(done.stderr.splitlines()) == 1
    assert b"malformed JSON" in done.stderr


def test_missing_file_exits_2(tmp_path):
    done = run_command("evaluate", str(tmp_path / "absent.json"))
    assert done.returncode == 2
    assert done.stdout == b""
    assert b"cannot read" in done.stderr


def test_reviewer_stats_only_when_asked(example):
    plain = run_command("evaluate", str(example.input_path))
    with_stats = run_command("evaluate", "--reviewer-stats", str(example.input_path))
    assert "reviewers" not in json.loads(plain.stdout)
    document = json.loads(with_stats.stdout)
    assert [r["reviewer"] for r in document["reviewers"]] == ["R1", "R2", "R3", "R4", "R5", "R6", "R7"]
    del document["reviewers"]
    assert document == example.output
