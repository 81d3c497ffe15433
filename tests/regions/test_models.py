import pytest

from regions.models import Region, code_prefix, is_within


@pytest.mark.parametrize(
    ("code", "prefix"),
    [("420000", "42"), ("420100", "4201"), ("420111", "420111"), ("429004", "429004"), ("422800", "4228")],
)
def test_code_prefix(code, prefix):
    assert code_prefix(code) == prefix


@pytest.mark.parametrize(
    ("code", "scope", "inside"),
    [
        ("420111", "420111", True),
        ("420111", "420100", True),
        ("420111", "420000", True),
        ("420111", "420200", False),
        ("420100", "420111", False),
        ("429004", "420000", True),
        ("429004", "420100", False),
        ("422801", "422800", True),
    ],
)
def test_is_within(code, scope, inside):
    assert is_within(code, scope) is inside


@pytest.mark.django_db
class TestTree:
    def test_within_a_city_is_the_city_and_its_counties(self):
        wuhan = set(Region.objects.within("420100").values_list("code", flat=True))
        assert len(wuhan) == 1 + 13
        assert {"420100", "420111", "420117"} <= wuhan
        assert "420200" not in wuhan

    def test_within_the_province_is_everything(self):
        assert Region.objects.within("420000").count() == Region.objects.count()

    def test_within_a_county_is_the_county(self):
        assert list(Region.objects.within("420111").values_list("code", flat=True)) == ["420111"]

    def test_ancestors_run_from_the_province_down(self):
        hongshan = Region.objects.get(code="420111")
        assert [r.code for r in hongshan.ancestors()] == ["420000", "420100"]
        assert [r.code for r in Region.objects.get(code="429004").ancestors()] == ["420000"]
        assert Region.objects.get(code="420000").ancestors() == []

    def test_descendants_exclude_the_region_itself(self):
        enshi = Region.objects.get(code="422800")
        codes = set(enshi.descendants().values_list("code", flat=True))
        assert len(codes) == 8
        assert "422800" not in codes
        assert "422801" in codes
        assert not Region.objects.get(code="420111").descendants().exists()
        assert Region.objects.get(code="420000").descendants().count() == 116

    @pytest.mark.parametrize(
        ("code", "city"),
        [
            ("420111", "420100"),
            ("420100", "420100"),
            ("429004", "429004"),
            ("429021", "429021"),
            ("422801", "422800"),
            ("421088", "421000"),
        ],
    )
    def test_city(self, code, city):
        assert Region.objects.get(code=code).city().code == city

    def test_the_province_has_no_city(self):
        assert Region.objects.get(code="420000").city() is None
