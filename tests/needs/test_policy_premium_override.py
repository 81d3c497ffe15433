"""Regional overrides may raise the premium subsidy (参保资助) per category, never below the province.

Seed 鄂民政发〔2024〕21号 四(二)1 sets the provincial floor: 特困人员 全额资助, 低保对象 不低于个人缴费
标准 90%; it names no subsidy for the other categories, which a city or county may add. 400 元
is the individual premium of 城乡居民医保 for 2024.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from marketplace.needs.models import PolicyOverride
from marketplace.needs.policy import (
    HUBEI_2024,
    BelowProvincialFloor,
    MedicalCosts,
    RegionalOverride,
    assess_medical,
    validate_override,
)
from tests.factories.accounts import UserFactory
from tests.needs.medical_records import medical_record, publish_at_once, pushed_need  # noqa: F401

D = Decimal
ON = date(2025, 6, 1)
PREMIUM = MedicalCosts(in_scope_self_pay=D("0"), out_of_scope=D("0"), insurance_premium=D("400"))


def wuhan(**fields) -> RegionalOverride:
    return RegionalOverride(
        id="420100-2025",
        label="武汉市医疗救助实施细则",
        region_code="420100",
        effective_from=date(2025, 1, 1),
        **fields,
    )


def assess(categories, overrides, region_code="420111"):
    return assess_medical(
        categories=categories, costs=PREMIUM, region_code=region_code, on=ON, overrides=overrides
    )


def test_a_city_pays_dibao_premiums_in_full():
    """Wuhan raises 低保 from the provincial 90 % to 100 %: nothing of 400 is left for charity."""
    result = assess(["dibao"], [wuhan(premium_ratios={"dibao": D("1.00")})])

    assert result.premium_ratio == D("1.00")
    assert result.premium_ratio_from == "420100-2025"
    assert result.premium_subsidy == D("400.00")
    assert result.charity_gap == D("0.00")
    assert result.rule_version == "hubei-2024-21+420100-2025"
    assert "城乡居民基本医疗保险个人缴费资助比例为100%" in result.explanation()


def test_a_city_may_subsidize_a_category_the_province_does_not():
    """边缘户 get nothing from the province; a city paying half leaves 200 for charity."""
    assert assess(["near_dibao"], []).premium_subsidy == D("0.00")

    result = assess(["near_dibao"], [wuhan(premium_ratios={"near_dibao": D("0.5")})])

    assert result.premium_subsidy == D("200.00")
    assert result.charity_gap == D("200.00")
    assert "城乡居民基本医疗保险个人缴费资助比例为50%" in result.explanation()


def test_the_county_overrides_the_city_and_other_counties_keep_the_citys_ratio():
    city = wuhan(premium_ratios={"near_dibao": D("0.5")})
    county = RegionalOverride(
        id="420111-2025",
        label="洪山区实施细则",
        region_code="420111",
        effective_from=date(2025, 3, 1),
        premium_ratios={"near_dibao": D("0.8")},
    )

    assert assess(["near_dibao"], [city, county], region_code="420111").premium_subsidy == D("320.00")
    assert assess(["near_dibao"], [city, county], region_code="420106").premium_subsidy == D("200.00")


def test_a_category_the_override_leaves_out_keeps_the_provincial_ratio():
    result = assess(["dibao"], [wuhan(premium_ratios={"near_dibao": D("0.5")})])

    assert result.premium_subsidy == D("360.00")
    assert result.premium_ratio_from == "hubei-2024-21"


def test_a_premium_ratio_below_the_provincial_floor_is_refused():
    with pytest.raises(BelowProvincialFloor) as refused:
        validate_override(wuhan(premium_ratios={"dibao": D("0.80")}), HUBEI_2024)

    message = str(refused.value)
    assert "80%" in message and "90%" in message and "鄂民政发〔2024〕21号" in message


def test_an_unknown_category_or_a_ratio_that_is_not_a_decimal_is_refused():
    with pytest.raises(ValueError):
        wuhan(premium_ratios={"poor": D("0.5")})
    with pytest.raises(TypeError):
        wuhan(premium_ratios={"dibao": 1})


# --- the back office and intake -------------------------------------------------------------


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(administrator=True))
    return client


def override_form(**fields):
    data = {
        "region": "420100",
        "label": "武汉市医疗救助实施细则",
        "inpatient_ratios": "",
        "outpatient_chronic_ratio": "",
        "premium_ratios": '{"dibao": "1.00", "near_dibao": "0.5"}',
        "annual_cap": "",
        "effective_from": "2025-01-01",
        "effective_to": "",
    }
    return {**data, **fields}


@pytest.mark.django_db
@pytest.mark.usefixtures("publish_at_once")
def test_an_administrator_saves_premium_ratios_and_intake_applies_them(admin_client, api, make_record):
    response = admin_client.post("/admin/policy-overrides/new/", override_form())
    assert response.status_code == 302, response.context["form"].errors
    assert PolicyOverride.objects.get().premium_ratios == {"dibao": "1", "near_dibao": "0.5"}

    record = medical_record(
        make_record,
        "PREMIUM-WUHAN",
        categories=["near_dibao"],
        requested="400.00",
        medical={"insurance_premium": "400"},
    )
    need = pushed_need(api, record)

    assert need.statutory_coverage == D("200.00")
    assert need.target_amount == D("200.00")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("ratios", "message"),
    [
        ('{"dibao": "0.8"}', "90%"),
        ('{"poor": "0.5"}', "poor"),
        ('{"dibao": "1.5"}', "0 到 1"),
        ("[0.9]", "JSON"),
    ],
)
def test_the_form_refuses_premium_ratios_below_the_floor_or_malformed(admin_client, ratios, message):
    response = admin_client.post("/admin/policy-overrides/new/", override_form(premium_ratios=ratios))

    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["premium_ratios"])
    assert not PolicyOverride.objects.exists()
