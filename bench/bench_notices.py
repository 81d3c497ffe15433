"""The notices index, its feed and the home page with N live notices, in-process on PostgreSQL.

The index (and the feed, and the home page's latest notices) lists every live page under
/notices/ that answers ``search_document()`` (notices and publicity lists alike). Up to c89c35e
it sorted and filtered those documents in Python, a cost that grew with the number of live
notices; since, the database filters, orders and paginates (``cms.models.notices.NoticeListing``)
and only the page shown becomes documents. This measures both on the same data (``--reuse``).

What it does: deletes the notices an earlier run made (slug ``bench-…``), creates N notices
(``--notices``, 1,000) spread over the 17 city sections (made if missing), the four types and
three years, in bulk (``tests.cms.bulk_notices``: live pages without a revision, a few seconds
for thousands); then renders, with Django's test client in this process (no HTTP server),
``--requests`` (30) times each: ``/notices/``, ``/notices/?type=policy&city=420100&year=2025``,
``/notices/?page=20``, ``/notices/feed/`` and ``/`` (the home page's key figures are cached; its
latest notices are not). Prints and writes (``bench/results/notices.json``) mean, p50 and p95
wall time, the CPU time of this process and the number of queries per address, the ratio of the
index to the home page, and (when the code lists in SQL) EXPLAIN ANALYZE of the first page.

Run: ``DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_notices_bench .venv/bin/python
bench/bench_notices.py --notices 1000`` (that URL is the default).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
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
    from wagtail.models import Page, Site

    from cms.models import HomePage, NoticeIndexPage, NoticeSectionPage
    from regions.models import Region
    from tests.cms.bulk_notices import bulk_notices

    home = HomePage.objects.first()
    Site.objects.update_or_create(
        is_default_site=True, defaults={"hostname": "testserver", "root_page": home}
    )
    index = NoticeIndexPage.objects.get()
    started = time.perf_counter()
    earlier = Page.objects.filter(slug__startswith="bench-")
    if earlier.exists():
        earlier.delete()
        print(f"deleted the notices of an earlier run in {time.perf_counter() - started:.1f} s")
    sections = []
    for city in Region.objects.city_level():
        section = NoticeSectionPage.objects.filter(region=city).first()
        if section is None:
            section = NoticeSectionPage(title=city.name, slug=city.pinyin, region=city)
            index.add_child(instance=section)
            section.save_revision().publish()
        sections.append(section)
    started = time.perf_counter()
    bulk_notices(sections, count, slug_prefix="bench-")
    print(f"created {count} notices in {time.perf_counter() - started:.1f} s")


def measure(requests: int) -> dict:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client(HTTP_HOST="127.0.0.1")
    figures = {}
    for address in ADDRESSES:
        client.get(address)  # warm
        times, cpu = [], []
        for _ in range(requests):
            started, started_cpu = time.perf_counter(), time.process_time()
            response = client.get(address)
            times.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
            assert response.status_code == 200, (address, response.status_code)
        with CaptureQueriesContext(connection) as queries:
            client.get(address)
        times.sort()
        figures[address] = {
            "mean_ms": round(statistics.fmean(times), 1),
            "p50_ms": round(times[len(times) // 2], 1),
            "p95_ms": round(times[min(len(times) - 1, int(len(times) * 0.95))], 1),
            "cpu_ms": round(statistics.fmean(cpu), 1),
            "queries": len(queries),
        }
        row = figures[address]
        print(
            f"{address:<48} mean {row['mean_ms']:>8} ms  p95 {row['p95_ms']:>8} ms"
            f"  cpu {row['cpu_ms']:>8} ms  {row['queries']:>3} queries"
        )
    return figures


def explain() -> None:
    """EXPLAIN (ANALYZE, BUFFERS) of the listing's first page, when the code has a SQL listing."""
    from cms.models import notices

    listing = getattr(notices, "NoticeListing", None)
    if listing is None:
        print("no SQL listing in this code: nothing to explain")
        return
    rows = listing(notices.NoticeIndexPage.objects.get()).rows()[: notices.NOTICES_PER_PAGE]
    print(rows.explain(analyze=True, buffers=True))


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
    explain()
    ratio = figures["/notices/"]["mean_ms"] / figures["/"]["mean_ms"]
    print(f"index / home page (mean): {ratio:.2f}")
    (RESULTS_DIR / "notices.json").write_text(
        json.dumps({"notices": args.notices, "requests": args.requests, "figures": figures}, indent=2)
    )


if __name__ == "__main__":
    main()
