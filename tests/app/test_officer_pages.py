import csv
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEntry, Call, EligibilityDecision, Objection
from app.core import clock as app_clock
from app.calls import lifecycle
from app.web.selection import ranking_cache
from app.selection import decisions
from app.selection import results, screening
from tests.app.builders import submitted_proposal, uniform_sheets
from tests.factories import CallFactory, UserFactory, closed_call, officer_for, other_agency_officer
from tests.support import visible_text


def _ranked_call(n=2):
    names = ["창원", "구미", "여수", "반월시화"]
    call = closed_call()
    officer = officer_for(call)
    proposals = []
    for name in names[:n]:
        p = submitted_proposal(call, name)
        screening.decide(p, officer, "confirmed", "")
        proposals.append(p)
    lifecycle.start_review(call, officer)
    sheets = []
    for i, p in enumerate(proposals):
        sheets += uniform_sheets(p, str(27 - i), "22", "9", "9")
    results.compute(call, officer, sheets)
    return call, officer, proposals


@pytest.mark.parametrize("path", ["/officer/calls/{id}", "/officer/calls/{id}/screening", "/officer/calls/{id}/results",
                                  "/officer/calls/{id}/rubric", "/officer/calls/{id}/exports",
                                  "/officer/calls/{id}/objections", "/officer/calls/{id}/edit"])
def test_only_the_calls_own_officers_reach_its_pages(app, client, login, path):
    call = closed_call()
    applicant = UserFactory()
    stranger = other_agency_officer()
    url = path.format(id=call.id)
    assert client.get(url).status_code == 302  # to the login page
    # Not theirs to see: the same 404 as a call that does not exist.
    login(applicant)
    assert client.get(url).status_code == 404
    client.post("/logout")
    login(stranger)
    assert client.get(url).status_code == 404
    client.post("/logout")
    login(officer_for(call))
    assert client.get(url).status_code == 200
    client.post("/logout")
    login(UserFactory(roles=["admin"]))
    assert client.get(url).status_code == 200


def test_applicants_never_reach_the_officer_index(app, client, login):
    login(UserFactory())
    assert client.get("/officer/").status_code == 403


def test_the_officer_creates_a_call_and_fixes_the_rubric_with_field_errors(app, client, login, db_session, clock):
    call = CallFactory()  # gives the officer's agency a programme
    officer = officer_for(call)
    login(officer)
    resp = client.post("/officer/calls/new", data={
        "programme_id": call.programme_id, "code": "AX-2026", "title": "2026년 AX 실증산단 공모",
        "description_md": "## 개요", "opens_at": "2026-06-01T09:00", "closes_at": "2026-07-15T15:00",
        "awards": "3", "per_award_cap": "14,000,000,000", "total_cap": "42,000,000,000",
        "first_year": "2026", "last_year": "2029", "min_local_ratio": "0.4", "reviewers_per_proposal": "5",
        "complex_ids": [c.id for c in call.complexes[:3]], "infra_types-0-key": "openlab",
        "infra_types-0-label_ko": "제조 AI 오픈랩", "infra_types-0-label_en": "Open lab",
        "attachment_kinds-0-key": "plan", "attachment_kinds-0-label_ko": "사업계획서",
        "attachment_kinds-0-label_en": "Plan", "attachment_kinds-0-required": "y",
    })
    assert resp.status_code == 302, resp.get_data(as_text=True)
    new = db_session.scalar(select(Call).where(Call.code == "AX-2026"))
    assert new.phase == "draft" and new.closes_at == app_clock.kst(2026, 7, 15, 15)
    assert len(new.complexes) == 3 and new.total_cap == 42_000_000_000
    rubric_form = {
        "criteria-0-key": "plan", "criteria-0-label": "사업계획", "criteria-0-max_points": "60", "criteria-0-kind": "review",
        "criteria-1-key": "pocs", "criteria-1-label": "PoC 수", "criteria-1-max_points": "30", "criteria-1-kind": "auto",
        "criteria-1-fact": "complete_poc_plans", "criteria-1-rule_type": "count", "criteria-1-target": "10",
        "total_points": "100", "pass_mark": "70", "trim_from": "5", "decimals": "2", "tie_breaks": "criterion:plan",
        "one_per_complex": "y",
    }
    html = client.post(f"/officer/calls/{new.id}/rubric", data=rubric_form).get_data(as_text=True)
    assert "배점 합계가 90점입니다. 총점 100점과 같아야 합니다." in html
    assert 'id="total_points-error"' in html
    rubric_form["criteria-1-target"] = "열 개"
    html = client.post(f"/officer/calls/{new.id}/rubric", data=rubric_form).get_data(as_text=True)
    assert 'id="criteria-1-target-error"' in html
    rubric_form.update({"criteria-1-target": "10", "criteria-1-max_points": "40"})
    assert client.post(f"/officer/calls/{new.id}/rubric", data=rubric_form).status_code == 302
    db_session.refresh(new)
    assert [c["key"] for c in new.rubric["criteria"]] == ["plan", "pocs"]
    assert new.policy["one_per"] == "complex" and new.policy["awards"] == 3
    # publish through the dashboard's lifecycle button
    assert client.post(f"/officer/calls/{new.id}/step", data={"step": "publish", "confirm": "y"}).status_code == 303
    db_session.refresh(new)
    assert new.status() == "upcoming"
    assert client.post(f"/officer/calls/{new.id}/copy", data={"code": "AX-2027"}).status_code == 302
    assert db_session.scalar(select(Call).where(Call.code == "AX-2027")).phase == "draft"


