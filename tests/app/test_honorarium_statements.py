"""평가수당 end to end: rates and attendance by the officer, each reviewer's statement, finance's batch.

Items per reviewer and stage (서면: submitted sheets on live seats; 발표: the days recorded), each
taxed on its own at and around the 125,000원 threshold, travel untaxed; a closed batch freezes the
statement; the XLSX carries full account numbers only for finance; a reviewer sees only their own.
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from app.core import clock as app_clock
from app.extensions import db
from app.models import (
    AuditEntry, Call, HonorariumAttendance, HonorariumBatch, HonorariumPayment, HonorariumRate, ReviewAssignment,
    ReviewerProfile, ReviewSheet, User,
)
from app.models.stages import EvaluationStage
from app.review import bank, honorarium_export, honorarium_service
from app.review.bank import BankDetails
from tests.factories import OrganisationFactory, ProposalFactory, UserFactory, applicant_with_consortium, closed_call, officer_for
from tests.support import sign_in, visible_text

RUBRIC = {"criteria": [{"key": "talk", "label": "발표", "label_en": "Talk", "max_points": "100", "kind": "points"}],
          "total_points": "100"}


@dataclass
class World:
    call: object
    officer: User
    finance: User
    written: EvaluationStage
    presentation: EvaluationStage
    kim: User  # 3 sheets submitted, one draft, one removed seat; presents one day, travels
    lee: User  # 1 sheet submitted; presents half a day
    proposals: list


def _seat(call, stage, proposal, reviewer, *, status="declared", sheet=None):
    a = ReviewAssignment(call_id=call.id, proposal_id=proposal.id, reviewer_id=reviewer.id, stage_id=stage.id,
                         coi_status=status, pledge_at=app_clock.now())
    db.session.add(a)
    db.session.flush()
    if sheet:
        db.session.add(ReviewSheet(assignment_id=a.id, status=sheet, points={"infra": "20"}, overall_opinion="의견",
                                   submitted_at=app_clock.now() if sheet == "submitted" else None))
    return a


def honoraria_world(sheets_of_lee: int = 1) -> World:
    call = closed_call()
    officer = officer_for(call)
    finance = UserFactory(roles=["finance"], organisation=call.programme.agency, name="유재무")
    written = call.stages[1]
    presentation = EvaluationStage(position=2, kind="presentation", panel_size=2, rubric=RUBRIC,
                                   policy={"pass_mark": "70"}, shortlist_rule="all", shortlist_value=0)
    call.stages.append(presentation)
    proposals = []
    for i in range(5):
        _, consortium = applicant_with_consortium()
        proposals.append(ProposalFactory(submitted=True, call=call, consortium=consortium,
                                         receipt_no=f"{call.code}-000{i + 1}"))
    db.session.flush()
    kim = UserFactory(roles=["reviewer"], name="김평가", organisation=OrganisationFactory(name="한국대학교"))
    lee = UserFactory(roles=["reviewer"], name="이심사", organisation=OrganisationFactory(name="산업연구원"))
    for p in proposals[:3]:
        _seat(call, written, p, kim, sheet="submitted")
    _seat(call, written, proposals[3], kim, sheet="draft")  # not submitted: not paid
    _seat(call, written, proposals[4], kim, status="removed", sheet="submitted")  # removed seat: not paid
    for p in proposals[:sheets_of_lee]:
        _seat(call, written, p, lee, sheet="submitted")
    for reviewer in (kim, lee):
        _seat(call, presentation, proposals[0], reviewer)
    db.session.commit()
    return World(call, officer, finance, written, presentation, kim, lee, proposals)


def _client(app, user):
    return sign_in(app.test_client(), user)


def _set_rate(client, w, stage, **data):
    form = {f"rate{stage.id}-{k}": v for k, v in data.items()}
    return client.post(f"/officer/calls/{w.call.id}/honoraria/{stage.id}/rate", data=form)


def _attendance(client, w, stage, rows):
    """rows: [(reviewer, sessions text, travel)] in the page's order."""
    form = {}
    for i, (reviewer, sessions, travel) in enumerate(rows):
        form[f"att{stage.id}-rows-{i}-reviewer_id"] = str(reviewer.id)
        form[f"att{stage.id}-rows-{i}-sessions"] = sessions
        if travel:
            form[f"att{stage.id}-rows-{i}-travel"] = "y"
    return client.post(f"/officer/calls/{w.call.id}/honoraria/{stage.id}/attendance", data=form)


