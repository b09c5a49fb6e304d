"""Sealed bank details: AES-GCM bound to the row, opened by finance only, never in the audit log."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from app.core import sealing
from app.extensions import db
from app.models import AuditEntry
from app.models.organisations import Role
from app.review import bank, profiles
from tests.factories import UserFactory
from tests.support import sign_in

DETAILS = bank.BankDetails(bank="국민은행", account_no="123-4567-8901", holder="홍길동")


def test_a_sealed_text_opens_only_for_its_context(app):
    sealed = sealing.seal("비밀 123", "bank:1")
    assert sealed.startswith("g1:") and "비밀" not in sealed
    assert sealing.unseal(sealed, "bank:1") == "비밀 123"
    assert sealing.unseal(sealed, "bank:2") is None
    # Two seals of one text differ (a fresh nonce each time).
    assert sealing.seal("비밀 123", "bank:1") != sealed


def test_a_tampered_or_foreign_value_does_not_open(app):
    sealed = sealing.seal("123-4567", "bank:1")
    head, body = sealed.split(":")
    flipped = body[:10] + ("A" if body[10] != "A" else "B") + body[11:]
    assert sealing.unseal(f"{head}:{flipped}", "bank:1") is None
    assert sealing.unseal("v1:" + body, "bank:1") is None
    assert sealing.unseal("g1:!!!", "bank:1") is None
    assert sealing.unseal(None, "bank:1") is None


def test_another_key_does_not_open_and_old_keys_still_do(app, monkeypatch):
    sealed = sealing.seal("123-4567", "bank:1")
    old = app.config["SECRET_KEY"]
    monkeypatch.setitem(app.config, "SECRET_KEY", "another-installation-key-0123456789abcdef")
    assert sealing.unseal(sealed, "bank:1") is None
    # A rotation keeps the old key in SECRET_KEY_FALLBACKS: what it sealed still opens.
    monkeypatch.setitem(app.config, "SECRET_KEY_FALLBACKS", [old])
    assert sealing.unseal(sealed, "bank:1") == "123-4567"


def test_data_key_seals_apart_from_the_secret_key(app, monkeypatch):
    monkeypatch.setitem(app.config, "DATA_KEY", "data-key-of-this-installation-0123456789")
    sealed = sealing.seal("123-4567", "bank:1")
    assert sealing.unseal(sealed, "bank:1") == "123-4567"
    # Under a new DATA_KEY it opens only while the former one is among the fallbacks.
    monkeypatch.setitem(app.config, "DATA_KEY", "a-new-data-key-of-this-installation-9876")
    assert sealing.unseal(sealed, "bank:1") is None
    monkeypatch.setitem(app.config, "DATA_KEY_FALLBACKS", ["data-key-of-this-installation-0123456789"])
    assert sealing.unseal(sealed, "bank:1") == "123-4567"
    # Not derivable from the SECRET_KEY: without any DATA_KEY it does not open.
    monkeypatch.setitem(app.config, "DATA_KEY", None)
    monkeypatch.setitem(app.config, "DATA_KEY_FALLBACKS", [])
    assert sealing.unseal(sealed, "bank:1") is None


def _profile(**kw):
    user = UserFactory(roles=("reviewer",), **kw)
    return user, profiles.profile_of(user, create=True)


def test_bank_details_are_stored_sealed_and_shown_masked(app):
    user, profile = _profile()
    bank.write(profile, DETAILS, user)
    db.session.commit()
    assert "8901" not in profile.bank_sealed and "국민" not in profile.bank_sealed
    assert bank.read(profile) == DETAILS
    assert bank.masked(profile) == "국민은행 ***-****-8901 (홍길동)"
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "reviewer.bank_details_set")).one()
    text = json.dumps(entry.data, ensure_ascii=False)
    assert "4567" not in text and "123-4567-8901" not in text
    assert entry.data["changes"]["bank_details"] == ["", "국민은행 ***-****-8901 (홍길동)"]


def test_a_sealed_value_copied_to_another_row_does_not_open(app):
    user, profile = _profile()
    _other_user, other = _profile()
    bank.write(profile, DETAILS, user)
    other.bank_sealed = profile.bank_sealed
    db.session.flush()
    assert bank.read(other) is None and bank.masked(other) == ""
    assert bank.read(profile) == DETAILS


def test_only_finance_reads_the_details_in_full(app):
    user, profile = _profile()
    bank.write(profile, DETAILS, user)
    finance = UserFactory(roles=(Role.FINANCE,))
    assert bank.read_as(finance, profile) == DETAILS
    for who in (user, UserFactory(roles=("officer",)), UserFactory(roles=("admin",))):
        with pytest.raises(bank.BankError):
            bank.read_as(who, profile)


@pytest.mark.parametrize("details, field", [
    (bank.BankDetails("", "123-4567-8901", "홍길동"), "bank"),
    (bank.BankDetails("국민은행", "12ab-3456", "홍길동"), "account_no"),
    (bank.BankDetails("국민은행", "1234", "홍길동"), "account_no"),
    (bank.BankDetails("국민은행", "１２３４５６７８９０", "홍길동"), "account_no"),
    (bank.BankDetails("국민은행", "123-4567-8901", " "), "holder"),
])
def test_bad_details_are_refused_and_nothing_is_stored(app, details, field):
    user, profile = _profile()
    with pytest.raises(bank.BankError) as refused:
        bank.write(profile, details, user)
    assert refused.value.field == field
    assert profile.bank_sealed is None


def test_the_reviewer_writes_details_and_sees_them_masked(app, client):
    user = UserFactory(roles=("reviewer",))
    sign_in(client, user)
    resp = client.post("/review/profile/bank", data={"bank": "신한은행", "account_no": "110-222-333444",
                                                      "holder": user.name})
    assert resp.status_code == 303
    page = client.get("/review/profile").get_data(as_text=True)
    assert "신한은행 ***-***-**3444" in page
    assert "110-222-333444" not in page and "333444" not in page
    # An empty form: 422 with the field's message, nothing saved.
    resp = client.post("/review/profile/bank", data={"bank": "", "account_no": "", "holder": ""})
    assert resp.status_code == 422 and "은행명을 입력하십시오." in resp.get_data(as_text=True)
    assert bank.read(profiles.profile_of(user)).account_no == "110-222-333444"


def test_a_bad_account_number_is_refused_beside_its_field(app, client):
    user = UserFactory(roles=("reviewer",))
    sign_in(client, user)
    resp = client.post("/review/profile/bank", data={"bank": "신한은행", "account_no": "계좌 번호", "holder": "홍"})
    assert resp.status_code == 422
    assert 'id="account_no-error"' in resp.get_data(as_text=True)
    profile = profiles.profile_of(user)
    assert profile is None or profile.bank_sealed is None


def test_details_sealed_under_a_lost_key_are_reported_not_shown(app, client, monkeypatch):
    user, profile = _profile()
    bank.write(profile, DETAILS, user)
    db.session.commit()
    monkeypatch.setitem(app.config, "SECRET_KEY", "another-installation-key-0123456789abcdef")
    sign_in(client, user)
    page = client.get("/review/profile").get_data(as_text=True)
    assert "저장된 계좌 정보를 열 수 없습니다" in page and "8901" not in page
