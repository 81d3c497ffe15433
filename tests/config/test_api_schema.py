"""What a client generated from /api/schema/ relies on (issue 11 item 19); Schemathesis
(tests/config/test_schemathesis.py) checks the whole API against it, these name the rules."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(client):
    return client.get("/api/schema/", HTTP_ACCEPT="application/json").json()


def _operations(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            yield f"{method.upper()} {path}", operation


def test_every_error_answer_is_documented_with_the_error_body(schema):
    error = schema["components"]["schemas"]["Error"]
    assert error["required"] == ["code", "message"]
    for name, operation in _operations(schema):
        errors = {status: response for status, response in operation["responses"].items() if status >= "400"}
        assert errors, name
        for status, response in errors.items():
            assert response["content"] == {
                "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
            }, f"{name} {status}"
        if any(parameter["in"] == "path" for parameter in operation.get("parameters", [])):
            assert "404" in errors, name
        if operation.get("security", [{}]) != [{}]:
            assert "401" in errors, name


def test_the_claim_actions_read_json_only_and_say_so(schema, client, django_user_model):
    withdraw = schema["paths"]["/api/v1/claims/{id}/withdraw/"]["post"]
    assert list(withdraw["requestBody"]["content"]) == ["application/json"]
    assert "415" in withdraw["responses"]
    client.force_login(django_user_model.objects.create_user("member", password="x"))
    response = client.post("/api/v1/claims/1/withdraw/", {"reason": "不需要了"})  # a form body
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"


def test_published_needs_give_the_day_they_were_published_as_a_date(schema):
    assert schema["components"]["schemas"]["PublicNeed"]["properties"]["published_at"]["format"] == "date"


def test_region_parameters_list_the_codes_they_accept(schema):
    parameters = {
        (path, parameter["name"]): parameter
        for path, operations in schema["paths"].items()
        for operation in operations.values()
        for parameter in operation.get("parameters", [])
    }
    assert len(parameters["/api/v1/needs/", "city"]["schema"]["enum"]) == 17
    assert len(parameters["/api/v1/needs/", "county"]["schema"]["enum"]) == 103
    assert parameters["/api/v1/organizations/", "city"]["schema"]["enum"][0] == "420100"
    assert "420000" in parameters["/api/v1/regions/", "parent"]["schema"]["enum"]
    # An empty filter is no filter, everywhere.
    assert parameters["/api/v1/regions/", "parent"]["allowEmptyValue"] is True


@pytest.mark.parametrize(
    "method, path",
    [
        ("post", "/api/v1/claims/abc/renew/"),  # not an id
        ("get", "/api/v1/needs/%C2%84/claims/"),  # not a need's code
        ("delete", "/api/v1/intake/needs/a/b/"),  # a source_ref never holds a slash
        ("get", "/api/v1/nothing-here/"),
    ],
)
def test_an_address_no_operation_serves_answers_the_api_404(client, method, path):
    response = getattr(client, method)(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"code": "not_found", "message": "此地址没有接口操作，请核对网址。"}


def test_a_page_size_that_is_no_whole_number_is_refused(client):
    assert client.get("/api/v1/needs/?page_size=500").status_code == 200  # capped at 100
    for wrong in ("0", "-5", "abc", "2.5"):
        response = client.get(f"/api/v1/needs/?page_size={wrong}")
        assert response.status_code == 400, wrong
        assert list(response.json()["errors"]) == ["page_size"]