def test_screening_page_records_a_rejection_with_its_reason(app, client, login, db_session):
    call = closed_call()
    p = submitted_proposal(call, "창원")
    login(officer_for(call))
    assert p.receipt_no in client.get(f"/officer/calls/{call.id}/screening").get_data(as_text=True)
    html = client.post(f"/officer/proposals/{p.id}/screening", data={"status": "rejected", "reason": ""}).get_data(as_text=True)
    assert "부적격 사유를 입력하십시오" in html
    resp = client.post(f"/officer/proposals/{p.id}/screening", data={"status": "rejected", "reason": "산단 요건 미충족"})
    assert resp.status_code == 302
    assert db_session.scalar(select(EligibilityDecision.reason)) == "산단 요건 미충족"


def test_dashboard_draws_svg_charts_with_the_deadline(app, client, login):
    call, officer, _ = _ranked_call()
    login(officer)
    html = client.get(f"/officer/calls/{call.id}").get_data(as_text=True)
    assert html.count("<svg") == 3  # status, timeline, scores; no assignments, so no progress chart
    assert "아직 배정된 평가가 없습니다." in html
    assert "마감</text>" in html and "합격선</text>" in html
    assert "style=" not in html and "<script>" not in html


def test_ranking_page_shows_breakdown_and_override_needs_a_reason(app, client, login, db_session):
    call, officer, (a, b) = _ranked_call()
    login(officer)
    html = client.get(f"/officer/calls/{call.id}/results").get_data(as_text=True)
    assert a.receipt_no in html and "평가위원별 통계" in html
    row = results.result_of(b)
    detail = client.get(f"/officer/results/{row.id}").get_data(as_text=True)
    assert "총점: 정성" in detail
    html = client.post(f"/officer/results/{row.id}", data={"selected": "0", "reason": ""}).get_data(as_text=True)
    assert "선정 변경 사유를 입력하십시오." in html
    assert client.post(f"/officer/results/{row.id}", data={"selected": "0", "reason": "현장 점검 결과 부적정"}).status_code == 302
    db_session.refresh(row)
    assert not row.selected
    assert db_session.scalar(select(AuditEntry).where(AuditEntry.action == "results.override")) is not None


def test_ranking_page_query_count_does_not_grow_from_3_to_30_proposals(app, client, login, count_queries):
    def setup(n, code):
        call = closed_call(code=code)
        officer = officer_for(call)
        sheets = []
        for i in range(n):
            p = submitted_proposal(call, f"{code}산단{i}")
            screening.decide(p, officer, "confirmed", "")
            sheets += uniform_sheets(p, "25", "20", "8", "8")
        lifecycle.start_review(call, officer)
        results.compute(call, officer, sheets)
        return call, officer

    small, officer = setup(3, "S")
    big, _ = setup(30, "B")
    big.programme = small.programme
    login(officer)
    client.get(f"/officer/calls/{small.id}/results")
    # Counted as the first officer to open each ranking, with its rows still to render.
    ranking_cache.clear()
    with count_queries() as few:
        assert client.get(f"/officer/calls/{small.id}/results").status_code == 200
    ranking_cache.clear()
    with count_queries() as many:
        html = client.get(f"/officer/calls/{big.id}/results").get_data(as_text=True)
    assert html.count("/officer/results/") == 30
    assert many.count == few.count


