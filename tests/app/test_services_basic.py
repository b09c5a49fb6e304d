"""Small shared services: business registration numbers, money display, markdown, redirects, clock."""
from decimal import Decimal

import pytest

from app.accounts import brn
from app.core import money
from app.core.markdown import render_markdown
from app.core.safe_redirect import safe_next


@pytest.mark.parametrize("number", ["220-81-62517", "1248100998"])
def test_real_business_registration_numbers_pass_the_check_digit(number):
    assert brn.is_valid(number)


@pytest.mark.parametrize("number", ["220-81-62518", "123456789", "12345678901", "abcdefghij", "", "１２３４５６７８９０"])
def test_wrong_check_digit_or_shape_is_refused(number):
    assert not brn.is_valid(number)


def test_with_check_digit_completes_any_nine_digits():
    for nine in ("123456789", "000000001", "987654321"):
        full = brn.with_check_digit(nine)
        assert full.startswith(nine) and brn.is_valid(full)
        assert not brn.is_valid(nine + str((int(full[-1]) + 1) % 10))


def test_eok_display_matches_korean_budget_tables():
    assert money.eok(14_000_000_000) == "140억원"
    assert money.eok(2_490_000_000) == "24.9억원"
    assert money.eok(224_000_000) == "2.24억원"
    assert money.eok(140_000_000_000) == "1,400억원"
    assert money.won(1234567) == "1,234,567원"
    assert money.million(3_720_000_000) == "3,720백만원"


def test_parse_won_accepts_commas_and_rejects_everything_else():
    assert money.parse_won("1,400,000,000원") == 1_400_000_000
    for bad in ("-5", "1.5", "1e9", "", "십억", "１２"):
        with pytest.raises(ValueError):
            money.parse_won(bad)


def test_markdown_is_sanitised():
    html = str(render_markdown("**굵게** <script>alert(1)</script> [x](javascript:alert(1))"))
    assert "<strong>굵게</strong>" in html
    assert "<script" not in html and "javascript:" not in html


@pytest.mark.parametrize("target,expected", [
    ("/my/proposals", "/my/proposals"), ("//evil.example/x", None), ("https://evil.example", None),
    ("/\\evil.example", None), ("javascript:alert(1)", None), (None, None),
])
def test_only_local_paths_are_followed(target, expected):
    assert safe_next(target) == expected


def test_money_columns_are_integers_not_floats(app):
    from app.models import BudgetLine, Call

    assert BudgetLine.__table__.c.amount.type.python_type is int
    assert Call.__table__.c.per_award_cap.type.python_type is int
    assert Call.__table__.c.min_local_ratio.type.python_type is Decimal
