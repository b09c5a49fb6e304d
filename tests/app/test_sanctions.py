"""The sanctions list: officers add a sanction by e-mail (its end computed) and lift one early, both audited."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEntry
from app.models.pool import Sanction
from app.review import assignment, sanctions
from tests.app.builders import pool_of, submitted_proposal
from tests.factories import UserFactory, closed_call, officer_for
from tests.support import sign_in


def _count() -> int:
    return db.session.scalar(select(func.count(Sanction.id)))


def test_ends_three_years_on_and_the_years_are_configured(app):
    assert sanctions.ends_on(date(2025, 3, 1)) == date(2028, 3, 1)
    assert sanctions.ends_on(date(2024, 2, 29)) == date(2027, 2, 28)
    app.config["SANCTION_YEARS"] = 5
    try:
        assert sanctions.ends_on(date(2025, 3, 1)) == date(2030, 3, 1)
    finally:
        app.config["SANCTION_YEARS"] = 3


def test_adding_needs_a_known_person_a_reason_and_a_start(app):
    officer = UserFactory(roles=["officer"])
    person = UserFactory(email="Kim@Example.kr")
    today = sanctions.today()
    for email, reason, start, field in (("nobody@example.kr", "부정평가", today, "email"),
                                        ("kim@example.kr", "  ", today, "reason"),
                                        ("kim@example.kr", "부정평가", None, "starts_on")):
        with pytest.raises(sanctions.SanctionError) as refused:
            sanctions.add(email, officer, reason=reason, starts_on=start)
        assert refused.value.field == field
    s = sanctions.add(" KIM@example.kr ", officer, reason="부정평가", starts_on=today)
    assert (s.user_id, s.ends_on) == (person.id, sanctions.ends_on(today))
    with pytest.raises(sanctions.SanctionError, match="같은 날"):
        sanctions.add("kim@example.kr", officer, reason="또", starts_on=today)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "sanction.added"))
    assert entry.actor_id == officer.id and entry.data == {
        "user_id": person.id, "reason": "부정평가", "starts_on": today.isoformat(),
        "ends_on": sanctions.ends_on(today).isoformat()}


def test_a_sanction_keeps_its_person_off_panels_until_lifted(app):
    call = closed_call()
    officer = officer_for(call)
    p = submitted_proposal(call)
    (person,) = pool_of(call, officer, 1)
    s = sanctions.add(person.email, officer, reason="평가 내용 누설", starts_on=sanctions.today() - timedelta(days=30))
    [excluded] = assignment.exclusions(call, p)
    assert excluded.code == "sanctioned" and excluded.reason == f"제척: 제재 중 ({s.starts_on} ~ {s.ends_on})"

    with pytest.raises(sanctions.SanctionError):
        sanctions.lift(s, officer, "")
    sanctions.lift(s, officer, "행정심판 인용")

    assert s.lifted_at is not None and s.lifted_reason == "행정심판 인용"
    assert assignment.exclusions(call, p) == []
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "sanction.lifted"))
    assert entry.data["changes"]["lifted_reason"] == ["", "행정심판 인용"]
    with pytest.raises(sanctions.SanctionError, match="이미 해제"):
        sanctions.lift(s, officer, "두 번")


def test_the_officers_page_adds_and_lifts(app, client):
    officer = UserFactory(roles=["officer"])
    person = UserFactory(name="박평가", email="park@example.kr")
    db.session.commit()
    sign_in(client, officer)

    refused = client.post("/officer/sanctions", data={"email": "nobody@example.kr", "starts_on": "2026-03-01",
                                                      "reason": "부정평가"})
    assert refused.status_code == 422 and "이 이메일 주소로 가입한 사람이 없습니다." in refused.get_data(as_text=True)
    bad_date = client.post("/officer/sanctions", data={"email": "park@example.kr", "starts_on": "2026-13-01",
                                                       "reason": "부정평가"})
    assert bad_date.status_code == 422 and _count() == 0

    today = sanctions.today()
    added = client.post("/officer/sanctions", data={"email": "park@example.kr", "starts_on": today.isoformat(),
                                                    "reason": "부정평가로 행정처분"})
    assert added.status_code == 303
    s = db.session.scalar(select(Sanction))
    assert (s.user_id, s.starts_on, s.ends_on, s.created_by_id) == (person.id, today, sanctions.ends_on(today), officer.id)
    html = client.get("/officer/sanctions").get_data(as_text=True)
    assert "박평가" in html and f"{today} ~ {sanctions.ends_on(today)}" in html and "제재 중" in html

    no_reason = client.post("/officer/sanctions/lift", data={"sanction_id": str(s.id), "lift_reason": " "})
    assert no_reason.status_code == 422 and "해제 사유를 입력하십시오." in no_reason.get_data(as_text=True)
    lifted = client.post("/officer/sanctions/lift", data={"sanction_id": str(s.id), "lift_reason": "처분 취소"})
    assert lifted.status_code == 303
    db.session.expire_all()
    s = db.session.get(Sanction, s.id)
    assert s.lifted_at is not None and s.lifted_reason == "처분 취소"
    assert "해제됨" in client.get("/officer/sanctions").get_data(as_text=True)


def test_only_officers_and_admins_keep_the_list(app, client):
    reviewer = UserFactory(roles=["reviewer"])
    db.session.commit()
    sign_in(client, reviewer)
    assert client.get("/officer/sanctions").status_code == 403
    assert client.post("/officer/sanctions", data={"email": reviewer.email, "starts_on": "2026-03-01",
                                                   "reason": "x"}).status_code == 403
    assert _count() == 0
