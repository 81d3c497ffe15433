"""The Hubei tree that migration 0002 loads: what every scope, form and report relies on."""

import importlib
import re

import pytest
from django.apps import apps

from cms.models.editorial import NoticeGroup
from regions.models import Region, RegionLevel

pytestmark = pytest.mark.django_db

DIRECT_UNITS = {"429004", "429005", "429006", "429021"}


def test_one_province_17_city_level_and_103_county_level_units():
    assert list(Region.objects.filter(level=RegionLevel.PROVINCE).values_list("code", flat=True)) == [
        "420000"
    ]
    assert Region.objects.city_level().count() == 17
    assert Region.objects.county_level().count() == 103
    assert Region.objects.count() == 1 + 13 + 103


def test_the_four_direct_units_count_at_city_and_county_level():
    direct = set(Region.objects.filter(directly_administered=True).values_list("code", flat=True))
    assert direct == DIRECT_UNITS
    assert set(Region.objects.city_level().values_list("code", flat=True)) >= DIRECT_UNITS
    assert set(Region.objects.county_level().values_list("code", flat=True)) >= DIRECT_UNITS
    for region in Region.objects.filter(code__in=DIRECT_UNITS):
        assert region.level == RegionLevel.COUNTY
        assert region.parent_id == "420000"
        assert region.is_city_level


def test_the_city_level_units_are_the_12_cities_enshi_and_the_direct_units():
    cities = Region.objects.filter(level=RegionLevel.CITY)
    assert cities.count() == 13
    assert set(cities.values_list("parent_id", flat=True)) == {"420000"}
    assert Region.objects.get(code="422800").name == "恩施土家族苗族自治州"
    assert Region.objects.get(code="420100").name == "武汉市"


@pytest.mark.parametrize(
    ("code", "name", "parent"),
    [
        ("421088", "监利市", "421000"),
        ("420882", "京山市", "420800"),
        ("420304", "郧阳区", "420300"),
        ("420111", "洪山区", "420100"),
        ("429021", "神农架林区", "420000"),
    ],
)
def test_current_names_after_recent_changes(code, name, parent):
    region = Region.objects.get(code=code)
    assert (region.name, region.parent_id) == (name, parent)


def test_abolished_jianli_county_is_not_there():
    assert not Region.objects.filter(code="421023").exists()
    assert not Region.objects.filter(name="监利县").exists()


def test_every_county_reaches_the_province_through_its_parents():
    for county in Region.objects.county_level():
        chain = [ancestor.code for ancestor in county.ancestors()]
        assert chain[0] == "420000", county
        if county.directly_administered:
            assert chain == ["420000"]
        else:
            assert len(chain) == 2
            assert county.parent.level == RegionLevel.CITY
            assert county.code.startswith(county.parent.prefix)


def test_codes_are_unique_six_digit_hubei_codes():
    codes = list(Region.objects.values_list("code", flat=True))
    assert len(codes) == len(set(codes))
    assert all(re.fullmatch(r"42\d{4}", code) for code in codes)


def test_names_are_chinese_and_unique():
    names = list(Region.objects.values_list("name", flat=True))
    assert all(re.fullmatch(r"[\u4e00-\u9fff]+", name) for name in names), names
    assert len(names) == len(set(names))


def test_pinyin_is_lowercase_ascii_of_the_full_name():
    for code, pinyin in Region.objects.values_list("code", "pinyin"):
        assert re.fullmatch(r"[a-z]+", pinyin), code
    pinyin = dict(Region.objects.values_list("code", "pinyin"))
    assert pinyin["420000"] == "hubeisheng"
    assert pinyin["420100"] == "wuhanshi"
    assert pinyin["420111"] == "hongshanqu"
    assert pinyin["420104"] == "qiaokouqu"
    assert pinyin["420505"] == "xiaotingqu"
    assert pinyin["420528"] == "changyangtujiazuzizhixian"
    assert pinyin["421303"] == "zengduqu"
    assert pinyin["422800"] == "enshitujiazumiaozuzizhizhou"


def test_reversing_the_migration_removes_the_tree_and_reapplying_restores_it():
    # A real rollback unapplies the apps that depend on regions first: cms's notice sections (0005)
    # take their editorial groups with them (NoticeGroup.page cascades; its region is PROTECT).
    importlib.import_module("cms.migrations.0005_create_notice_sections").remove_pages(apps, None)
    assert not NoticeGroup.objects.exists()
    migration = importlib.import_module("regions.migrations.0002_hubei_regions")
    migration.unload_regions(apps, None)
    assert not Region.objects.exists()
    migration.load_regions(apps, None)
    assert Region.objects.count() == 117
    assert Region.objects.county_level().count() == 103
