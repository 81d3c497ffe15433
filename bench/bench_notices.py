"""The notices index, its feed and the home page with N live notices, in-process on PostgreSQL.

The index (and the feed, and the home page's latest notices) lists every live page under
/notices/ that answers ``search_document()`` (notices and publicity lists alike), filters and
sorts those documents in Python and paginates them: its cost grows with the number of live
notices. This measures how much, so the lead can decide when the listing needs a SQL path.

What it does: deletes the notices an earlier run made (slug ``bench-…``), creates N notices
(``--notices``, 1,000) spread over the 17 city sections (made if missing), the four types and
three years, each published through a revision as an editor would; then renders, with Django's
test client in this process (no HTTP server), ``--requests`` (30) times each: ``/notices/``,
``/notices/?type=policy&city=420100&year=2025``, ``/notices/?page=20``, ``/notices/feed/`` and
``/`` (the home page's key figures are cached; its latest notices are not). Prints and writes
(``bench/results/notices.json``) mean, p50 and p95 per address, and the ratio of the index to
the home page.

Run: ``DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_notices_bench .venv/bin/python
bench/bench_notices.py --notices 1000`` (that URL is the default).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import RESULTS_DIR, setup_django

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/portal_notices_bench"
ADDRESSES = (
    "/notices/",
    "/notices/?type=policy&city=420100&year=2025",
    "/notices/?page=20",
    "/notices/feed/",
    "/",
)


def make_notices(count: int) -> None:
    from django.db import transaction
    from wagtail.models import Page, Site

    from cms.models import HomePage, NoticeIndexPage, NoticePage, NoticeSectionPage, NoticeType
    from regions.models import Region

    home = HomePage.objects.first()
    Site.objects.update_or_create(
        is_default_site=True, defaults={"hostname": "testserver", "root_page": home}
    )
    index = NoticeIndexPage.objects.get()
    for page in Page.objects.filter(slug__startswith="bench-").specific():
        page.delete()
    sections = []
    for city in Region.objects.city_level():
        section = NoticeSectionPage.objects.filter(region=city).first()
        if section is None:
            section = NoticeSectionPage(title=city.name, slug=city.pinyin, region=city)
            index.add_child(instance=section)
            section.save_revision().publish()
        sections.append(section)
    types = list(NoticeType.values)
    started = time.perf_counter()
    policy = None
    for number in range(count):
        section = sections[number % len(sections)]
        kind = types[number % len(types)]
        with transaction.atomic():
            page = NoticePage(
                title=f"基准测试公告 {number}",
                slug=f"bench-{number}",
                notice_type=kind,
                document_number=f"鄂民政发〔2025〕{number}号" if kind == "policy" else "",
                region_id=section.region_id,
                issue_date=date(2024 + number % 3, 1 + number % 12, 1 + number % 28),
                body=[("paragraph", f"<p>基准测试公告正文 {number}。</p>")],
                interprets=policy if kind == "interpretation" else None,
            )
            section.add_child(instance=page)
            page.save_revision().publish()
            if kind == "policy":
                policy = page
    print(f"created {count} notices in {time.perf_counter() - started:.1f} s")


def measure(requests: int) -> dict:
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    figures = {}
    for address in ADDRESSES:
        client.get(address)  # warm
        times = []
        for _ in range(requests):
            started = time.perf_counter()
            response = client.get(address)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (address, response.status_code)
        times.sort()
        figures[address] = {
            "mean_ms": round(statistics.fmean(times), 1),
            "p50_ms": round(times[len(times) // 2], 1),
            "p95_ms": round(times[min(len(times) - 1, int(len(times) * 0.95))], 1),
        }
        row = figures[address]
        print(f"{address:<48} mean {row['mean_ms']:>8} ms  p95 {row['p95_ms']:>8} ms")
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notices", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--database-url")
    parser.add_argument("--reuse", action="store_true", help="measure the notices an earlier run made")
    args = parser.parse_args()
    setup_django(DEFAULT_URL, script="bench_notices.py", url=args.database_url)
    if args.reuse:
        from cms.models import NoticePage

        args.notices = NoticePage.objects.filter(slug__startswith="bench-").count()
        print(f"measuring the {args.notices} notices of an earlier run")
    else:
        make_notices(args.notices)
    figures = measure(args.requests)
    ratio = figures["/notices/"]["mean_ms"] / figures["/"]["mean_ms"]
    print(f"index / home page (mean): {ratio:.2f}")
    (RESULTS_DIR / "notices.json").write_text(
        json.dumps({"notices": args.notices, "requests": args.requests, "figures": figures}, indent=2)
    )


if __name__ == "__main__":
    main()