def _officer_sets_everything(app, w, *, written_rate="50,000", day_rate="300,000", travel="45,000"):
    officer = _client(app, w.officer)
    assert _set_rate(officer, w, w.written, basis="proposal", amount_won=written_rate).status_code == 303
    assert _set_rate(officer, w, w.presentation, basis="day", amount_won=day_rate, travel_won=travel).status_code == 303
    # 서면: the counts come from the sheets, whatever is typed; travel is the officer's.
    assert _attendance(officer, w, w.written, [(w.kim, "99", False), (w.lee, "", False)]).status_code == 303
    assert _attendance(officer, w, w.presentation, [(w.kim, "1", True), (w.lee, "1", False)]).status_code == 303
    return officer


def _lines(statement):
    return [(line.description, line.gross, line.income_tax, line.local_tax, line.net, line.travel, line.payable)
            for line in statement.lines]


def test_items_and_totals_for_written_sheets_and_a_presentation_day(app, clock):
    w = honoraria_world()
    officer = _officer_sets_everything(app, w)
    page = visible_text(officer.get(f"/officer/calls/{w.call.id}/honoraria").get_data(as_text=True))
    assert "3건 (제출된 평가표에서 산정)" in page and "1건 (제출된 평가표에서 산정)" in page

    kim = honorarium_service.statement_of(w.call, w.kim)
    # 3 × 50,000 = 150,000: over 125,000, taxed (60,000 × 20 % = 12,000; 1,200 local).
    # 1 day × 300,000: 24,000 + 2,400; the 45,000 travel beside it, untaxed.
    assert _lines(kim) == [
        ("서면평가 (신청서 3건)", 150_000, 12_000, 1_200, 136_800, 0, 136_800),
        ("발표평가 (1일)", 300_000, 24_000, 2_400, 273_600, 45_000, 318_600),
    ]
    assert (kim.gross, kim.income_tax, kim.local_tax, kim.net, kim.travel, kim.payable) == (
        450_000, 36_000, 3_600, 410_400, 45_000, 455_400)
    assert all(type(v) is int for v in (kim.gross, kim.net, kim.payable, *(x for line in _lines(kim) for x in line[1:])))
    lee = honorarium_service.statement_of(w.call, w.lee)
    # One sheet, 50,000: under the threshold, nothing withheld.
    assert _lines(lee) == [("서면평가 (신청서 1건)", 50_000, 0, 0, 50_000, 0, 50_000),
                           ("발표평가 (1일)", 300_000, 24_000, 2_400, 273_600, 0, 273_600)]

    # The reviewer's own page: the same figures, printable, with the tax rule.
    reviewer = _client(app, w.kim)
    html = reviewer.get(f"/review/honoraria/{w.call.id}").get_data(as_text=True)
    text = visible_text(html)
    for figure in ("450,000원", "36,000원", "3,600원", "410,400원", "45,000원", "455,400원", "136,800원"):
        assert figure in text
    assert "125,000원 이하이면 세금이 없고" in text
    assert w.call.title in visible_text(reviewer.get("/review/honoraria").get_data(as_text=True))
    # Every change was audited with its values.
    actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.action.like("honorarium.%"))).all()
    assert actions.count("honorarium.rate") == 2 and actions.count("honorarium.attendance") == 4


