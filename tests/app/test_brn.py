"""Business registration numbers: ASCII digits with optional hyphens, nothing else, wherever one is typed.

Python's ``\\d`` and ``int`` take full-width and other scripts' digits, so "５０４８..." once
passed the check digit and created a look-alike second organisation under a known name.
"""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Consortium, Organisation, User
from app.accounts import brn
from tests.factories import OrganisationFactory, applicant_with_consortium, next_brn

FULL_WIDTH = str.maketrans("0123456789-", "０１２３４５６７８９－")
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
DEVANAGARI = str.maketrans("0123456789", "०१२३४५६७८९")
MESSAGE = "사업자등록번호는 숫자(0-9)와 하이픈(-)만 입력할 수 있습니다."


def _hyphenated(number: str) -> str:
    return f"{number[:3]}-{number[3:5]}-{number[5:]}"


def look_alikes(number: str) -> list[str]:
    """The same number in spellings a person cannot tell from it, plus stray characters."""
    return [
        number.translate(FULL_WIDTH), _hyphenated(number).translate(FULL_WIDTH),
        number.translate(ARABIC_INDIC), number.translate(DEVANAGARI),
        number[:4] + number[4].translate(FULL_WIDTH) + number[5:],  # one digit is enough
        _hyphenated(number).replace("-", "－"), _hyphenated(number).replace("-", "‐"),  # full-width and Unicode hyphens
        number[:3] + " " + number[3:], number[:3] + "\u3000" + number[3:], number + "\u200b",
        number[:3] + "." + number[3:], "-" + number, number + "-", number[:3] + "--" + number[3:],
    ]


def test_ascii_digits_with_or_without_hyphens_are_accepted():
    number = next_brn()
    for typed in (number, _hyphenated(number), f"  {_hyphenated(number)} "):
        assert brn.has_only_allowed_characters(typed) and brn.is_valid(typed)
        assert brn.normalise(typed) == number


def test_any_other_digit_or_character_is_refused():
    number = next_brn()
    for typed in look_alikes(number):
        assert not brn.has_only_allowed_characters(typed), typed
        assert not brn.is_valid(typed), typed
        assert brn.normalise(typed) != number, typed  # never looked up as the real organisation


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize("spelling", [0, 2, 3, 5])
def test_registering_with_a_look_alike_number_is_refused_next_to_the_field(client, app, spelling):
    known = OrganisationFactory(name="경남테크노파크")
    db.session.commit()
    orgs, users = _count(Organisation), _count(User)
    typed = look_alikes(known.brn)[spelling]
    resp = client.post("/register", data={
        "email": "mallory@example.kr", "name": "김사칭", "password": "Quiet-river-2025",
        "password_confirm": "Quiet-river-2025", "brn": typed, "org_name": "경남테크노파크",
        "org_type": "public_agency", "region": "경남",
    })
    assert resp.status_code == 422
    html = resp.get_data(as_text=True)
    assert 'id="brn-error"' in html and MESSAGE in html
    assert (_count(Organisation), _count(User)) == (orgs, users)


def test_a_consortium_member_cannot_be_added_by_a_look_alike_number(client, login):
    user, consortium = applicant_with_consortium()
    firm = OrganisationFactory()
    db.session.commit()
    login(user)
    for typed in look_alikes(firm.brn)[:4]:
        resp = client.post(f"/my/consortia/{consortium.id}", data={"action": "add", "brn": typed, "role": "university"})
        assert resp.status_code == 422, typed
        assert MESSAGE in resp.get_data(as_text=True)
    db.session.expire_all()
    assert [m.organisation_id for m in db.session.get(Consortium, consortium.id).members] == [user.organisation_id]


def test_the_command_line_refuses_a_look_alike_number(app):
    known = OrganisationFactory()
    db.session.commit()
    orgs = _count(Organisation)
    result = app.test_cli_runner().invoke(args=[
        "users", "create-admin", "--email", "root@example.go.kr", "--name", "관리자", "--password", "Quiet-river-2025",
        "--org-brn", known.brn.translate(FULL_WIDTH), "--org-name", known.name])
    assert result.exit_code != 0
    assert _count(Organisation) == orgs
    assert db.session.scalar(select(User).where(User.email == "root@example.go.kr")) is None
