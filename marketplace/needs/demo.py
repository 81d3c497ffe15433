"""Synthetic intake records for the demo, the tests and the benchmarks, and the demo needs of
`make run` (``seed_demo_needs``: the records pushed through the real intake service).

Every name, ID number, phone and address is made up in code; the ID numbers carry valid
check characters so they pass intake like real ones.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from marketplace.needs.models import SourceSystem
from marketplace.needs.services.intake import needs_intake
from marketplace.needs.services.sources import source_system_create
from privacy.identity import make_id_number
from regions.models import Region

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程"
GIVEN = "伟芳娜敏静丽强磊洋艳勇军杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉建国志宏俊峰春梅海燕"
ROADS = ["幸福路", "建设大道", "中山路", "解放路", "和平街", "民主路", "新华路", "光明街"]
VILLAGES = ["幸福村", "红星村", "新丰村", "长岭村", "青山村", "白果村"]

NEED_TEXTS = {
    "medical": ("住院治疗费用缺口", "家中成员住院治疗，医保报销和医疗救助后仍有自付费用，家庭无力承担。"),
    "education": ("子女上学费用", "家中孩子就读高中，学杂费和住宿费有缺口，希望获得助学帮助。"),
    "housing": ("危房改造补助", "现住房屋经鉴定为C级危房，改造资金尚有缺口。"),
    "basic_living": ("冬季生活物资", "家庭收入低，冬季需要棉被、米油等生活物资。"),
    "employment": ("技能培训费用", "有劳动能力，希望参加技能培训后就业。"),
    "disaster": ("受灾后生活恢复", "暴雨导致家中受损，需要生活物资和修缮费用。"),
    "emergency": ("突发困难临时救助", "家庭遭遇突发变故，基本生活暂时困难。"),
    "care_service": ("独居老人访视照料", "老人独居、行动不便，需要定期上门探访和生活照料。"),
    "counselling": ("心理疏导服务", "家庭成员遭遇变故后情绪低落，需要社工心理疏导。"),
    "funeral": ("殡葬费用减免", "家中老人去世，基本殡葬费用有困难。"),
    "disability": ("无障碍改造", "家中有重度残疾人，需要进行无障碍设施改造。"),
    "other": ("其他困难帮扶", "家庭存在其他困难，需要社会力量帮助。"),
}
CATEGORY_SETS = [
    ["dibao"], ["extreme_poverty"], ["near_dibao"], ["relapse_monitoring"], ["illness_poverty"],
    ["rigid_expenditure", "illness_poverty"], ["dibao", "illness_poverty"], ["other"],
]  # fmt: skip
DEPARTMENT_FOR = {
    "medical": "medical_security", "education": "education", "housing": "housing", "employment": "hrss",
    "disaster": "emergency", "disability": "disabled_federation",
}  # fmt: skip


def synthetic_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def synthetic_record(
    rng: random.Random, *, source_ref: str, county_code: str, today: date, need_type: str | None = None
) -> dict:
    """One realistic intake record whose free text mentions the household's own identity."""
    need_type = need_type or rng.choice(list(NEED_TEXTS))
    birth = date(rng.randint(1940, 2015), rng.randint(1, 12), rng.randint(1, 28))
    female = rng.random() < 0.5
    id_number = make_id_number(
        region_code=county_code, birth_date=birth, sequence=rng.randint(1, 499), female=female
    )
    name = synthetic_name(rng)
    phone = f"1{rng.choice('3589')}{rng.randint(0, 999999999):09d}"
    address = (
        f"湖北省{rng.choice(ROADS)}{rng.randint(1, 300)}号{rng.randint(1, 20)}栋"
        f"{rng.randint(1, 6)}单元{rng.randint(1, 30)}0{rng.randint(1, 4)}室"
    )
    title, text = NEED_TEXTS[need_type]
    surname = name[0]
    description = (
        f"{name}（身份证{id_number}），{text}联系电话{phone}，住{address}。{surname}某希望尽快得到帮助。"
    )
    record = {
        "source_ref": source_ref,
        "version": 1,
        "region_code": county_code,
        "household": {
            "id_number": id_number,
            "name": name,
            "phone": phone,
            "address": address,
            "size": rng.randint(1, 6),
            "categories": rng.choice(CATEGORY_SETS),
        },
        "need_type": need_type,
        "title": f"{surname}某家庭{title}",
        "description": description,
        "urgency": rng.choice(["normal", "normal", "normal", "urgent", "critical"]),
        "needed_by": (today + timedelta(days=rng.randint(20, 120))).isoformat(),
        "department": DEPARTMENT_FOR.get(need_type, "civil_affairs"),
    }
    if need_type in ("care_service", "counselling"):
        record["requested_amount"] = {"hours": str(rng.choice((10, 20, 40)))}
    elif need_type == "basic_living" and rng.random() < 0.5:
        record["requested_amount"] = {"quantity": str(rng.randint(2, 10)), "unit": "箱"}
    elif need_type == "medical":
        in_scope = Decimal(rng.randint(2000, 60000))
        out_scope = Decimal(rng.randint(0, 20000))
        record["medical"] = {"in_scope_self_pay": str(in_scope), "out_of_scope": str(out_scope)}
        record["requested_amount"] = str(in_scope + out_scope)
    else:
        record["requested_amount"] = f"{rng.randint(5, 200) * 100}.00"
    return record


