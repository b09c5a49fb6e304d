from decimal import Decimal

import pytest
from sqlalchemy import select

from app.models import AuditEntry, OutboxMessage
from app.calls import lifecycle
from app.selection import decisions
from app.selection import results, screening
from app.selection.results import ResultsError, SheetData
from tests.app.builders import submitted_proposal, uniform_sheets
from tests.factories import closed_call, officer_for


def _in_review_call(*names):
    call = closed_call()
    officer = officer_for(call)
    proposals = []
    for i, name in enumerate(names):
        p = submitted_proposal(call, name, minutes_before_close=60 + i)
        screening.decide(p, officer, "confirmed", "")
        proposals.append(p)
    lifecycle.start_review(call, officer)
    return call, officer, proposals


def test_facts_come_from_the_proposal_rows(app):
    call = closed_call()
    p = submitted_proposal(call, "창원", infra=("openlab", "openlab", "saas"), pocs=3, private=4_900_000_000)
    p.poc_plans[0].kpis[0].target = None  # a PoC without a complete KPI does not count
    facts = results.facts_of(p)
    assert facts["infrastructure_types"] == ["openlab", "openlab", "saas"]
    assert facts["complete_poc_plans"] == 2
    total = 14_000_000_000 + 5_600_000_000 + 4_900_000_000
    assert Decimal(facts["private_matching_ratio"]) == (Decimal(4_900_000_000) / total).quantize(Decimal("0.000001"), rounding="ROUND_DOWN")
    document = results.build_input(call, [p], [])
    item = document["proposals"][0]
    assert item["complex"] == "창원" and item["budget"] == "14000000000"
    assert item["id"] == p.receipt_no


def test_ranking_uses_the_engine_and_stores_breakdown_and_explanation(app, db_session):
    call, officer, (a, b, c) = _in_review_call("창원", "구미", "여수")
    sheets = (uniform_sheets(a, "27", "22", "9", "9") + uniform_sheets(b, "24", "20", "8", "8")
              + uniform_sheets(c, "10", "10", "5", "5"))
    rows = results.compute(call, officer, sheets)
    by_id = {r.proposal_id: r for r in rows}
    assert [by_id[p.id].rank for p in (a, b, c)] == [1, 2, 3]
    # 67 qualitative + 10 coverage + 10 PoC + 1.5 matching (4.2 of 23.8 = 0.176 → 0.3 × 5)
    assert by_id[a.id].total == Decimal("88.5")
    assert by_id[a.id].selected and by_id[b.id].selected
    assert not by_id[c.id].passed and by_id[c.id].reason == "below pass mark"
    assert by_id[a.id].breakdown["criteria"]["infra"] == "27.00"
    assert by_id[a.id].breakdown["dropped_reviewers"] == ["R1", "R2"]
    assert any("정성" in line for line in by_id[a.id].breakdown["explanation"]["ko"])
    assert any("Total" in line for line in by_id[a.id].breakdown["explanation"]["en"])
    # Each language names the criteria in its own words.
    assert any("AX infrastructure plan" in line for line in by_id[a.id].breakdown["explanation"]["en"])
    assert not any("AX 인프라 구축 계획" in line for line in by_id[a.id].breakdown["explanation"]["en"])
    assert any("AX 인프라 구축 계획" in line for line in by_id[a.id].breakdown["explanation"]["ko"])
    stats = results.reviewer_statistics(call)
    assert {s["reviewer"] for s in stats} == {"R1", "R2", "R3", "R4", "R5"}
    assert db_session.scalar(select(AuditEntry).where(AuditEntry.action == "results.computed")) is not None


def test_rejected_proposals_are_not_ranked(app):
    call = closed_call()
    officer = officer_for(call)
    a = submitted_proposal(call, "창원")
    b = submitted_proposal(call, "구미")
    screening.decide(a, officer, "confirmed", "")
    screening.decide(b, officer, "rejected", "자격 미달")
    lifecycle.start_review(call, officer)
    rows = results.compute(call, officer, uniform_sheets(a, "27", "22", "9", "9") + uniform_sheets(b, "30", "25", "10", "10"))
    assert [r.proposal_id for r in rows] == [a.id]


def test_a_bad_sheet_is_reported_not_crashing(app):
    call, officer, (a,) = _in_review_call("창원")
    with pytest.raises(ResultsError) as info:
        results.compute(call, officer, [SheetData(a.id, "R1", {"infra": "31", "poc": "1", "plan": "1", "alliance": "1"})],
                        acknowledge_short=True)
    assert "infra" in info.value.message


def test_results_are_computed_only_in_review(app):
    call = closed_call()
    officer = officer_for(call)
    p = submitted_proposal(call, "창원")
    screening.decide(p, officer, "confirmed", "")
    with pytest.raises(ResultsError):
        results.compute(call, officer, [])


def test_override_needs_a_reason_is_audited_and_survives_recomputation(app, db_session):
    call, officer, (a, b) = _in_review_call("창원", "구미")
    sheets = uniform_sheets(a, "27", "22", "9", "9") + uniform_sheets(b, "24", "20", "8", "8")
    results.compute(call, officer, sheets)
    row = results.result_of(b)
    with pytest.raises(ResultsError):
        results.override(row, officer, False, "")
    results.override(row, officer, False, "지방비 확약서 위조 확인")
    entry = db_session.scalar(select(AuditEntry).where(AuditEntry.action == "results.override"))
    assert entry.data["reason"] == "지방비 확약서 위조 확인" and entry.data["before"] is True
    results.compute(call, officer, sheets)
    again = results.result_of(b)
    assert again.engine_selected and not again.selected and again.overridden
    assert again.override_reason == "지방비 확약서 위조 확인"


def test_announcement_tells_each_consortium(app, db_session):
    call, officer, (a, b) = _in_review_call("창원", "구미")
    results.compute(call, officer, uniform_sheets(a, "27", "22", "9", "9") + uniform_sheets(b, "24", "20", "8", "8"))
    decisions.decide(call, officer)
    decisions.announce(call, officer)
    mails = db_session.scalars(select(OutboxMessage).where(OutboxMessage.template == "results_announced")).all()
    assert {m.user_id for m in mails} == {a.created_by_id, b.created_by_id}


def test_ranking_query_count_does_not_grow_with_proposals(app, count_queries):
    names = ["창원", "구미", "여수", "반월시화", "인천남동", "광주첨단", "대구성서", "울산미포", "부산명지녹산", "군산",
             "포항", "대전", "대불", "천안제3", "청주", "광양", "신평장림", "한국수출(인천)", "춘천후평", "사천1·2",
             "전주1·2"]
    call, officer, proposals = _in_review_call(*names[:3])
    results.compute(call, officer, [s for p in proposals for s in uniform_sheets(p, "27", "22", "9", "9")])
    from app.extensions import db

    db.session.expire_all()
    with count_queries() as few:
        [r.proposal.consortium.lead_org.name for r in results.ranking(call)]
    call2, officer2, many = _in_review_call(*names)
    results.compute(call2, officer2, [s for p in many for s in uniform_sheets(p, "27", "22", "9", "9")])
    db.session.expire_all()
    with count_queries() as lots:
        rows = results.ranking(call2)
        [(r.proposal.consortium.lead_org.name, r.proposal.complex.name) for r in rows]
    assert len(rows) == 21
    assert lots.count == few.count