@pytest.mark.parametrize(("rate", "gross", "income_tax", "local_tax"), [
    (62_499, 124_998, 0, 0),
    (62_500, 125_000, 0, 0),  # exactly the threshold: not taxed
    (62_501, 125_002, 10_000, 1_000),  # 50,000.8 × 20 % = 10,000.16 → 10,000
    (75_000, 150_000, 12_000, 1_200),
])
def test_each_item_is_taxed_at_and_around_the_threshold(app, clock, rate, gross, income_tax, local_tax):
    w = honoraria_world(sheets_of_lee=2)
    honorarium_service.set_rate(w.written, w.officer, basis="proposal", amount_won=rate)
    line, = honorarium_service.statement_of(w.call, w.lee).lines
    assert (line.gross, line.income_tax, line.local_tax, line.net) == (gross, income_tax, local_tax,
                                                                        gross - income_tax - local_tax)


def test_two_items_under_the_threshold_stay_untaxed_although_their_sum_is_over(app, clock):
    w = honoraria_world(sheets_of_lee=2)
    honorarium_service.set_rate(w.written, w.officer, basis="proposal", amount_won=60_000)
    honorarium_service.set_rate(w.presentation, w.officer, basis="half_day", amount_won=120_000)
    honorarium_service.record_attendance(w.presentation, w.officer, [honorarium_service.Entry(w.lee.id, 1, False)])
    lee = honorarium_service.statement_of(w.call, w.lee)
    assert (lee.gross, lee.income_tax + lee.local_tax, lee.net) == (240_000, 0, 240_000)
    assert [line.description for line in lee.lines] == ["서면평가 (신청서 2건)", "발표평가 (반일 1회)"]


def test_travel_is_paid_beside_the_item_and_never_taxed(app, clock):
    w = honoraria_world()
    honorarium_service.set_rate(w.presentation, w.officer, basis="day", amount_won=125_000, travel_won=300_000)
    honorarium_service.record_attendance(w.presentation, w.officer, [honorarium_service.Entry(w.kim.id, 1, True),
                                                                     honorarium_service.Entry(w.lee.id, 1, False)])
    kim = honorarium_service.statement_of(w.call, w.kim)
    # 125,000 + 300,000 travel: the travel does not push the item over the threshold.
    assert _lines(kim) == [("발표평가 (1일)", 125_000, 0, 0, 125_000, 300_000, 425_000)]
    assert honorarium_service.statement_of(w.call, w.lee).travel == 0


def test_the_statement_is_frozen_once_finance_closes_the_batch(app, clock, monkeypatch):
    w = honoraria_world()
    officer = _officer_sets_everything(app, w)
    before = _lines(honorarium_service.statement_of(w.call, w.kim))
    finance = _client(app, w.finance)
    assert w.call.title in visible_text(finance.get("/finance/").get_data(as_text=True))
    resp = finance.post(f"/finance/calls/{w.call.id}/close", data={"stage_id": str(w.written.id), "confirm": "y"})
    assert resp.status_code == 303
    batch = db.session.scalar(select(HonorariumBatch).where(HonorariumBatch.stage_id == w.written.id))
    assert {(p.name, p.gross, p.income_tax, p.local_tax, p.net) for p in batch.payments} == {
        ("김평가", 150_000, 12_000, 1_200, 136_800), ("이심사", 50_000, 0, 0, 50_000)}

    # The officer can no longer change the paid stage: refused beside the field, nothing saved.
    refused = _set_rate(officer, w, w.written, basis="proposal", amount_won="90,000")
    assert refused.status_code == 422 and "지급이 확정되어 바꿀 수 없습니다" in refused.get_data(as_text=True)
    assert db.session.scalar(select(HonorariumRate.amount_won).where(HonorariumRate.stage_id == w.written.id)) == 50_000
    # A sheet submitted later, and a new tax rate, change nothing paid.
    _seat(w.call, w.written, w.proposals[3], w.lee, sheet="submitted")
    db.session.commit()
    monkeypatch.setitem(app.config, "HONORARIUM_INCOME_TAX_RATE", Decimal("0.10"))
    after = honorarium_service.statement_of(w.call, w.kim)
    assert _lines(after)[0] == before[0] and after.lines[0].paid_at is not None
    assert _lines(honorarium_service.statement_of(w.call, w.lee))[0][:2] == ("서면평가 (신청서 1건)", 50_000)
    # Closing twice is refused.
    again = finance.post(f"/finance/calls/{w.call.id}/close", data={"stage_id": str(w.written.id), "confirm": "y"})
    assert again.status_code == 422
    assert db.session.scalar(select(func.count()).select_from(HonorariumBatch)) == 1