DEMO_SOURCE_NAME = "演示数据·省低收入人口动态监测平台"
DEMO_NEEDS = 600
BATCH = 500
# Demo needs gather in a few counties so that k-anonymous classes fill up, as they would with
# real volumes; the rest are spread thinly over the province and wait or publish at city level.
BUSY_COUNTIES = ["420111", "420106", "420115", "420502", "420602", "421002", "422801", "429004"]
# Service needs (hours of care) are few among the rest and their classes stay thin; a handful of
# urgent ones in one city may publish at city level, so volunteers have something to claim.
SERVICE_COHORT = [("420111", "care_service"), ("420106", "care_service"), ("420115", "care_service")] * 2


# 城乡居民基本医疗保险 individual contribution for 2024 (400 元 a person a year): what
# 参保资助 subsidizes, in full for 特困 and at least 90 % for 低保 (seed 四(二)1).
DEMO_PREMIUM = Decimal(400)


def with_outpatient_and_premium(record: dict, number: int) -> dict:
    """Give some demo medical needs the costs the policy engine also counts: chronic and
    special-disease outpatient self-pay (门诊慢特病, one in three), the year's premium (one in
    four, and every 25th need asks only for it) and aid already paid this year (one in ten).
    Chosen by the record's number, so the other demo records stay as they were."""
    if record["need_type"] != "medical":
        return record
    medical = record["medical"]
    surname = record["title"][0]
    if number % 25 == 0:
        record["medical"] = {"insurance_premium": str(DEMO_PREMIUM)}
        record["requested_amount"] = str(DEMO_PREMIUM)
        record["title"] = f"{surname}某家庭医保参保缴费困难"
        return record
    extra = Decimal(0)
    if number % 3 == 0:
        outpatient = Decimal(1200 + (number * 37) % 80 * 100)
        medical["outpatient_chronic_self_pay"] = str(outpatient)
        extra += outpatient
        record["title"] = f"{surname}某家庭慢性病门诊和住院费用缺口"
    if number % 4 == 0:
        medical["insurance_premium"] = str(DEMO_PREMIUM)
        extra += DEMO_PREMIUM
    if number % 10 == 0:
        medical["already_assisted_this_year"] = str(Decimal(2000 + (number * 53) % 40 * 100))
    record["requested_amount"] = str(Decimal(record["requested_amount"]) + extra)
    return record


def seed_demo_needs() -> Counter[str]:
    """Push the demo records (idempotent within a day; later days refresh their deadlines)."""
    system = SourceSystem.objects.filter(name=DEMO_SOURCE_NAME).first()
    if system is None:
        system, _key = source_system_create(
            name=DEMO_SOURCE_NAME, department="civil_affairs", region_code="420000"
        )
    today = timezone.localdate()
    rng = random.Random(2024_21)  # noqa: S311 - reproducible demo data, nothing secret
    counties = list(Region.objects.county_level().values_list("code", flat=True))
    need_types = list(NEED_TEXTS)
    records = []
    for number in range(DEMO_NEEDS):
        county = rng.choice(BUSY_COUNTIES) if rng.random() < 0.9 else rng.choice(counties)
        need_type = rng.choice(need_types[:4]) if rng.random() < 0.85 else rng.choice(need_types)
        record = synthetic_record(
            rng, source_ref=f"DEMO-{number:04d}", county_code=county, today=today, need_type=need_type
        )
        record["version"] = today.toordinal()
        records.append(with_outpatient_and_premium(record, number))
    for number, (county, need_type) in enumerate(SERVICE_COHORT):
        record = synthetic_record(
            rng, source_ref=f"DEMO-S{number:02d}", county_code=county, today=today, need_type=need_type
        )
        record.update(version=today.toordinal(), urgency="urgent")
        records.append(record)
    outcomes: Counter[str] = Counter()
    for start in range(0, len(records), BATCH):
        results = needs_intake(source_system=system, records=records[start : start + BATCH], today=today)
        outcomes.update(result.status for result in results)
    return outcomes
