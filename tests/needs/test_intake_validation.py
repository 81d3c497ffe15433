"""Intake never loses a good record: a bad one gets field errors, its batch goes through.

Every value of a record is bounded (depth, integer ranges, lengths, characters, dates,
amounts); what breaks a bound is answered per record, in Chinese by default, and the good
records of the same request are created. These run on PostgreSQL in CI, which refuses NUL in
text and integers over 2**31 - 1 where SQLite would store them.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from marketplace.needs.intake import MAX_RECORD_DEPTH, SOURCE_REF, latest_needed_by
from marketplace.needs.models import Need, NeedStatus

pytestmark = pytest.mark.django_db

URL = "/api/v1/intake/needs/"
FORBIDDEN_CHARS = ("\x00", "\x07", "\x1b", "\x7f", "\x85", "\ud800", "\udfff")


@pytest.fixture(autouse=True)
def publish_at_once(settings):
    settings.K_ANONYMITY_K = 1


def post_raw(client, source, body: str | bytes, **extra):
    return client.post(
        URL, body, content_type="application/json", HTTP_AUTHORIZATION=f"Api-Key {source.api_key}", **extra
    )


def results(response) -> list[dict]:
    assert response.status_code == 200, response.content[:500]
    return response.json()["results"]


def assert_good_ones_created(rows: list[dict], good_refs=("GOOD-1", "GOOD-2")) -> None:
    by_ref = {row["source_ref"]: row for row in rows}
    for ref in good_refs:
        assert by_ref[ref]["status"] == "created", rows
    assert set(Need.objects.filter(source_ref__in=good_refs).values_list("source_ref", flat=True)) == set(
        good_refs
    )


def medical(make_record, ref: str, **overrides) -> dict:
    """A valid medical record (the synthetic one chose its amount for its own need type)."""
    record = make_record(ref)
    record.update(
        need_type="medical",
        department="medical_security",
        medical={"in_scope_self_pay": "5000", "out_of_scope": "1000"},
        requested_amount="6000.00",
    )
    record.update(overrides)
    return record


def set_path(record: dict, path: tuple[str, ...], value) -> dict:
    record = json.loads(json.dumps(record))
    target = record
    for key in path[:-1]:
        if not isinstance(target.get(key), dict):
            target[key] = {}
        target = target[key]
    target[path[-1]] = value
    return record


# --- item 5: each of these answered 500 and lost the batch ----------------------------------------


BAD_VALUES = [
    pytest.param(("title",), "求助\x00标题", "title", id="nul-in-title"),
    pytest.param(("description",), "说明\x00文字", "description", id="nul-in-description"),
    pytest.param(("source_ref",), "BAD\x00", "source_ref", id="nul-in-source_ref"),
    pytest.param(("version",), 10**30, "version", id="version-10**30"),
    pytest.param(("version",), 2**31, "version", id="version-over-postgres-integer"),
    pytest.param(("household", "categories"), [["dibao"]], "household.categories", id="category-as-list"),
    pytest.param(("need_type",), ["medical"], "need_type", id="need_type-as-list"),
    pytest.param(("department",), {"code": "health"}, "department", id="department-as-object"),
    pytest.param(("urgency",), ["urgent"], "urgency", id="urgency-as-list"),
    pytest.param(("title",), "标题\ud800", "title", id="lone-surrogate-in-title"),
    pytest.param(("description",), "\udfff说明", "description", id="lone-surrogate-in-description"),
    pytest.param(("household", "name"), "张\ud800", "household.name", id="lone-surrogate-in-name"),
    pytest.param(("title",), "第一行\n第二行", "title", id="line-break-in-title"),
    pytest.param(("description",), "响铃\x07", "description", id="bell-in-description"),
]


@pytest.mark.parametrize(("path", "value", "error_field"), BAD_VALUES)
def test_a_bad_value_rejects_its_record_and_the_good_ones_are_created(
    client, source, make_record, path, value, error_field
):
    bad = set_path(medical(make_record, "BAD"), path, value)
    body = {"records": [medical(make_record, "GOOD-1"), bad, medical(make_record, "GOOD-2")]}

    rows = results(client.post(URL, body, content_type="application/json", HTTP_AUTHORIZATION=auth(source)))

    assert_good_ones_created(rows)
    assert rows[1]["status"] == "rejected"
    assert error_field in rows[1]["errors"], rows[1]
    assert not Need.objects.exclude(source_ref__in=("GOOD-1", "GOOD-2")).exists()


def auth(source) -> str:
    return f"Api-Key {source.api_key}"


def test_the_lone_surrogate_is_read_from_the_json_text_itself(client, source, make_record):
    good = [json.dumps(medical(make_record, f"GOOD-{n}"), ensure_ascii=False) for n in (1, 2)]
    bad = json.dumps(medical(make_record, "BAD"), ensure_ascii=False).replace(
        '"title": "', '"title": "\\ud800'
    )
    body = f'{{"records": [{good[0]}, {bad}, {good[1]}]}}'

    rows = results(post_raw(client, source, body.encode()))

    assert_good_ones_created(rows)
    assert list(rows[1]["errors"]) == ["title"]


def test_errors_say_what_to_fix_in_chinese(client, source, make_record):
    bad = medical(make_record, "BAD", title="标题\x00", version=10**30)
    rows = results(
        client.post(URL, {"records": [bad]}, content_type="application/json", HTTP_AUTHORIZATION=auth(source))
    )
    assert "控制字符" in rows[0]["errors"]["title"][0]
    assert "2147483647" in rows[0]["errors"]["version"][0]


def test_a_line_break_and_a_tab_are_kept_in_the_description(client, source, make_record):
    record = medical(make_record, "GOOD-1", description="第一段\r\n\t第二段")
    rows = results(
        client.post(
            URL, {"records": [record]}, content_type="application/json", HTTP_AUTHORIZATION=auth(source)
        )
    )
    assert rows[0]["status"] == "created"
    assert Need.objects.get(source_ref="GOOD-1").summary == "第一段\n\t第二段"


def test_an_unknown_field_holding_a_lone_surrogate_does_not_fail_the_record(client, source, make_record):
    record = {**medical(make_record, "GOOD-1"), "extra": "\ud800"}
    rows = results(
        client.post(
            URL,
            {"records": [record, medical(make_record, "GOOD-2")]},
            content_type="application/json",
            HTTP_AUTHORIZATION=auth(source),
        )
    )
    assert_good_ones_created(rows)


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def test_a_record_nested_50000_levels_deep_is_rejected_alone(client, source, make_record):
    good = [json.dumps(medical(make_record, f"GOOD-{n}")) for n in (1, 2)]
    bad = json.dumps(medical(make_record, "BAD")).replace(
        '"medical": {', f'"medical": {{"x": {_nested(50_000)}, ', 1
    )
    body = f'{{"records": [{good[0]}, {bad}, {good[1]}]}}'

    rows = results(post_raw(client, source, body))

    assert_good_ones_created(rows)
    assert rows[1] == {
        "source_ref": "BAD",
        "status": "rejected",
        "need_code": None,
        "errors": {"medical": [rows[1]["errors"]["medical"][0]]},
    }
    assert str(MAX_RECORD_DEPTH) in rows[1]["errors"]["medical"][0]


def test_a_record_nested_deeper_than_allowed_but_parseable_is_rejected_alone(client, source, make_record):
    bad = set_path(
        medical(make_record, "BAD"), ("household", "categories"), json.loads(_nested(MAX_RECORD_DEPTH))
    )
    rows = results(
        client.post(
            URL,
            {"records": [medical(make_record, "GOOD-1"), bad, medical(make_record, "GOOD-2")]},
            content_type="application/json",
            HTTP_AUTHORIZATION=auth(source),
        )
    )
    assert_good_ones_created(rows)
    assert list(rows[1]["errors"]) == ["household"]


@pytest.mark.parametrize(
    ("body", "code"),
    [
        pytest.param(_nested(50_000), "invalid", id="a-deep-list-is-no-records-object"),
        pytest.param("[" * 50_000, "too_deep", id="deep-and-unterminated"),
        pytest.param('{"records": [' + '{"a": ' * 50_000, "too_deep", id="deep-objects-unterminated"),
        pytest.param("{not json", "malformed_json", id="not-json"),
        pytest.param(b"\xff\xfe\x00", "malformed_json", id="not-utf-8"),
    ],
)
def test_a_body_that_cannot_be_read_is_a_400_with_a_code(client, source, body, code):
    response = post_raw(client, source, body)
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert response.json()["message"]


def test_an_integer_of_thousands_of_digits_is_a_field_error(client, source, make_record):
    good = json.dumps(medical(make_record, "GOOD-1"))
    bad = json.dumps(medical(make_record, "BAD", version=0)).replace(
        '"version": 0', '"version": ' + "9" * 5000
    )
    rows = results(post_raw(client, source, f'{{"records": [{good}, {bad}]}}'))
    assert rows[0]["status"] == "created"
    assert list(rows[1]["errors"]) == ["version"]


def test_a_title_that_grows_past_its_column_once_redacted_is_rejected(client, source, make_record):
    record = medical(make_record, "BAD")
    name = record["household"]["name"]
    record["title"] = (f"{name}说，" * 200)[:200]  # each name becomes the longer 〔已隐去〕 mark
    rows = results(
        client.post(
            URL,
            {"records": [medical(make_record, "GOOD-1"), record]},
            content_type="application/json",
            HTTP_AUTHORIZATION=auth(source),
        )
    )
    assert rows[0]["status"] == "created"
    assert rows[1]["status"] == "rejected" and list(rows[1]["errors"]) == ["title"]


# --- item 6: values that were accepted but make no sense ------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "error_field"),
    [
        pytest.param({"requested_amount": "0"}, "requested_amount", id="nothing-requested"),
        pytest.param({"requested_amount": 0}, "requested_amount", id="nothing-requested-as-number"),
        pytest.param({"requested_amount": "-5.00"}, "requested_amount", id="negative"),
        pytest.param({"requested_amount": "0.001"}, "requested_amount", id="below-a-fen"),
        pytest.param({"requested_amount": "١٢٣"}, "requested_amount", id="arabic-indic-digits"),
        pytest.param({"requested_amount": "१२३"}, "requested_amount", id="devanagari-digits"),
        pytest.param({"requested_amount": "１２３"}, "requested_amount", id="full-width-digits"),
        pytest.param({"requested_amount": "1_000"}, "requested_amount", id="underscore"),
        pytest.param({"requested_amount": "1e3"}, "requested_amount", id="exponent"),
        pytest.param({"requested_amount": {"hours": "0"}}, "requested_amount.hours", id="no-hours"),
        pytest.param(
            {"requested_amount": {"quantity": "0", "unit": "箱"}}, "requested_amount.quantity", id="no-goods"
        ),
        pytest.param({"needed_by": "9999-12-31"}, "needed_by", id="never-expires"),
        pytest.param({"source_ref": "A/1"}, "source_ref", id="slash"),
        pytest.param({"source_ref": ".."}, "source_ref", id="dot-dot"),
        pytest.param({"source_ref": "A..B"}, "source_ref", id="dot-dot-inside"),
        pytest.param({"source_ref": "."}, "source_ref", id="dot"),
        pytest.param({"source_ref": "A 1"}, "source_ref", id="space"),
        pytest.param({"source_ref": "A%2F1"}, "source_ref", id="percent"),
        pytest.param({"source_ref": "A?1"}, "source_ref", id="question-mark"),
        pytest.param({"source_ref": "编号1"}, "source_ref", id="non-ascii"),
    ],
)
def test_values_that_make_no_sense_get_a_field_error(client, source, make_record, overrides, error_field):
    bad = make_record("BAD", need_type="care_service", department="civil_affairs", medical=None)
    bad.update({"requested_amount": "100.00", **overrides})
    rows = results(
        client.post(
            URL,
            {"records": [medical(make_record, "GOOD-1"), bad]},
            content_type="application/json",
            HTTP_AUTHORIZATION=auth(source),
        )
    )
    assert rows[0]["status"] == "created"
    assert rows[1]["status"] == "rejected"
    assert error_field in rows[1]["errors"], rows[1]


def test_a_medical_cost_of_zero_is_still_accepted(client, source, make_record):
    record = medical(make_record, "GOOD-1")
    record["medical"]["out_of_scope"] = "0"
    assert (
        results(
            client.post(
                URL, {"records": [record]}, content_type="application/json", HTTP_AUTHORIZATION=auth(source)
            )
        )[0]["status"]
        == "created"
    )


def test_needed_by_is_bounded_to_five_years(client, source, make_record):
    today = timezone.localdate()
    last = latest_needed_by(today)
    assert last.year == today.year + 5
    rows = results(
        client.post(
            URL,
            {
                "records": [
                    medical(make_record, "LAST", needed_by=last.isoformat()),
                    medical(make_record, "AFTER", needed_by=(last + timedelta(days=1)).isoformat()),
                ]
            },
            content_type="application/json",
            HTTP_AUTHORIZATION=auth(source),
        )
    )
    assert [row["status"] for row in rows] == ["created", "rejected"]
    assert last.isoformat() in rows[1]["errors"]["needed_by"][0]


def test_a_rejected_record_with_an_unusable_source_ref_is_answered_in_its_place(client, source, make_record):
    rows = results(
        client.post(
            URL,
            {"records": [medical(make_record, "A/1"), medical(make_record, "GOOD-1")]},
            content_type="application/json",
            HTTP_AUTHORIZATION=auth(source),
        )
    )
    assert rows[0]["source_ref"] == "" and "source_ref" in rows[0]["errors"]
    assert rows[1]["source_ref"] == "GOOD-1"


@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ref=st.from_regex(SOURCE_REF, fullmatch=True).filter(lambda ref: ".." not in ref and len(ref) <= 100))
def test_every_accepted_source_ref_can_be_withdrawn(client, source, make_record, ref):
    with transaction.atomic():
        rows = results(
            client.post(
                URL,
                {"records": [medical(make_record, ref)]},
                content_type="application/json",
                HTTP_AUTHORIZATION=auth(source),
            )
        )
        assert rows[0]["status"] == "created", rows
        response = client.delete(f"{URL}{ref}/", HTTP_AUTHORIZATION=auth(source))
        assert response.status_code == 200, (ref, response.content)
        assert Need.objects.get(source_ref=ref).status == NeedStatus.WITHDRAWN
        transaction.set_rollback(True)


@pytest.mark.parametrize("path", ["BAD%00/", "%ED%A0%80/", "A%01B/"])
def test_withdrawing_an_impossible_source_ref_is_a_404(client, source, path):
    response = client.delete(f"{URL}{path}", HTTP_AUTHORIZATION=auth(source))
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


# --- property: no value in any field fails the batch ----------------------------------------------

FIELD_PATHS = [
    ("source_ref",), ("version",), ("region_code",), ("household",), ("household", "id_number"),
    ("household", "name"), ("household", "phone"), ("household", "address"), ("household", "size"),
    ("household", "categories"), ("beneficiary",), ("beneficiary", "name"), ("beneficiary", "id_number"),
    ("beneficiary", "birth_date"), ("beneficiary", "sex"), ("need_type",), ("title",), ("description",),
    ("requested_amount",), ("requested_amount", "hours"), ("requested_amount", "quantity"),
    ("requested_amount", "unit"), ("medical",), ("medical", "in_scope_self_pay"),
    ("medical", "out_of_scope"), ("urgency",), ("needed_by",), ("department",), ("extra",),
]  # fmt: skip
TRICKY_TEXT = [
    "", " ", "\x00", "\ud800", "\udfff", "a\x00b", "\n", "\t", "\u202e", "A/1", "..", "١٢٣", "１２３",
    "1_000", "0", "-1", "0.005", "1e400", "NaN", "Infinity", "9999-12-31", "2025-02-30", "dibao",
    "medical", "normal", "health", "420111", "４２０１１１", "٤٢٠١١١", "x" * 6000,
]  # fmt: skip
scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**40), max_value=10**40)
    | st.sampled_from([0, -1, 1, 2**31, 2**63, 10**30])
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(st.characters(codec=None, exclude_categories=()), max_size=30)
    | st.sampled_from(TRICKY_TEXT)
)
json_values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)


@pytest.mark.django_db
@settings(
    max_examples=50,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(path=st.sampled_from(FIELD_PATHS), value=json_values)
def test_any_value_in_any_field_never_fails_the_batch(client, source, make_record, path, value):
    bad = set_path(medical(make_record, "FUZZ"), path, value)
    body = {"records": [medical(make_record, "GOOD-1"), bad, medical(make_record, "GOOD-2")]}
    with transaction.atomic():
        rows = results(
            client.post(URL, body, content_type="application/json", HTTP_AUTHORIZATION=auth(source))
        )
        assert_good_ones_created(rows)
        assert rows[1]["status"] in ("created", "held", "rejected")
        if rows[1]["status"] == "rejected":
            assert rows[1]["errors"] and not Need.objects.filter(source_ref=rows[1]["source_ref"]).exists()
        for need in Need.objects.all():
            for text in (need.source_ref, need.title, need.summary, need.unit):
                assert not any(char in text for char in FORBIDDEN_CHARS), need.source_ref
        transaction.set_rollback(True)


# --- the database layer: PostgreSQL refuses NUL in text, so none reaches a query ------------------


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/needs/N%00X/"),
        ("get", "/api/v1/needs/N%00X/"),
        ("get", "/api/v1/needs/N%00X/claims/"),
        ("post", "/needs/N%00X/claim/"),
        ("post", "/needs/N%00X/transfer/"),
        ("get", "/needs/N%E2%80%AEX/"),
    ],
)
def test_a_need_code_that_cannot_exist_is_a_404_without_a_query(client, method, url):
    assert getattr(client, method)(url).status_code == 404


# --- coded fields in every spelling source systems send (issue 11, item 10) -----------------------


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("female", "female"),
        ("2", "female"),
        (2, "female"),
        ("女", "female"),
        ("女性", "female"),
        ("Female", "female"),
        ("1", "male"),
        (1, "male"),
        ("男", "male"),
        ("0", ""),
        ("9", ""),
    ],
)
def test_the_beneficiarys_sex_is_read_in_gb_t_2261_codes_and_chinese(
    client, source, make_record, given, stored
):
    record = medical(make_record, "SEX-1")
    record["beneficiary"] = {"name": "李小红", "birth_date": "2015-03-02", "sex": given}

    rows = results(
        client.post(
            URL, {"records": [record]}, content_type="application/json", HTTP_AUTHORIZATION=auth(source)
        )
    )

    assert rows[0]["status"] in ("created", "held"), rows[0]
    assert Need.objects.get(source_ref="SEX-1").sex == stored


def test_an_unknown_sex_code_is_refused_with_every_accepted_spelling(client, source, make_record):
    record = medical(make_record, "SEX-BAD")
    record["beneficiary"] = {"name": "李小红", "birth_date": "2015-03-02", "sex": "3"}

    rows = results(
        client.post(
            URL, {"records": [record]}, content_type="application/json", HTTP_AUTHORIZATION=auth(source)
        )
    )

    assert rows[0]["status"] == "rejected"
    (message,) = rows[0]["errors"]["beneficiary.sex"]
    assert "男" in message and "GB/T 2261.1" in message and "1 男，2 女" in message