def test_exports_have_korean_headers_and_numbers_as_numbers(app, client, login):
    call, officer, (a, b) = _ranked_call()
    login(officer)
    wb = load_workbook(io.BytesIO(client.post(f"/officer/calls/{call.id}/exports/proposals.xlsx", follow_redirects=True).data))
    ws = wb.active
    headers = [c.value for c in ws[1]]
    assert headers[:3] == ["접수번호", "컨소시엄", "주관기관"]
    row = [c.value for c in ws[2]]
    assert row[headers.index("국비(원)")] == 14_000_000_000
    ranking = load_workbook(io.BytesIO(client.post(f"/officer/calls/{call.id}/exports/ranking.xlsx", follow_redirects=True).data)).active
    rh = [c.value for c in ranking[1]]
    first = [c.value for c in ranking[2]]
    assert first[rh.index("순위")] == 1 and isinstance(first[rh.index("총점")], (int, float))
    resp = client.post(f"/officer/calls/{call.id}/exports/ranking.csv", follow_redirects=True)
    assert resp.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(resp.data.decode("utf-8-sig"))))
    assert rows[0][0] == "순위" and rows[1][0] == "1"
    assert client.post(f"/officer/calls/{call.id}/exports/evaluators.xlsx", follow_redirects=True).status_code == 200
    assert client.post(f"/officer/calls/{call.id}/exports/reviews.csv", follow_redirects=True).status_code == 200
    assert client.post(f"/officer/calls/{call.id}/exports/nope.csv", follow_redirects=True).status_code == 404


def test_export_defuses_formula_text(app):
    from app.core import sheet_export as exports

    data = exports.to_csv(["제목"], [["=HYPERLINK(\"x\")"]]).decode("utf-8-sig")
    assert "'=HYPERLINK" in data
    wb = load_workbook(io.BytesIO(exports.to_xlsx("t", ["제목"], [["=1+1"], [5]])))
    assert wb.active["A2"].value == "'=1+1" and wb.active["A3"].value == 5


def test_consortium_sees_only_its_own_result_after_announcement_and_files_an_objection(app, client, login, db_session, clock):
    call, officer, (a, b) = _ranked_call()
    applicant_a = db_session.get(UserFactory._meta.model, a.created_by_id)
    login(applicant_a)
    html = client.get(f"/my/proposals/{a.id}/result").get_data(as_text=True)
    assert "결과가 아직 발표되지 않았습니다" in html
    assert client.get(f"/my/proposals/{b.id}/result").status_code == 404
    decisions.decide(call, officer)
    decisions.announce(call, officer)
    db_session.commit()
    html = visible_text(client.get(f"/my/proposals/{a.id}/result").get_data(as_text=True))
    result_b = results.result_of(b)
    assert results.result_of(a).breakdown["total"] in html
    assert result_b.breakdown["total"] not in html and b.receipt_no not in html
    assert "R1" not in html  # reviewer pseudonyms stay hidden
    resp = client.post(f"/my/proposals/{a.id}/result",
                       data={"ground": "evaluator_error", "grounds": "인프라 항목 점수 산정에 이의가 있습니다."})
    assert resp.status_code == 302
    objection = db_session.scalar(select(Objection))
    assert objection.proposal_id == a.id
    client.post("/logout")
    login(officer)
    assert "인프라 항목 점수" in client.get(f"/officer/objections/{objection.id}").get_data(as_text=True)
    resp = client.post(f"/officer/objections/{objection.id}", data={"decision": "rejected", "answer": "재검토 결과 점수에 오류가 없습니다."})
    assert resp.status_code == 302
    client.post("/logout")
    login(applicant_a)
    assert "재검토 결과 점수에 오류가 없습니다." in client.get(f"/my/proposals/{a.id}/result").get_data(as_text=True)


def test_the_ranking_table_follows_every_change_of_the_results(app, client, login):
    # The rows are rendered once per state of the results (ranking_cache): an override, and a
    # language switch, show at once.
    call, officer, (a, b) = _ranked_call()
    login(officer)
    first = visible_text(client.get(f"/officer/calls/{call.id}/results").get_data(as_text=True))
    assert "변경됨" not in first
    result = results.result_of(b)
    results.override(result, officer, not result.selected, "심의위원회 권고에 따라 변경")
    db.session.commit()
    again = visible_text(client.get(f"/officer/calls/{call.id}/results").get_data(as_text=True))
    assert "(변경됨)" in again and "심의위원회 권고에 따라 변경" in again
    client.post("/locale/en")
    english = visible_text(client.get(f"/officer/calls/{call.id}/results").get_data(as_text=True))
    assert "변경됨" not in english
