"""Property: identity pushed through intake never reaches anything public, a log or a table.

Hypothesis generates 10,000 records (200 requests of 50) with the household's identity injected
into every free-text field in all its written forms, mixed with other identifiers. After intake,
none of the record's identity values and nothing the detectors recognise appears in the public
API, the public HTML, the logs captured during the test, or a dump of every database table.
"""

from __future__ import annotations

import json
import logging
import random
from datetime import date, timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from marketplace.needs.models import Need, NeedStatus
from privacy.identity import make_id_number, normalize_id_number
from privacy.redaction import detect
from tests.privacy.helpers import full_width, luhn_complete

RECORDS_PER_REQUEST = 50
REQUESTS = 200  # 200 x 50 = 10,000 records

SURNAMES = [
    *"王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程",
    "欧阳",
    "司马",
]
# Given-name characters that appear nowhere in the portal's own text or region names, so a
# name found in the output can only have come from the record.
GIVEN = "琳瑶璐璇婷钰琪瑾轩皓铭翊珂璟"
FILLER = [
    "家庭收入低，", "需要帮助。", "老人行动不便，", "孩子正在上学，", "住院后仍有自付费用，",
    "希望社会力量伸出援手。", "医保报销后仍有缺口，", "冬季取暖困难。", "经村委会核实，",
]  # fmt: skip
ROADS = ["幸福路", "建设大道", "中山路", "光明街"]
WUHAN_COUNTIES = ["420102", "420103", "420104", "420105", "420106", "420107", "420111", "420115"]


def _spaced(digits: str) -> str:
    return " ".join(digits[i : i + 4] for i in range(0, len(digits), 4))


@st.composite
def records(draw):
    """One record; hypothesis picks the identity, a seeded generator mixes it into the text.

    Few draws per record keep 10,000 records cheap to generate; every identity form and every
    other identifier still appears across the examples.
    """
    surname = draw(st.sampled_from(SURNAMES))
    given = draw(st.text(alphabet=GIVEN, min_size=1, max_size=2))
    name = surname + given
    county = draw(st.sampled_from(WUHAN_COUNTIES))
    birth = draw(st.dates(min_value=date(1935, 1, 1), max_value=date(2018, 12, 31)))
    mix = random.Random(draw(st.integers(0, 2**32)))
    id_number = make_id_number(
        region_code=county, birth_date=birth, sequence=mix.randint(1, 499), female=mix.random() < 0.5
    )
    phone = f"1{mix.choice('3456789')}{mix.randint(0, 999_999_999):09d}"
    road, number = mix.choice(ROADS), mix.randint(1, 399)
    building, unit, room = mix.randint(1, 30), mix.randint(1, 6), mix.randint(101, 2804)
    address = f"湖北省武汉市{road}{number}号{building}栋{unit}单元{room}室"
    village = f"{mix.choice(['幸福', '红星', '新丰'])}村{mix.randint(1, 12)}组"

    identity_forms = [
        name,
        f"{surname}某",
        f"{surname}某某",
        id_number,
        _spaced(id_number),
        full_width(id_number),
        phone,
        f"+86 {phone[:3]} {phone[3:7]} {phone[7:]}",
        f"+86-{phone[:3]}-{phone[3:7]}-{phone[7:]}",
        full_width(phone),
        address,
        f"{road}{number}号",
        f"{building}栋{unit}单元{room}室",
        village,
        f"{birth.year}年{birth.month}月{birth.day}日出生",
        f"生日{birth.isoformat()}",
    ]
    others = [
        f"银行卡{_spaced(luhn_complete('62220' + str(mix.randint(10**12, 10**13 - 1))))}",
        f"邮箱lin{mix.randint(10, 9999)}@example.com",
        f"QQ：{mix.randint(10000, 99_999_999_999)}",
        f"微信号：wx_{mix.randint(100000, 99_999_999)}",
        f"车牌鄂A{mix.randint(10000, 99999)}",
        f"座机027-{mix.randint(20_000_000, 89_999_999)}",
    ]
    pieces = mix.sample(identity_forms + others, k=mix.randint(4, 12))
    pieces += mix.sample(FILLER, k=mix.randint(1, 4))
    mix.shuffle(pieces)
    record = {
        "source_ref": "",
        "region_code": county,
        "household": {
            "id_number": id_number,
            "name": name,
            "phone": phone,
            "address": address,
            "size": mix.randint(1, 8),
            "categories": [mix.choice(["dibao", "extreme_poverty", "near_dibao", "illness_poverty"])],
        },
        "need_type": mix.choice(["basic_living", "education", "housing", "emergency"]),
        "title": (mix.choice(identity_forms) + "家庭困难求助")[:200],
        "description": "".join(pieces),
        "requested_amount": "3000.00",
        "urgency": "normal",
        "needed_by": (timezone.localdate() + timedelta(days=30)).isoformat(),
        "department": "civil_affairs",
    }
    secrets = {name, f"{surname}某", id_number, phone, address, village}
    secrets |= {f"{road}{number}号", f"{building}栋{unit}单元{room}室"}
    return record, secrets


def _dump_database() -> str:
    rows = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 - table names from introspection
            rows.extend(repr(row) for row in cursor.fetchall())
    return "\n".join(rows)


def _leaks(text: str, secrets: set[str]) -> set[str]:
    """The secrets found in ``text``, also with spaces or full-width digits taken out."""
    folded = normalize_id_number(text)
    return {secret for secret in secrets if secret in text or normalize_id_number(secret) in folded}


@pytest.mark.django_db
@settings(
    max_examples=REQUESTS,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
    derandomize=True,
)
@given(batch=st.lists(records(), min_size=RECORDS_PER_REQUEST, max_size=RECORDS_PER_REQUEST))
def test_identity_never_leaves_intake(client, source, caplog, settings, batch):
    settings.K_ANONYMITY_K = 1  # k-anonymity has its own tests; here everything safe is published
    caplog.set_level(logging.DEBUG)
    caplog.clear()
    secrets: set[str] = set()
    body = []
    for number, (record, record_secrets) in enumerate(batch):
        body.append({**record, "source_ref": f"P-{number}"})
        secrets |= record_secrets
    with transaction.atomic():
        response = client.post(
            "/api/v1/intake/needs/",
            {"records": body},
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Api-Key {source.api_key}",
        )
        assert response.status_code == 200
        outcomes = response.json()["results"]
        assert all(row["status"] in ("created", "held") for row in outcomes), outcomes

        assert not _leaks(response.content.decode(), secrets)
        public = client.get("/api/v1/needs/?page_size=100").json()
        assert public["count"] == Need.objects.filter(status=NeedStatus.PUBLISHED).count()
        assert not _leaks(json.dumps(public, ensure_ascii=False), secrets)
        for need in public["results"]:
            for text in (need["title"], need["summary"]):
                assert not detect(text), text
        # Every list page, and the detail pages of a rotating tenth of the needs (the detail
        # template shows the same serialized fields as the API checked above).
        for page in range(1, public["count"] // 20 + 2):
            assert not _leaks(client.get(f"/needs/?page={page}").content.decode(), secrets)
        for need in public["results"][::10]:
            assert not _leaks(client.get(f"/needs/{need['code']}/").content.decode(), secrets)
        assert not _leaks(_dump_database(), secrets)
        assert not _leaks("\n".join(record.getMessage() for record in caplog.records), secrets)
        transaction.set_rollback(True)
