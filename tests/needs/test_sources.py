"""Administrators manage source systems (keys shown once) and regional policy overrides."""

from __future__ import annotations

import hashlib

import pytest

from marketplace.needs.models import PolicyOverride, SourceSystem
from marketplace.needs.services.sources import source_system_for_key
from tests.factories.accounts import UserFactory
from tests.factories.needs import SourceSystemFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(administrator=True))
    return client


def create_system(client, **fields):
    data = {"name": "潜江市医保系统", "department": "medical_security", "region": "429005", "webhook_url": ""}
    return client.post("/admin/source-systems/new/", {**data, **fields})


def stored_values(system: SourceSystem) -> str:
    system.refresh_from_db()
    return " ".join(str(getattr(system, field.attname)) for field in SourceSystem._meta.concrete_fields)


def test_a_new_source_systems_key_is_shown_once_and_only_its_hash_is_stored(admin_client):
    response = create_system(admin_client)
    assert response.status_code == 200
    key = response.context["api_key"]
    assert key in response.text
    # What to do with it, and how the system sends it.
    assert "请通过安全渠道交给该系统的运维人员" in response.text and f"{key}</code>" in response.text
    assert "no-store" in response["Cache-Control"]

    system = SourceSystem.objects.get(name="潜江市医保系统")
    assert (system.department, system.region_id) == ("medical_security", "429005")
    assert system.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key not in stored_values(system)
    assert source_system_for_key(key) == system

    # Never again: not on the list, not on the edit page.
    assert key not in admin_client.get("/admin/source-systems/").text
    edit = admin_client.get(f"/admin/source-systems/edit/{system.pk}/")
    assert edit.status_code == 200
    assert key not in edit.text
    assert f"/admin/source-systems/rotate-key/{system.pk}/" in edit.text


def test_a_taken_name_is_refused(admin_client):
    SourceSystemFactory(name="潜江市医保系统")
    response = create_system(admin_client)
    assert response.status_code == 200
    assert "api_key" not in response.context
    assert response.context["form"].errors["name"]


def test_rotating_the_key_shows_the_new_one_and_the_old_stops_working(admin_client):
    system = SourceSystemFactory()
    old_key = system.api_key
    assert admin_client.get(f"/admin/source-systems/rotate-key/{system.pk}/").status_code == 200
    response = admin_client.post(f"/admin/source-systems/rotate-key/{system.pk}/")
    assert response.status_code == 200
    new_key = response.context["api_key"]
    assert new_key != old_key
    assert source_system_for_key(old_key) is None
    assert source_system_for_key(new_key) == system
    assert new_key not in stored_values(system)


def test_editing_can_switch_a_system_off(admin_client):
    system = SourceSystemFactory(region_code="420100")
    key = system.api_key
    response = admin_client.post(
        f"/admin/source-systems/edit/{system.pk}/",
        {"name": system.name, "department": "civil_affairs", "region": "420100", "webhook_url": ""},
    )
    assert response.status_code == 302
    system.refresh_from_db()
    assert not system.is_active
    assert source_system_for_key(key) is None


def test_only_administrators_manage_source_systems(client):
    system = SourceSystemFactory()
    client.force_login(UserFactory(caseworker=True))
    for url in (
        "/admin/source-systems/",
        "/admin/source-systems/new/",
        f"/admin/source-systems/rotate-key/{system.pk}/",
    ):
        response = client.get(url)
        assert (response.status_code, response.get("Location")) == (302, "/admin/"), url
    response = client.post(f"/admin/source-systems/rotate-key/{system.pk}/")
    assert response.status_code == 302
    assert "api_key" not in (response.context or {})


# --- regional policy overrides -----------------------------------------------------------------


def override_form(**fields):
    data = {
        "region": "420100",
        "label": "武汉市医疗救助实施细则",
        "inpatient_ratios": '{"dibao": "0.80"}',
        "outpatient_chronic_ratio": "",
        "annual_cap": "",
        "effective_from": "2025-01-01",
        "effective_to": "",
    }
    return {**data, **fields}


def test_an_override_above_the_floor_is_saved(admin_client):
    response = admin_client.post("/admin/policy-overrides/new/", override_form())
    assert response.status_code == 302, response.context["form"].errors
    override = PolicyOverride.objects.get()
    assert override.inpatient_ratios == {"dibao": "0.8"}


def test_an_override_below_the_provincial_floor_is_refused_with_the_floor(admin_client):
    response = admin_client.post(
        "/admin/policy-overrides/new/", override_form(inpatient_ratios='{"dibao": "0.65"}')
    )
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["inpatient_ratios"])
    assert "65%" in errors and "70%" in errors and "鄂民政发〔2024〕21号" in errors
    assert not PolicyOverride.objects.exists()


def test_a_chronic_outpatient_ratio_below_the_floor_is_refused(admin_client):
    response = admin_client.post(
        "/admin/policy-overrides/new/", override_form(inpatient_ratios="", outpatient_chronic_ratio="0.4")
    )
    assert "50%" in " ".join(response.context["form"].errors["outpatient_chronic_ratio"])
    assert not PolicyOverride.objects.exists()


@pytest.mark.parametrize(
    "ratios",
    ['{"dibao": 0.8', '["dibao", "0.8"]', '{"royalty": "0.9"}', '{"dibao": "eighty"}', '{"dibao": "1.5"}'],
)
def test_bad_inpatient_ratios_are_refused(admin_client, ratios):
    response = admin_client.post("/admin/policy-overrides/new/", override_form(inpatient_ratios=ratios))
    assert response.status_code == 200
    assert response.context["form"].errors["inpatient_ratios"]
    assert not PolicyOverride.objects.exists()


def test_two_overrides_of_one_region_may_not_start_on_the_same_day(admin_client):
    assert admin_client.post("/admin/policy-overrides/new/", override_form()).status_code == 302
    response = admin_client.post("/admin/policy-overrides/new/", override_form(label="另一份文件"))
    assert response.context["form"].errors["effective_from"]
    assert PolicyOverride.objects.count() == 1


def test_only_administrators_manage_overrides(client):
    client.force_login(UserFactory(supervisor=True))
    response = client.post("/admin/policy-overrides/new/", override_form())
    assert (response.status_code, response.get("Location")) == (302, "/admin/")
    assert not PolicyOverride.objects.exists()


def test_the_list_searches_by_name(admin_client):
    SourceSystemFactory(name="潜江市医保系统")
    SourceSystemFactory(name="武汉市教育系统")
    response = admin_client.get("/admin/source-systems/", {"q": "潜江"})
    assert "潜江市医保系统" in response.text
    assert "武汉市教育系统" not in response.text