def test_a_batch_is_not_closed_before_the_officer_confirmed_every_count(app, clock):
    w = honoraria_world()
    officer = _client(app, w.officer)
    assert _set_rate(officer, w, w.written, basis="proposal", amount_won="50000").status_code == 303
    finance = _client(app, w.finance)
    resp = finance.post(f"/finance/calls/{w.call.id}/close", data={"stage_id": str(w.written.id), "confirm": "y"})
    assert resp.status_code == 422 and "김평가" in resp.get_data(as_text=True)
    assert _attendance(officer, w, w.written, [(w.kim, "", False), (w.lee, "", False)]).status_code == 303
    # A sheet submitted after the confirmation makes the count stale: confirm again first.
    _seat(w.call, w.written, w.proposals[3], w.lee, sheet="submitted")
    db.session.commit()
    assert "다시 확인하십시오" in officer.get(f"/officer/calls/{w.call.id}/honoraria").get_data(as_text=True)
    assert finance.post(f"/finance/calls/{w.call.id}/close",
                        data={"stage_id": str(w.written.id), "confirm": "y"}).status_code == 422
    assert _attendance(officer, w, w.written, [(w.kim, "", False), (w.lee, "", False)]).status_code == 303
    unticked = finance.post(f"/finance/calls/{w.call.id}/close", data={"stage_id": str(w.written.id)})
    assert unticked.status_code == 422 and "확인란을 선택하십시오" in unticked.get_data(as_text=True)
    assert finance.post(f"/finance/calls/{w.call.id}/close",
                        data={"stage_id": str(w.written.id), "confirm": "y"}).status_code == 303
    assert db.session.scalar(select(HonorariumPayment.sessions).where(HonorariumPayment.name == "이심사")) == 2


def test_a_stage_without_reviewers_or_rate_is_not_paid(app, clock):
    w = honoraria_world()
    site = EvaluationStage(position=3, kind="site", panel_size=1, rubric=RUBRIC, policy={"pass_mark": "70"},
                           shortlist_rule="all", shortlist_value=0)
    w.call.stages.append(site)
    db.session.commit()
    finance = _client(app, w.finance)
    no_rate = finance.post(f"/finance/calls/{w.call.id}/close", data={"stage_id": str(site.id), "confirm": "y"})
    assert no_rate.status_code == 422 and "이 단계의 지급 기준이 아직 정해지지 않았습니다" in no_rate.get_data(as_text=True)
    honorarium_service.set_rate(site, w.officer, basis="half_day", amount_won=100_000)
    db.session.commit()
    nobody = finance.post(f"/finance/calls/{w.call.id}/close", data={"stage_id": str(site.id), "confirm": "y"})
    assert nobody.status_code == 422 and "지급할 평가위원이 없습니다" in nobody.get_data(as_text=True)
    unknown = finance.post(f"/finance/calls/{w.call.id}/close", data={"stage_id": "2147483647", "confirm": "y"})
    assert unknown.status_code == 422 and "평가 단계를 고르십시오" in unknown.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(HonorariumBatch)) == 0


