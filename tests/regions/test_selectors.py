import pytest
from django.core.exceptions import ValidationError

from regions.selectors import region_list

pytestmark = pytest.mark.django_db


def codes(queryset):
    return [region.code for region in queryset]


def test_no_filter_gives_the_whole_tree_in_code_order():
    result = codes(region_list())
    assert len(result) == 117
    assert result == sorted(result)
    assert result[0] == "420000"


def test_by_level():
    assert codes(region_list(level="province")) == ["420000"]
    assert len(codes(region_list(level="city"))) == 17
    assert len(codes(region_list(level="county"))) == 103


def test_children_of_the_province_are_the_17_city_level_units():
    children = codes(region_list(parent="420000"))
    assert len(children) == 17
    assert set(children) == set(codes(region_list(level="city")))


def test_children_of_a_city_and_of_a_county():
    assert codes(region_list(parent="421300")) == ["421303", "421321", "421381"]
    assert codes(region_list(parent="420111")) == []


def test_parent_and_level_combine():
    assert codes(region_list(parent="420000", level="county")) == ["429004", "429005", "429006", "429021"]
    assert codes(region_list(parent="420700", level="city")) == []


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"level": "town"}, "level"),
        ({"parent": "4201"}, "parent"),
        ({"parent": "abcdef"}, "parent"),
        ({"parent": "421023"}, "parent"),
    ],
)
def test_bad_parameters_raise(params, field):
    with pytest.raises(ValidationError) as excinfo:
        region_list(**params)
    assert set(excinfo.value.message_dict) == {field}
