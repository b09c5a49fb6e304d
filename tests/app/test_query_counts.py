"""The lists people page through stay a fixed number of SQL queries, however long they get.

Each test builds the same page twice, over 3 and over 30 rows, and requires the same
number of statements: one query per row (an N+1) would add 27.
"""
from __future__ import annotations

from datetime import timedelta

import pytest

from app.extensions import db
from app.models import ReviewAssignment, ReviewSheet
from app.core import clock
from app.calls import lifecycle
from app.selection import results, screening
from tests.app.builders import submitted_proposal, uniform_sheets
from tests.factories import CallFactory, ConsortiumFactory, ProposalFactory, UserFactory, closed_call, officer_for
from tests.support import sign_in

FEW, MANY = 3, 30


def statements(client, count_queries, path: str) -> tuple[int, str]:
    client.get(path)  # first request of a page may warm caches; count the second
    with count_queries() as q:
        resp = client.get(path)
    assert resp.status_code == 200, resp.status_code
    return q.count, resp.get_data(as_text=True)


def ranked_call(n: int, code: str, programme=None):
    """A call in review with ``n`` eligible proposals, five sheets each, results computed."""
    kwargs = {"code": code} if programme is None else {"code": code, "programme": programme}
    call = closed_call(**kwargs)
    officer = officer_for(call)
    sheets = []
    for i in range(n):
        p = submitted_proposal(call, f"{code}산단{i}", minutes_before_close=60 + i)
        screening.decide(p, officer, "confirmed", "")
        sheets += uniform_sheets(p, str(20 + i % 10), "20", "8", "8")
    lifecycle.start_review(call, officer)
    results.compute(call, officer, sheets)
    return call, officer


@pytest.fixture
def two_ranked_calls(app):
    """The same officer's calls: one with 3 ranked proposals, one with 30."""
    small, officer = ranked_call(FEW, "Q3")
    big, _ = ranked_call(MANY, "Q30", programme=small.programme)
    return small, big, officer


@pytest.mark.parametrize("page, marker", [
    ("/officer/calls/{id}/results", "/officer/results/"),  # the ranking: one link per row
    ("/officer/calls/{id}/screening", "/screening\""),  # the screening list: one link per proposal
    ("/officer/calls/{id}", "{code}-"),  # the dashboard: status counts, charts and the ranking's receipt numbers
])
def test_officer_pages_do_not_grow_with_the_number_of_proposals(app, client, count_queries, two_ranked_calls,
                                                               page, marker):
    small, big, officer = two_ranked_calls
    sign_in(client, officer)
    few, small_html = statements(client, count_queries, page.format(id=small.id))
    many, big_html = statements(client, count_queries, page.format(id=big.id))
    # The long list really is on the page.
    assert big_html.count(marker.format(code=big.code)) >= MANY > small_html.count(marker.format(code=small.code))
    assert many == few


def test_applicants_proposal_list_does_not_grow(app, client, count_queries):
    call = CallFactory()  # open: the page also lists the calls taking proposals

    def applicant_with(n: int):
        user = UserFactory()
        for i in range(n):
            consortium = ConsortiumFactory(lead_org=user.organisation, created_by_id=user.id)
            ProposalFactory(call=call, consortium=consortium, created_by_id=user.id, title=f"신청서 {i}",
                            complex=call.complexes[i % len(call.complexes)])
        return user

    small, big = applicant_with(FEW), applicant_with(MANY)
    sign_in(client, small)
    few, small_html = statements(client, count_queries, "/my/proposals")
    sign_in(client, big)
    many, big_html = statements(client, count_queries, "/my/proposals")
    assert big_html.count("신청서 ") >= MANY > small_html.count("신청서 ")
    assert many == few


def test_reviewers_assignment_list_does_not_grow(app, client, count_queries):
    call = closed_call(review_due_at=clock.now() + timedelta(days=7))
    officer = officer_for(call)

    def reviewer_with(n: int):
        reviewer = UserFactory(roles=["reviewer"])
        for i in range(n):
            p = submitted_proposal(call, f"평가산단{i}")
            a = ReviewAssignment(call_id=call.id, proposal_id=p.id, reviewer_id=reviewer.id, assigned_by_id=officer.id,
                                 stage_id=call.stages[1].id,
                                 coi_status=("pending", "declared", "recused")[i % 3])
            if a.coi_status == "declared":
                a.sheet = ReviewSheet(points={"infra": "25"}, status=("draft", "submitted")[i % 2],
                                      submitted_at=clock.now() if i % 2 else None)
            db.session.add(a)
        db.session.flush()
        return reviewer

    small, big = reviewer_with(FEW), reviewer_with(MANY)
    sign_in(client, small)
    few, small_html = statements(client, count_queries, "/review/")
    sign_in(client, big)
    many, big_html = statements(client, count_queries, "/review/")
    assert big_html.count("평가산단") >= MANY > small_html.count("평가산단")
    assert many == few
