"""The code's layers, read from its imports: no loop, and nothing imports upwards.

core and models ← domain services ← views, forms, CLI and workers. Every import counts,
including those inside functions: a late import still ties the modules together.
"""
from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("app", "forms", "scoring", "workers")
DOMAINS = ("accounts", "calls", "proposals", "review", "selection", "notifications", "demo")
MAX_LINES = 400

# The core (clock, money, links, audit …) and the models are one floor: the models use the
# clock and the column types, the audit rule writes its own table.
BASE, DOMAIN, WEB = 0, 1, 2


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            found[name.removesuffix(".__init__")] = path
    return found


MODULES = _modules()


def _known(name: str) -> str | None:
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _imports(name: str, path: Path) -> set[str]:
    targets = set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join(parts + ([base] if base else []))
            targets.update(f"{base}.{alias.name}" for alias in node.names)
    return {known for t in targets if (known := _known(t)) and known != name}


GRAPH = {name: _imports(name, path) for name, path in MODULES.items()}


def layer(name: str) -> int | None:
    """The layer of a module of ``app``; None for the top-level packages outside it."""
    parts = name.split(".")
    if parts[0] in ("forms", "workers"):
        return WEB
    if parts[0] != "app":
        return None
    if len(parts) == 1 or parts[1] in ("web", "cli", "commands"):
        return WEB
    if parts[1] in ("core", "extensions", "models"):
        return BASE
    if "views" in parts[-1] or "views" in parts[2:]:
        return WEB
    return DOMAIN


def _cycles() -> list[list[str]]:
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in GRAPH[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in GRAPH:
        if v not in index:
            visit(v)
    return found


def test_the_walk_sees_the_imports():
    # Guards the test itself: a walk that found nothing would pass everything below.
    assert "app.notifications.outbox" in GRAPH["app.proposals.submission"]
    assert "app.core.clock" in GRAPH["app.models.calls"]
    assert layer("app.core.clock") == BASE and layer("app.web.officer_reviewers") == WEB


def test_no_import_loop():
    assert _cycles() == []


def test_nothing_imports_a_higher_layer():
    upward = [
        f"{name} -> {target}"
        for name, targets in GRAPH.items() if layer(name) is not None
        for target in targets
        if layer(target) is not None and layer(target) > layer(name)
    ]
    assert upward == []


def test_the_scoring_engine_knows_nothing_of_the_portal():
    assert [f"{n} -> {t}" for n, ts in GRAPH.items() if n.startswith("scoring")
            for t in ts if not t.startswith("scoring")] == []


def test_the_matching_engine_is_pure():
    """app.matching, like scoring, is shared by reviewer and supplier matching: no portal, no web, no database."""
    names = [n for n in MODULES if n.startswith("app.matching")]
    assert names and [f"{n} -> {t}" for n in names for t in GRAPH[n] if not t.startswith("app.matching")] == []
    outside = set()
    for name in names:
        for node in ast.walk(ast.parse(MODULES[name].read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                outside.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and not node.level:
                outside.add((node.module or "").split(".")[0])
    assert outside & {"flask", "flask_sqlalchemy", "sqlalchemy", "wtforms", "celery", "flask_babel"} == set()


def test_domain_services_do_not_depend_on_each_other_in_a_loop():
    """Between the domain packages, the service modules' imports run one way."""
    between = defaultdict(set)
    for name, targets in GRAPH.items():
        if layer(name) != DOMAIN or name.split(".")[1] not in DOMAINS:
            continue
        for target in targets:
            if layer(target) == DOMAIN and target.split(".")[1] in DOMAINS and target.split(".")[1] != name.split(".")[1]:
                between[name.split(".")[1]].add(target.split(".")[1])

    def reaches(start, goal, seen=()):
        return any(nxt == goal or (nxt not in seen and reaches(nxt, goal, (*seen, nxt))) for nxt in between[start])

    assert [d for d in DOMAINS if reaches(d, d)] == []


@pytest.mark.parametrize("name", sorted(n for n in MODULES if n.split(".")[0] in ("app", "forms", "workers")))
def test_modules_stay_small(name):
    lines = len(MODULES[name].read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{name} has {lines} lines; split it by job"
