"""Benchmark of the scoring command: 10,000 proposals × 7 sheets × 10 criteria.

Run from the repository root: ``python bench/scoring_bench.py [--proposals N] [--repeat R]``.
It reports the command's own work (read input, parse, evaluate, write output JSON),
measured in-process so interpreter start-up is left out, its peak Python memory
(tracemalloc, in a separate run because tracing slows everything down), and the whole
``python -m scoring evaluate`` process for comparison (wall time, peak RSS).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scoring.cli import read_input, run  # noqa: E402

REVIEW = [("c%d" % i, m) for i, m in enumerate((15, 10, 10, 10, 10, 5, 5, 5, 5, 5))]
GRADES = {"S": "1", "A": "0.9", "B": "0.8", "C": "0.7", "D": "0.6"}


def make_input(proposals: int, sheets: int, seed: int = 2025) -> dict:
    """A call shaped like the AX call: 10 reviewed criteria (what each sheet scores) and 3 automatic ones."""
    rng = random.Random(seed)
    criteria = [{"key": k, "label": k, "max_points": str(m), "kind": "review"} for k, m in REVIEW]
    criteria += [
        {"key": "cov", "label": "cov", "max_points": "5", "kind": "auto",
         "rule": {"type": "coverage", "fact": "types", "target": 5, "required": ["openlab"]}},
        {"key": "pocs", "label": "pocs", "max_points": "10", "kind": "auto",
         "rule": {"type": "count", "fact": "pocs", "target": 10}},
        {"key": "match", "label": "match", "max_points": "5", "kind": "auto",
         "rule": {"type": "steps", "fact": "ratio", "steps": [["0.3", "1"], ["0.2", "0.6"], ["0.1", "0.3"]]}},
    ]
    types = ["openlab", "virtual_factory", "lead_factory", "private5g", "digital_twin", "saas", "support_center"]
    reviewers = ["R%03d" % i for i in range(200)]
    items = []
    for n in range(proposals):
        reviews = []
        for reviewer in rng.sample(reviewers, sheets):
            points = {}
            for key, top in REVIEW:
                if rng.random() < 0.1:
                    points[key] = rng.choice(list(GRADES))
                else:
                    halves = rng.randint(top, top * 2)  # between half and full marks, in half points
                    points[key] = str(halves // 2) + (".5" if halves % 2 else "")
            reviews.append({"reviewer": reviewer, "points": points})
        items.append({
            "id": "P-%05d" % n,
            "complex": "complex-%d" % rng.randrange(40),
            "budget": str(rng.randrange(50, 150) * 100_000_000),
            "submitted_at": "2025-07-%02dT%02d:%02d:00Z" % (rng.randint(1, 28), rng.randrange(24), rng.randrange(60)),
            "facts": {"types": rng.sample(types, rng.randint(1, 7)), "pocs": rng.randrange(15),
                      "ratio": "0.%02d" % rng.randrange(50)},
            "bonus": str(rng.randrange(5)),
            "deduction": rng.choice(["0", "0", "0.5", "1"]),
            "reviews": reviews,
        })
    return {
        "rubric": {"criteria": criteria, "grades": GRADES, "bonus_cap": "3"},
        "policy": {"trim_from": 5, "pass_mark": "70", "criterion_floor": "0.4", "awards": 10,
                   "one_per": "complex", "budget_cap": "140000000000",
                   "tie_breaks": ["criterion:c0", "submitted_at"], "decimals": 2},
        "proposals": items,
    }


def command_work(path: str) -> tuple[float, str]:
    start = time.perf_counter()
    output = run(read_input(path))
    return time.perf_counter() - start, output


def machine() -> str:
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"nproc {os.cpu_count()}, CPU {model}, Python {platform.python_version()} ({platform.python_implementation()})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--proposals", type=int, default=10_000)
    parser.add_argument("--sheets", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "input.json")
        Path(path).write_text(json.dumps(make_input(args.proposals, args.sheets), ensure_ascii=False), encoding="utf-8")
        size = os.path.getsize(path)
        print(f"machine: {machine()}")
        print(f"input: {args.proposals} proposals × {args.sheets} sheets × 10 criteria, {size / 1e6:.1f} MB")

        times = []
        for _ in range(args.repeat):
            elapsed, output = command_work(path)
            times.append(elapsed)
        selected = len(json.loads(output)["selected"])
        print(f"command's own work (read + parse + evaluate + write JSON), {args.repeat} runs: "
              f"best {min(times):.3f} s, median {sorted(times)[len(times) // 2]:.3f} s ({selected} selected)")

        tracemalloc.start()
        command_work(path)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"peak Python memory during the command's work (tracemalloc): {peak / 2**20:.0f} MiB")

        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "scoring", "evaluate", path], cwd=ROOT,
                              stdout=subprocess.DEVNULL, check=True)
        wall = time.perf_counter() - start
        rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"whole process `python -m scoring evaluate` (start-up included): {wall:.3f} s wall, "
              f"peak RSS {rss:.0f} MiB, exit {done.returncode}")


if __name__ == "__main__":
    main()
