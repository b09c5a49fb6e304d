"""Reviewers' honoraria (평가수당): withholding tax and the payment statement, in integer won.

An honorarium is 기타소득 (소득세법 §21①19, 인적용역 제공 대가). The payer withholds, per item
(건별):

- necessary expenses deemed 60 % of the payment (소득세법 시행령 §87), leaving the 기타소득금액;
- nothing at all when the payment is at most 125,000원 (과세최저한, 소득세법 §84: a 기타소득금액
  of 50,000원 or less per item is not taxed; 50,000 / 40 % = 125,000);
- otherwise income tax of 20 % of the 기타소득금액 (소득세법 §129①6 라) and 지방소득세 of 10 % of
  that income tax (지방세법 §103-13), together 8.8 % of the payment.

Rounding: each tax is cut down to the 10-won unit, income tax first and local tax computed
from the cut income tax (300,000원 → 24,000 + 2,400). Source: 국고금 관리법 §47① drops the
fraction under 10원 of a 국고금 amount, which the withheld income tax is; the same cut on the
지방소득세 follows 원천징수 practice and its own statutory basis was not checked here. Nothing
is rounded before the taxes: the 기타소득금액 stays exact.

Travel allowance (여비) reimburses costs (실비변상): it is not the reviewer's income, so it is
paid beside the honorarium, never taxed, and never counts towards the 125,000원.

The rates and the threshold are configuration (``HONORARIUM_*`` in config.py) so a change
in the law is a setting, not a release. Everything is ``int`` or ``Decimal``; no float.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from flask import current_app
from flask_babel import gettext as _

from app.core.errors import ReviewError

TAX_UNIT = 10  # 원: the unit each withheld tax is cut down to


class HonorariumError(ReviewError):
    """An amount or a count that cannot be paid: negative, or not a whole number."""


@dataclass(frozen=True)
class TaxSettings:
    necessary_expense_rate: Decimal
    income_tax_rate: Decimal
    local_tax_rate: Decimal
    tax_free_up_to: int

    @classmethod
    def from_config(cls, config: Mapping) -> TaxSettings:
        def rate(key: str) -> Decimal:
            return _rate(config[key], key)

        return cls(
            necessary_expense_rate=rate("HONORARIUM_NECESSARY_EXPENSE_RATE"),
            income_tax_rate=rate("HONORARIUM_INCOME_TAX_RATE"),
            local_tax_rate=rate("HONORARIUM_LOCAL_TAX_RATE"),
            tax_free_up_to=_threshold(config["HONORARIUM_TAX_FREE_UP_TO"]),
        )


def configured() -> TaxSettings:
    """The settings of the running application."""
    return TaxSettings.from_config(current_app.config)


def _rate(value, key: str) -> Decimal:
    # A float rate (0.6) would carry binary error into every amount: configuration is refused, loudly.
    if isinstance(value, float | bool) or not isinstance(value, Decimal | int | str):
        raise TypeError(f"{key} must be a Decimal such as Decimal('0.20'), not {value!r}")
    rate = Decimal(value)
    if not Decimal(0) <= rate <= Decimal(1):
        raise ValueError(f"{key} must lie between 0 and 1, not {value!r}")
    return rate


def _threshold(value) -> int:
    if not _is_int(value) or value < 0:
        raise ValueError(f"HONORARIUM_TAX_FREE_UP_TO must be a whole number of won, not {value!r}")
    return value


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _won(value, field: str) -> int:
    if not _is_int(value) or value < 0:
        raise HonorariumError(_("금액은 0원 이상의 정수(원 단위)로 입력하세요."), field=field)
    return value


def _cut(amount: Decimal) -> int:
    """Down to the 10-won unit (amounts here are never negative, so // is a floor)."""
    return int(amount // TAX_UNIT) * TAX_UNIT


@dataclass(frozen=True)
class Withholding:
    income_tax: int
    local_tax: int
    total: int


def withholding(gross_won: int, settings: TaxSettings | None = None, *, field: str = "gross") -> Withholding:
    """The tax withheld from one taxable payment (one item, 건별) of ``gross_won``."""
    gross = _won(gross_won, field)
    settings = settings or configured()
    if gross <= settings.tax_free_up_to:
        return Withholding(0, 0, 0)
    other_income = gross * (1 - settings.necessary_expense_rate)  # 기타소득금액, exact
    income_tax = _cut(other_income * settings.income_tax_rate)
    local_tax = _cut(income_tax * settings.local_tax_rate)
    return Withholding(income_tax, local_tax, income_tax + local_tax)


@dataclass(frozen=True)
class Item:
    """One taxable payment: ``sessions`` × ``rate_won`` (e.g. 3 proposals × 50,000원 서면평가,
    or 1 day × 300,000원 발표평가), with its travel allowance kept apart."""
    description: str
    sessions: int
    rate_won: int
    travel_won: int = 0


@dataclass(frozen=True)
class Line:
    item: Item
    gross: int  # the taxable honorarium, travel excluded
    tax: Withholding
    net: int  # gross − tax
    payable: int  # net + travel: what reaches the reviewer's account

    @property
    def travel(self) -> int:
        return self.item.travel_won


@dataclass(frozen=True)
class Statement:
    lines: tuple[Line, ...]

    @property
    def gross(self) -> int:
        return sum(line.gross for line in self.lines)

    @property
    def income_tax(self) -> int:
        return sum(line.tax.income_tax for line in self.lines)

    @property
    def local_tax(self) -> int:
        return sum(line.tax.local_tax for line in self.lines)

    @property
    def tax(self) -> int:
        return sum(line.tax.total for line in self.lines)

    @property
    def net(self) -> int:
        return sum(line.net for line in self.lines)

    @property
    def travel(self) -> int:
        return sum(line.travel for line in self.lines)

    @property
    def payable(self) -> int:
        return sum(line.payable for line in self.lines)


def statement(items: list[Item], settings: TaxSettings | None = None) -> Statement:
    """One reviewer's payment statement: each item taxed on its own (건별), travel untaxed.

    ``field`` of a refusal names the item the way a WTForms FieldList does (``items-0-rate``).
    """
    settings = settings or configured()
    lines = []
    for index, item in enumerate(items):
        prefix = f"items-{index}-"
        if not _is_int(item.sessions) or item.sessions < 0:
            raise HonorariumError(_("횟수는 0 이상의 정수로 입력하세요."), field=prefix + "sessions")
        rate = _won(item.rate_won, prefix + "rate")
        travel = _won(item.travel_won, prefix + "travel")
        gross = item.sessions * rate
        tax = withholding(gross, settings, field=prefix + "rate")
        lines.append(Line(item=item, gross=gross, tax=tax, net=gross - tax.total,
                          payable=gross - tax.total + travel))
    return Statement(tuple(lines))
