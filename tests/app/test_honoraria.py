"""평가수당: withholding on 기타소득 per item, the 125,000원 threshold, travel untaxed, all in int won."""
from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.core.errors import GongmoError
from app.review.honoraria import HonorariumError, Item, TaxSettings, Withholding, statement, withholding
from config import BaseConfig

DEFAULT = TaxSettings.from_config(vars(BaseConfig))


def _all_ints(*values) -> bool:
    return all(type(v) is int for v in values)


def test_the_worked_example_is_8_8_percent(app):
    tax = withholding(300_000)
    assert tax == Withholding(income_tax=24_000, local_tax=2_400, total=26_400)
    assert _all_ints(tax.income_tax, tax.local_tax, tax.total)
    assert 300_000 - tax.total == 273_600


def test_up_to_the_threshold_nothing_is_withheld(app):
    assert withholding(125_000) == Withholding(0, 0, 0)
    assert withholding(0) == Withholding(0, 0, 0)


def test_one_won_over_the_threshold_is_taxed_and_cut_to_ten_won(app):
    # 기타소득금액 50,000.4 → income tax 10,000.08 → 10,000; local 10 % → 1,000.
    assert withholding(125_001) == Withholding(10_000, 1_000, 11_000)
    # 기타소득금액 66,666.8 → 13,333.36 → 13,330; local 1,333 → 1,330.
    assert withholding(166_667) == Withholding(13_330, 1_330, 14_660)


def test_a_statement_taxes_each_item_on_its_own_and_leaves_travel_untaxed(app):
    result = statement([
        Item("서면평가 (신청서 2건)", sessions=2, rate_won=50_000, travel_won=0),
        Item("발표평가 (1일)", sessions=1, rate_won=300_000, travel_won=45_000),
        Item("현장평가 (반일)", sessions=1, rate_won=150_000, travel_won=20_000),
    ])
    written, presentation, site = result.lines
    # 100,000원 is under the threshold although the statement's total is far over it.
    assert (written.gross, written.tax.total, written.net, written.payable) == (100_000, 0, 100_000, 100_000)
    assert (presentation.gross, presentation.tax.total, presentation.net, presentation.payable) == (
        300_000, 26_400, 273_600, 318_600)
    assert (site.gross, site.tax, site.net, site.payable) == (
        150_000, Withholding(12_000, 1_200, 13_200), 136_800, 156_800)
    assert (result.gross, result.income_tax, result.local_tax, result.tax) == (550_000, 36_000, 3_600, 39_600)
    assert (result.net, result.travel, result.payable) == (510_400, 65_000, 575_400)
    assert _all_ints(result.gross, result.income_tax, result.local_tax, result.tax, result.net,
                     result.travel, result.payable,
                     *(v for line in result.lines for v in (line.gross, line.net, line.payable, line.travel)))


def test_travel_alone_is_never_taxed_however_large(app):
    result = statement([Item("여비만", sessions=0, rate_won=300_000, travel_won=900_000)])
    assert (result.gross, result.tax, result.net, result.payable) == (0, 0, 0, 900_000)


def test_an_empty_statement_is_all_zero(app):
    result = statement([])
    assert (result.gross, result.tax, result.net, result.payable) == (0, 0, 0, 0)


def test_the_configured_rates_and_threshold_are_honoured(app, monkeypatch):
    monkeypatch.setitem(app.config, "HONORARIUM_INCOME_TAX_RATE", Decimal("0.10"))
    assert withholding(300_000) == Withholding(12_000, 1_200, 13_200)
    monkeypatch.setitem(app.config, "HONORARIUM_NECESSARY_EXPENSE_RATE", Decimal("0.80"))
    assert withholding(300_000) == Withholding(6_000, 600, 6_600)
    monkeypatch.setitem(app.config, "HONORARIUM_TAX_FREE_UP_TO", 300_000)
    assert withholding(300_000) == Withholding(0, 0, 0)
    assert statement([Item("발표평가", 1, 300_000)]).tax == 0


def test_a_float_rate_in_the_configuration_is_refused(app, monkeypatch):
    monkeypatch.setitem(app.config, "HONORARIUM_INCOME_TAX_RATE", 0.2)
    with pytest.raises(TypeError, match="HONORARIUM_INCOME_TAX_RATE"):
        withholding(300_000)


@pytest.mark.parametrize("amount", [-1, 1000.0, Decimal("1000"), "1000", True, None])
def test_a_negative_or_non_integer_amount_is_refused_in_korean(app, amount):
    with pytest.raises(HonorariumError) as refused:
        withholding(amount)
    assert isinstance(refused.value, GongmoError)
    assert refused.value.field == "gross"
    assert str(refused.value.message) == "금액은 0원 이상의 정수(원 단위)로 입력하세요."


@pytest.mark.parametrize(("item", "field"), [
    (Item("a", sessions=1, rate_won=-50_000), "items-1-rate"),
    (Item("a", sessions=1.5, rate_won=50_000), "items-1-sessions"),
    (Item("a", sessions=-1, rate_won=50_000), "items-1-sessions"),
    (Item("a", sessions=1, rate_won=50_000, travel_won=12_000.5), "items-1-travel"),
])
def test_a_bad_item_is_refused_with_the_field_that_holds_it(app, item, field):
    with pytest.raises(HonorariumError) as refused:
        statement([Item("ok", 1, 50_000), item])
    assert refused.value.field == field
    assert "정수" in str(refused.value.message)


@given(st.integers(min_value=0, max_value=10**9))
def test_net_and_tax_add_up_to_gross(gross):
    tax = withholding(gross, DEFAULT)
    assert _all_ints(tax.income_tax, tax.local_tax, tax.total)
    assert tax.total == tax.income_tax + tax.local_tax
    assert tax.income_tax % 10 == 0 and tax.local_tax % 10 == 0
    line, = statement([Item("x", 1, gross)], DEFAULT).lines
    assert line.net + line.tax.total == gross


@given(st.integers(min_value=0, max_value=10**9))
def test_tax_is_nil_up_to_the_threshold_and_monotone_above(gross):
    tax = withholding(gross, DEFAULT).total
    if gross <= DEFAULT.tax_free_up_to:
        assert tax == 0
    else:
        assert tax > 0
        assert withholding(gross + 1, DEFAULT).total >= tax
        assert tax >= withholding(gross - 1, DEFAULT).total
        assert tax <= gross * 88 // 1000  # never above 8.8 %
