"""The demo publicity lists of `make run`: one in its period, one past it (taken down, 410).

The recipients are made up in code (names, valid-looking ID numbers, phones, house numbers) and
written into an in-memory spreadsheet as a programme's system exports it; the lists are then
created through the real importer, so the demo shows exactly what masking publishes.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from io import BytesIO

from django.utils import timezone
from openpyxl import Workbook

from cms.models.publicity import PublicityListPage
from cms.publicity.masking import mask_table
from cms.publicity.services import publicity_list_create, publicity_lists_expire
from cms.publicity.spreadsheet import read_table
from privacy.identity import make_id_number
from privacy.names import COMPOUND_SURNAMES

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程"
GIVEN = "伟芳娜敏静丽强磊洋艳勇军杰娟涛超秀霞平刚桂英华玉兰萍红鹏辉建国志宏俊峰春梅海燕"
MINORITY = ["买买提·艾力", "阿依古丽·吐尔逊", "热合曼·努尔"]
STREETS = {"420111": ["珞南街道", "青菱街道", "和平街道"], "420115": ["纸坊街道", "金口街道", "郑店街道"]}
VILLAGES = ["张家湾社区", "红霞村", "新河村", "桂子山社区", "白沙洲村", "青山村", "长岭村"]
HEADERS = [
    "序号",
    "姓名",
    "身份证号码",
    "联系电话",
    "家庭住址",
    "保障人数",
    "救助类别",
    "保障金额（元）",
    "享受时间",
    "备注",
]


def demo_spreadsheet(*, seed: int, rows: int, region_code: str, first_month: date) -> bytes:
    """An .xlsx recipient list with made-up people, as a programme's system exports it."""
    rng = random.Random(seed)  # noqa: S311 - made-up demo people, not secrets
    workbook = Workbook()
    sheet = workbook.active
    sheet.append([f"{first_month.year}年{first_month.month}月救助对象公示名单"])
    sheet.append(HEADERS)
    for number in range(1, rows + 1):
        if number % 9 == 0:
            name = rng.choice(MINORITY)
        elif number % 7 == 0:
            name = rng.choice(COMPOUND_SURNAMES[:4]) + rng.choice(GIVEN) + rng.choice(GIVEN)
        else:
            name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
        id_number = make_id_number(
            region_code=region_code,
            birth_date=date(rng.randint(1940, 2005), rng.randint(1, 12), rng.randint(1, 28)),
            sequence=rng.randint(0, 499),
            female=rng.random() < 0.5,
        )
        phone = "1" + rng.choice("3589") + "".join(rng.choice("0123456789") for _ in range(9))
        address = (
            f"湖北省武汉市{rng.choice(STREETS.get(region_code, ['城关街道']))}{rng.choice(VILLAGES)}"
            f"{rng.randint(1, 30)}栋{rng.randint(1, 6)}单元{rng.randint(101, 1802)}室"
        )
        size = rng.randint(1, 5)
        sheet.append(
            [
                number,
                name,
                id_number,
                phone,
                address,
                size,
                rng.choice(["全额保障", "差额保障", "A类", "B类"]),
                f"{size * rng.choice((480, 520, 560, 600)):.2f}",
                f"{first_month:%Y年%m月}",
                "",
            ]
        )
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _list(
    *, slug_prefix: str, title: str, programme: str, region_code: str, start: date, end: date, seed: int
):
    existing = PublicityListPage.objects.filter(slug__startswith=slug_prefix, title=title).first()
    if existing is not None:
        return existing
    data = demo_spreadsheet(seed=seed, rows=24, region_code=region_code, first_month=start.replace(day=1))
    return publicity_list_create(
        masked=mask_table(read_table(data)),
        title=title,
        programme=programme,
        region_code=region_code,
        period_start=start,
        period_end=end,
        objection_phone="027-87654321" if region_code == "420111" else "027-81801234",
        objection_address=(
            "洪山区民政局社会救助科（珞狮路 1 号）" if region_code == "420111" else "江夏区民政局社会救助科"
        ),
    )


def seed_demo_publicity_lists() -> list[PublicityListPage]:
    """Create, under the notices section, a dibao list of 洪山区 in its period and a tekun list of
    江夏区 whose period has ended (taken down: its address answers 410). Idempotent.

    Raises ``cms.publicity.services.NoNoticesSection`` when the notices index does not exist:
    call it after the site tree (the notices section) is seeded.
    """
    today = timezone.localdate()
    current_start = today - timedelta(days=2)
    past_start = today - timedelta(days=40)
    current = _list(
        slug_prefix=f"dibao-420111-{current_start:%Y%m%d}",
        title=f"洪山区{current_start.year}年{current_start.month}月新增低保对象公示",
        programme="dibao",
        region_code="420111",
        start=current_start,
        end=current_start + timedelta(days=6),
        seed=2026,
    )
    past = _list(
        slug_prefix=f"tekun-420115-{past_start:%Y%m%d}",
        title=f"江夏区{past_start.year}年{past_start.month}月特困人员公示",
        programme="tekun",
        region_code="420115",
        start=past_start,
        end=past_start + timedelta(days=6),
        seed=2025,
    )
    publicity_lists_expire(today=today)
    return [current, past]