def test_bad_input_is_named_beside_its_field_and_changes_nothing(app, clock):
    w = honoraria_world()
    officer = _client(app, w.officer)
    resp = _set_rate(officer, w, w.written, basis="proposal", amount_won="오만원")
    assert resp.status_code == 422 and "금액은 원 단위 숫자로 입력하십시오" in resp.get_data(as_text=True)
    resp = _set_rate(officer, w, w.written, basis="day", amount_won="50,000")  # a 서면평가 is paid per proposal
    assert resp.status_code == 422 and "이 평가 단계에 맞는 지급 기준을 고르십시오" in resp.get_data(as_text=True)
    resp = _set_rate(officer, w, w.presentation, basis="day", amount_won="-300,000")
    assert resp.status_code == 422 and "0원 이상" in resp.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(HonorariumRate)) == 0
    # One bad row refuses the whole table: the good row before it is not saved either.
    resp = _attendance(officer, w, w.presentation, [(w.kim, "1", True), (w.lee, "하루", False)])
    assert resp.status_code == 422 and "횟수는 0 이상의 정수로 입력하십시오" in resp.get_data(as_text=True)
    resp = _attendance(officer, w, w.presentation, [(w.kim, "1", True), (w.lee, "61", False)])
    assert resp.status_code == 422 and "0에서 60 사이의 정수" in resp.get_data(as_text=True)
    stranger = UserFactory(roles=["reviewer"])
    resp = _attendance(officer, w, w.presentation, [(stranger, "1", False)])
    assert resp.status_code == 422 and "이 단계의 평가위원이 아닙니다" in resp.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(HonorariumAttendance)) == 0


def _profile_with_bank(user, account_no: str, actor) -> ReviewerProfile:
    profile = ReviewerProfile(user_id=user.id, organisation_id=user.organisation_id)
    db.session.add(profile)
    db.session.flush()
    bank.write(profile, BankDetails("국민은행", account_no, user.name), actor)
    return profile


def _xlsx(client, w):
    resp = client.get(f"/finance/calls/{w.call.id}/honoraria.xlsx")
    assert resp.status_code == 200, resp.status_code
    assert resp.headers["Content-Disposition"].startswith("attachment")
    sheet = load_workbook(io.BytesIO(resp.data)).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    return rows[0], rows[1:]


def test_the_batch_xlsx_shows_full_account_numbers_only_to_finance(app, clock):
    w = honoraria_world()
    _officer_sets_everything(app, w)
    _profile_with_bank(w.kim, "123-456-789012", w.kim)
    _profile_with_bank(w.lee, "987-654-321098", w.lee)
    db.session.commit()

    headers, rows = _xlsx(_client(app, w.finance), w)
    assert headers[2:11] == ["성명", "소속", "내역", "지급액(원)", "소득세(원)", "지방소득세(원)", "차인지급액(원)",
                             "여비(원)", "입금액(원)"] and headers[-3:] == ["은행", "계좌번호", "예금주"]
    kim_rows = [r for r in rows if r[2] == "김평가"]
    assert [r[4:11] for r in kim_rows] == [["서면평가 (신청서 3건)", 150_000, 12_000, 1_200, 136_800, 0, 136_800],
                                           ["발표평가 (1일)", 300_000, 24_000, 2_400, 273_600, 45_000, 318_600]]
    assert kim_rows[0][3] == "한국대학교" and kim_rows[0][-3:] == ["국민은행", "123-456-789012", "김평가"]
    assert len(rows) == 4
    read = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "honorarium.bank_details_read")).all()
    assert [(e.actor_id, sorted(e.data["reviewer_ids"])) for e in read] == [(w.finance.id, sorted([w.kim.id, w.lee.id]))]

    for viewer in (w.officer, UserFactory(roles=["admin"])):
        _, masked_rows = _xlsx(_client(app, viewer), w)
        assert [r[:11] for r in masked_rows] == [r[:11] for r in rows]
        flat = " ".join(str(v) for r in masked_rows for v in r)
        assert "123-456-789012" not in flat and "987-654-321098" not in flat and "456" not in flat
        assert next(r for r in masked_rows if r[2] == "김평가")[-2] == "국민은행 ***-***-**9012 (김평가)"
    # Masked tables open nobody's details: still the one record.
    assert db.session.scalar(select(func.count(AuditEntry.id)).where(
        AuditEntry.action == "honorarium.bank_details_read")) == 1


