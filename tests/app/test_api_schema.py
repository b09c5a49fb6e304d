"""schemathesis against the live read API: every operation of /api/v1/openapi.json, generated
requests (with and without a token of every scope, on the world's real call and proposal or on
made-up ones), no 5xx and every answer as the document describes it.

The API is called in process through its WSGI app (schemathesis's Python API), on the security
suite's world, a bounded number of examples per operation so the whole file takes seconds.
"""
from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from app.api import tokens
from app.extensions import db
from app.models import User
from app.models.api import ApiScope
from tests.security.conftest import build_world

EXAMPLES = 10
# The world's call and proposal (mostly with the token) or whatever schemathesis made up.
MODES = ("real+token", "real+token", "real", "made-up+token", "made-up")
BASE_URL = "http://gongmo.test"  # the test app's SERVER_NAME


@pytest.fixture
def world(app, clock, isolated_dirs):
    return build_world(clock)


def test_the_live_api_matches_its_openapi_document(app, world):
    issued = tokens.issue(db.session.get(User, world.users["officer"]), "schemathesis", [str(s) for s in ApiScope])
    db.session.commit()
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, headers={"Host": "gongmo.test"})
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 13
    real = {"code": world.ids["code"], "proposal_id": world.ids["proposal_id"]}
    seen: dict[str, set[int]] = {}

    for operation in operations:
        def ground(args):
            case, mode = args
            if "real" in mode:
                case.path_parameters.update({k: v for k, v in real.items() if k in case.path_parameters})
            if "token" in mode:
                case.headers = {**(case.headers or {}), "Authorization": f"Bearer {issued.secret}"}
            return case

        @given(st.tuples(operation.as_strategy(), st.sampled_from(MODES)).map(ground))
        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def check(case):
            response = case.call_and_validate(base_url=BASE_URL,
                                              checks=[not_a_server_error, response_schema_conformance])
            seen.setdefault(operation.label, set()).add(response.status_code)

        check()

    # The runs reached the data, not only the refusals.
    assert 200 in seen["GET /api/v1/calls/{code}/decisions"]
    assert 200 in seen["GET /api/v1/calls/{code}/proposals/{proposal_id}"]
    assert 401 in seen["GET /api/v1/calls/{code}/scores"] and 404 in seen["GET /api/v1/calls/{code}"]
