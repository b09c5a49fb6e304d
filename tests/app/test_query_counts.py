"""The lists people page through stay a fixed number of SQL queries, however long they get.

Each test builds the same page twice, over 3 and over 30 rows, and requires the same
number of statements: one query per row (an N+1) would add 27.
"""
from __future__ import annotations

import gc
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
MANY_STAGED = 12  # a two-stage call takes twice the building


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


def cyclic_garbage(client, path: str) -> int:
    """Objects one request of the page leaves to the cyclic garbage collector: freed only at its next
    full run, they add up in a busy worker (a thousand proposals' rows are ~10 MiB)."""
    client.get(path)
    gc.collect()
    gc.disable()
    try:
        resp = client.get(path)
        assert resp.status_code == 200, resp.status_code
        resp.close()
        del resp
        gc.set_debug(gc.DEBUG_SAVEALL)
        gc.collect()
        return len(gc.garbage)
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()


@pytest.mark.parametrize("page", ["/officer/calls/{id}/results", "/officer/calls/{id}/screening", "/officer/calls/{id}"])
def test_officer_pages_free_their_rows_when_the_response_is_sent(app, client, two_ranked_calls, page):
    # A template importing macros "with context" tied the page's whole context, rows and all, into
    # a reference cycle: a screening list of 1,000 proposals stayed in memory until the collector ran.
    small, big, officer = two_ranked_calls
    sign_in(client, officer)
    few = cyclic_garbage(client, page.format(id=small.id))
    many = cyclic_garbage(client, page.format(id=big.id))
    assert many - few < MANY - FEW, (few, many)  # not one object per row


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


def two_stage_ranked_call(n: int, code: str, programme=None):
    """A call of two stages (서면, everyone passing goes on, → 발표; final 30/70) with ``n`` proposals,
    five sheets each in both stages, the written stage confirmed and the final ranking computed."""
    from decimal import Decimal

    from app.calls.stages import PRESENTATION_POLICY, PRESENTATION_RUBRIC
    from app.models.stages import EvaluationStage
    from app.review import stage_scope
    from app.selection import stage_results
    from app.selection.engine_run import SheetData

    kwargs = {"code": code} if programme is None else {"code": code, "programme": programme}
    call = closed_call(**kwargs)
    officer = officer_for(call)
    written = call.stages[1]
    written.shortlist_rule, written.weight = "all", Decimal(30)
    call.stages.append(EvaluationStage(position=2, kind="presentation", panel_size=5, weight=Decimal(70),
                                       rubric=dict(PRESENTATION_RUBRIC), policy=dict(PRESENTATION_POLICY)))
    call.final_score = "weighted"
    db.session.flush()
    sheets = []
    for i in range(n):
        p = submitted_proposal(call, f"{code}산단{i}", minutes_before_close=60 + i)
        screening.decide(p, officer, "confirmed", "")
        sheets += uniform_sheets(p, str(20 + i % 10), "20", "8", "8")
    lifecycle.start_review(call, officer)
    results.compute(call, officer, sheets)
    stage_results.confirm(call, written, officer)
    presentation = stage_scope.next_stage(written)
    ids = stage_scope.proposal_ids_in(presentation)
    assert len(ids) == n  # everyone passed the written stage and presents
    results.compute(call, officer, [SheetData(pid, f"R{r}", {"content": str(30 + i % 10), "feasibility": "25",
                                                             "qa": "24"})
                                    for i, pid in enumerate(ids) for r in range(1, 6)])
    db.session.flush()
    return call, officer


@pytest.mark.parametrize("tab", ["final", "written"])
def test_two_stage_ranking_page_does_not_grow(app, client, count_queries, tab):
    """The final ranking (a column per stage) and the written stage's tab of a two-stage call."""
    from app.review import stage_scope

    small, officer = two_stage_ranked_call(FEW, "S3")
    big, _ = two_stage_ranked_call(MANY_STAGED, "S12", programme=small.programme)
    sign_in(client, officer)

    def path(call):
        base = f"/officer/calls/{call.id}/results"
        return base if tab == "final" else f"{base}?stage={stage_scope.first_stage(call).id}"

    marker = "/officer/results/" if tab == "final" else "{code}-"
    few, small_html = statements(client, count_queries, path(small))
    many, big_html = statements(client, count_queries, path(big))
    assert big_html.count(marker.format(code=big.code)) >= MANY_STAGED > small_html.count(marker.format(code=small.code))
    if tab == "written":
        assert "서면평가 결과와 다음 단계 대상" in big_html
    else:
        assert "발표평가" in big_html or "presentation" in big_html
    assert many == few