def test_a_reviewer_sees_only_their_own_statement(app, clock):
    w = honoraria_world()
    _officer_sets_everything(app, w)
    _profile_with_bank(w.kim, "123-456-789012", w.kim)
    db.session.commit()
    kim = _client(app, w.kim)
    text = visible_text(kim.get(f"/review/honoraria/{w.call.id}").get_data(as_text=True))
    assert "김평가" in text and "이심사" not in text and "273,600원" in text
    assert "***-***-**9012" in text and "123-456-789012" not in text
    # Someone with nothing to be paid in the call, and anyone who is no reviewer: 404, as for an unknown call.
    outsider = _client(app, UserFactory(roles=["reviewer"]))
    assert outsider.get(f"/review/honoraria/{w.call.id}").status_code == 404
    assert _client(app, w.officer).get(f"/review/honoraria/{w.call.id}").status_code == 404
    assert kim.get("/review/honoraria/999999").status_code == 404


def test_finance_reaches_only_its_own_agencys_calls(app, clock):
    w = honoraria_world()
    _officer_sets_everything(app, w)
    elsewhere = UserFactory(roles=["finance"], organisation=OrganisationFactory())
    client = _client(app, elsewhere)
    assert w.call.title not in client.get("/finance/").get_data(as_text=True)
    assert client.get(f"/finance/calls/{w.call.id}").status_code == 404
    assert client.get(f"/finance/calls/{w.call.id}/honoraria.xlsx").status_code == 404
    assert client.post(f"/finance/calls/{w.call.id}/close",
                       data={"stage_id": str(w.written.id), "confirm": "y"}).status_code == 404
    # The call's officer reads the call's page but does not close the batch.
    officer = _client(app, w.officer)
    assert officer.get(f"/finance/calls/{w.call.id}").status_code == 200
    assert officer.get("/finance/").status_code == 403
    assert officer.post(f"/finance/calls/{w.call.id}/close",
                        data={"stage_id": str(w.written.id), "confirm": "y"}).status_code == 403
    assert db.session.scalar(select(func.count()).select_from(HonorariumBatch)) == 0


def test_the_demo_has_a_finance_account_of_the_agency(app, clock):
    from app.accounts.passwords import verify_password
    from app.demo import demo

    demo.load()
    db.session.commit()
    finance = db.session.scalar(select(User).where(User.email == "finance@demo.gongmo.kr"))
    assert finance.roles == {"finance"} and finance.organisation.name == "한국산업단지공단"
    assert verify_password(finance.password_hash, demo.PASSWORD)
    # AX-2025-R's 서면평가 has its rate: finance sees the call, the six reviewers' sheets so far.
    review_call = db.session.scalar(select(Call).where(Call.code == "AX-2025-R"))
    client = _client(app, finance)
    assert "AX-2025-R" in client.get("/finance/").get_data(as_text=True)
    statements = honorarium_service.statements(review_call)
    assert statements and all(line.gross % 50_000 == 0 for s in statements for line in s.lines)
    demo.load()  # loading again adds nothing
    assert db.session.scalar(select(func.count()).select_from(HonorariumRate)) == 1


def test_the_batch_table_costs_the_same_queries_for_more_reviewers(app, clock, count_queries):
    w = honoraria_world()
    _officer_sets_everything(app, w)
    _profile_with_bank(w.kim, "123-456-789012", w.kim)
    _profile_with_bank(w.lee, "987-654-321098", w.lee)
    db.session.commit()

    def queries() -> int:
        db.session.expire_all()
        with count_queries() as q:
            honorarium_export.batch_table(w.call, w.finance)
        return q.count

    few = queries()
    for i in range(3):
        extra = UserFactory(roles=["reviewer"], name=f"추가위원{i}", organisation=OrganisationFactory())
        _seat(w.call, w.written, w.proposals[i], extra, sheet="submitted")
        _profile_with_bank(extra, f"111-222-33344{i}", extra)
    db.session.commit()
    assert queries() == few
