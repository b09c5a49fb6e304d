"""The one rule of refusals: an object the user may not see is 404, whether it exists or not.

Every object is loaded by ``app/web/loaders.py``; the permission matrix says which refusals are a
404. Here each of those is asked again with ids that name no row at all: the answer must be the
very same page, so a refusal never tells whether the object exists. And no view queries the
database itself: views call the loaders and the domain services.
"""
from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask import url_for

from tests.security.conftest import PERSONAS
from tests.security.test_permission_matrix import EXPECTED, OVERRIDES, _refusal, _rules
from tests.support import sign_in

ROOT = Path(__file__).resolve().parents[2]
NO_ROW = 2**31 - 1  # the largest id a route accepts (app.web.DatabaseId): a row that does not exist


def _hidden_cells(persona: str):
    return sorted((endpoint, method) for (endpoint, method), row in EXPECTED.items()
                  if row[persona] == "deny" and _refusal(endpoint, method, persona) == 404)


def _url(app, world, endpoint: str, *, missing: bool) -> str:
    rule = _rules(app)[endpoint]
    # A value fixed for the endpoint (a step's name, a locale) is not an object's id.
    values = {name: world.ids[name] for name in rule.arguments if name not in OVERRIDES.get(endpoint, {})}
    if missing:
        values = {name: NO_ROW if isinstance(value, int) else value for name, value in values.items()}
    values.update(OVERRIDES.get(endpoint, {}))
    return url_for(endpoint, **values)


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "anon"])
def test_a_hidden_object_answers_like_one_that_does_not_exist(app, client, world, persona):
    sign_in(client, world.user(persona))
    wrong = []
    cells = _hidden_cells(persona)
    for endpoint, method in cells:
        answers = []
        for missing in (False, True):
            url = _url(app, world, endpoint, missing=missing)
            resp = client.open(url, method=method, data={} if method == "POST" else None)
            # The page links back to its own address (the language switch); nothing else may differ.
            answers.append((resp.status_code, resp.get_data(as_text=True).replace(urlsplit(url).path, "URL")))
        (hidden_code, hidden_page), (missing_code, missing_page) = answers
        if hidden_code != 404 or missing_code != 404 or hidden_page != missing_page:
            wrong.append(f"{method} {endpoint}: {hidden_code} for the hidden object, {missing_code} for none")
    assert cells, f"{persona}: no hidden object to ask for"
    assert not wrong, f"{persona}:\n" + "\n".join(wrong)


VIEW_MODULES = sorted(
    path for path in (ROOT / "app" / "web").rglob("*.py") if path.stem != "loaders"
)
# What belongs in a domain service (or app/web/loaders.py), not in a view.
QUERY = re.compile(r"\bselect\(|db\.session\.(scalar|scalars|execute)\(|get_or_404\(")


def test_the_walk_finds_the_views():
    names = {p.relative_to(ROOT).as_posix() for p in VIEW_MODULES}
    assert {"app/web/review.py", "app/web/officer_reviewers.py", "app/web/main.py",
            "app/web/proposals/drafting.py", "app/web/selection/screening.py"} <= names


@pytest.mark.parametrize("path", VIEW_MODULES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_views_leave_queries_to_services_and_loaders(path):
    found = [f"{n}: {line.strip()}" for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if QUERY.search(line)]
    assert found == []
