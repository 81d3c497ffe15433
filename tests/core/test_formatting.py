"""core.formatting: one way to write an amount for people, in Chinese and in English."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.template import Context, Template
from django.utils import translation

from core import formatting
from core.formatting import amount_unit, format_amount, format_need_amount, format_number
from marketplace.needs.models import AmountKind


@pytest.fixture
def zh():
    with translation.override("zh-hans"):
        yield


@pytest.fixture
def en():
    with translation.override("en"):
        yield


def test_kinds_agree_with_the_needs_app():
    assert {formatting.MONEY, formatting.GOODS, formatting.HOURS} == set(AmountKind.values)


@pytest.mark.parametrize(
    ("value", "kind", "expected"),
    [
        (Decimal("1234.5"), "money", "1,234.50"),
        (Decimal("1234567.891"), "money", "1,234,567.89"),
        ("12000.00", "money", "12,000.00"),
        (0, "money", "0.00"),
        (Decimal("0.005"), "money", "0.01"),  # rounded half up to the fen
        (12, "hours", "12"),
        (Decimal("12.50"), "hours", "12.50"),
        (Decimal("1500"), "goods", "1,500"),
        ("abc", "money", "abc"),
        (None, "money", ""),
    ],
)
def test_numbers_are_grouped_by_thousands_and_money_keeps_its_fen(value, kind, expected):
    assert format_number(value, kind=kind) == expected


def test_in_chinese_money_reads_yuan_and_hours_xiaoshi(zh):
    assert format_amount(Decimal("1234.5")) == "1,234.50 元"
    assert format_amount(Decimal("12"), kind="hours") == "12 小时"
    assert format_amount(Decimal("30"), kind="goods", unit="箱") == "30 箱"
    assert format_amount(Decimal("30"), kind="goods") == "30"
    assert format_amount(None) == ""
    assert (amount_unit("money"), amount_unit("hours"), amount_unit("goods", "袋")) == ("元", "小时", "袋")


def test_in_english_money_reads_yuan_and_hours_hours(en):
    assert format_amount(Decimal("1234.5")) == "1,234.50 yuan"
    assert format_amount(Decimal("8"), kind="hours") == "8 hours"
    assert amount_unit("money") == "yuan" and amount_unit("hours") == "hours"


def test_a_need_or_a_public_need_dict_gives_the_kind_and_unit(zh):
    assert format_need_amount(SimpleNamespace(amount_kind="hours", unit="小时"), Decimal("4")) == "4 小时"
    assert format_need_amount({"amount_kind": "goods", "unit": "箱"}, 3) == "3 箱"
    assert format_need_amount({"amount_kind": "money", "unit": ""}, "700") == "700.00 元"


def test_the_template_filters_use_the_same_formatter(zh):
    template = Template(
        "{% load amounts %}{{ a|amount:need }}|{{ b|amount:'money' }}|"
        "{{ need|amount_unit }}|{{ c|amount:goods }}"
    )
    rendered = template.render(
        Context(
            {
                "need": SimpleNamespace(amount_kind="hours", unit="小时"),
                "goods": {"amount_kind": "goods", "unit": "<箱>"},
                "a": Decimal("2.5"),
                "b": Decimal("98765.4"),
                "c": 2,
            }
        )
    )
    assert rendered == "2.50 小时|98,765.40 元|小时|2 &lt;箱&gt;"
