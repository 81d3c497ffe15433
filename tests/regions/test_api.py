import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

pytestmark = pytest.mark.django_db

URL = "/api/v1/regions/"


def get(client, **params):
    return client.get(URL, params, HTTP_ACCEPT_LANGUAGE="en")


def test_url_name():
    assert reverse("region-list") == URL


def test_anonymous_visitor_gets_the_whole_tree_unpaginated(client):
    response = get(client)
    assert response.status_code == 200
    rows = response.json()
    assert isinstance(rows, list)
    assert len(rows) == 117
    assert rows[0] == {
        "code": "420000",
        "name": "湖北省",
        "pinyin": "hubeisheng",
        "level": "province",
        "parent": None,
        "directly_administered": False,
        "city_level": False,
    }


def test_row_of_a_direct_unit(client):
    rows = {row["code"]: row for row in get(client, level="county").json()}
    assert rows["429004"] == {
        "code": "429004",
        "name": "仙桃市",
        "pinyin": "xiantaoshi",
        "level": "county",
        "parent": "420000",
        "directly_administered": True,
        "city_level": True,
    }
    assert rows["420111"]["parent"] == "420100"
    assert rows["420111"]["city_level"] is False


@pytest.mark.parametrize(("level", "count"), [("province", 1), ("city", 17), ("county", 103)])
def test_list_by_level(client, level, count):
    response = get(client, level=level)
    assert response.status_code == 200
    assert len(response.json()) == count


def test_list_by_parent(client):
    children = [row["code"] for row in get(client, parent="420000").json()]
    assert len(children) == 17
    assert "420100" in children
    assert "429021" in children
    hongshan_siblings = [row["name"] for row in get(client, parent="420100").json()]
    assert len(hongshan_siblings) == 13
    assert "洪山区" in hongshan_siblings


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"level": "town"}, "level", "Unknown level: use province, city or county."),
        ({"parent": "4201"}, "parent", "A region code is six digits, for example 420111."),
        ({"parent": "42o1oo"}, "parent", "A region code is six digits, for example 420111."),
        ({"parent": "421023"}, "parent", "Unknown region code."),
    ],
)
def test_bad_parameter_is_a_400_with_the_json_error_format(client, params, field, message):
    response = get(client, **params)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert body["message"]
    assert body["errors"] == {field: [message]}


def test_every_bad_parameter_is_reported(client):
    response = get(client, level="town", parent="999")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"level", "parent"}


def test_errors_are_not_publicly_cached(client):
    response = get(client, level="town")
    assert "public" not in response.get("Cache-Control", "")


def test_response_is_publicly_cacheable(client):
    response = get(client, level="city")
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert "public" in cache_control
    assert "max-age=3600" in cache_control


def test_cached_response_is_served_again_without_reading_the_tree(client):
    first = get(client, parent="420000")
    with CaptureQueriesContext(connection) as queries:
        second = get(client, parent="420000")
    assert second.status_code == 200
    assert second.json() == first.json()
    # ATOMIC_REQUESTS still opens a savepoint; the region table is not read again.
    assert not [query for query in queries if "regions_region" in query["sql"]]


def test_signed_in_user_gets_the_same_list(client, django_user_model):
    user = django_user_model.objects.create_user(username="caseworker", password="x-very-long-password")
    client.force_login(user)
    assert len(get(client, level="city").json()) == 17


def test_schema_documents_the_endpoint_and_its_parameters(client):
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    operation = response.json()["paths"]["/api/v1/regions/"]["get"]
    parameters = {parameter["name"]: parameter for parameter in operation["parameters"]}
    assert set(parameters) == {"parent", "level"}
    assert parameters["level"]["schema"]["enum"] == ["city", "county", "province"]
    assert "400" in operation["responses"]
