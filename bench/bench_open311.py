"""What the public statistics and the Open311 reads cost over many tickets (issue 13, items 2 and 8).

It writes ``--tickets`` tickets (default 100,000) spread over the last 12 months, every county,
every kind and state (``bulk_create``, once: a second run reuses them), then times, best of
``--rounds``, in one process (CPU and wall time; the machine is shared):

- ``count``: ``ticket_facts(...).count()`` over the same window, one aggregate scan: the baseline;
- ``stats``: every table of /stats/ (``supervision.stats.tables.statistics``: by city, by month,
  rates, the marketplace's figures, each suppressed);
- ``page-cached``: ``GET /stats/`` once its tables are kept (``STATS_CACHE_SECONDS``);
- ``open311-list``: ``GET /open311/v2/requests.json`` (the last 90 days, at most
  ``OPEN311_MAX_REQUESTS`` = 1000 rows) through the Django test client;
- ``open311-one``: ``GET /open311/v2/requests/<number>.xml``;
- ``suppress``: ``core.suppression.suppress`` on a random 18 × 7 table (the page's city table);

and counts the queries one ``statistics`` makes, and those of them over the tickets.

Run: ``.venv/bin/python bench/bench_open311.py [--tickets N]`` with ``DATABASE_URL`` of a
PostgreSQL database (created when missing). See bench/README.md.
"""

from __future__ import annotations

import argparse
import random
import secrets
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import setup_django

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/portal_bench_open311"
SEED = 20261203


def _best(function, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def _populate(count: int, rng: random.Random) -> None:
    from django.utils import timezone

    from regions.models import Region
    from supervision.models import Ticket, TicketKind

    have = Ticket.objects.filter(content="bench").count()
    if have >= count:
        return
    kinds = list(TicketKind.objects.all())
    counties = list(Region.objects.county_level().values_list("code", flat=True))
    statuses = ["submitted", "accepted", "assigned", "in_progress", "replied", "closed", "closed", "closed"]
    now = timezone.now()
    batch = []
    for _ in range(count - have):
        submitted = now - timedelta(seconds=rng.randrange(365 * 24 * 3600))
        status = rng.choice(statuses)
        closed = status == "closed"
        kind = rng.choice(kinds)
        batch.append(
            Ticket(
                id=f"B{secrets.token_hex(6).upper()}",
                code_digest="0" * 64,
                kind=kind,
                region_id=rng.choice(counties),
                status=status,
                content="bench",
                submitted_at=submitted,
                accept_due_at=submitted + timedelta(days=1),
                accepted_at=None if status == "submitted" else submitted + timedelta(hours=rng.randrange(48)),
                due_at=submitted + timedelta(days=kind.handling_days),
                closed_at=submitted + timedelta(days=rng.randrange(1, 25)) if closed else None,
                rating=rng.choice(["satisfied", "satisfied", "unsatisfied", None]) if closed else None,
                reply="已办理" if status in ("replied", "closed") else "",
            )
        )
        if len(batch) == 5000:
            Ticket.objects.bulk_create(batch)
            batch = []
    Ticket.objects.bulk_create(batch)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    setup_django(DEFAULT_DATABASE_URL, script="bench_open311.py")

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone, translation

    from core.suppression import suppress
    from supervision.models import Ticket
    from supervision.selectors import ticket_facts
    from supervision.stats.tables import _month_starts, statistics

    translation.activate("zh-hans")
    rng = random.Random(SEED)
    start = time.perf_counter()
    _populate(args.tickets, rng)
    print(f"tickets: {Ticket.objects.count():,} (written in {time.perf_counter() - start:.1f} s)")
    now = timezone.now()
    window = _month_starts(now)[0]
    client = Client(HTTP_HOST="localhost")
    number = Ticket.objects.order_by("-submitted_at").values_list("id", flat=True).first()
    table = {(r, c): rng.choice([0, 1, 2, 3, 4, 7, 12, 40, 300]) for r in range(18) for c in range(7)}

    def list_requests():
        response = client.get("/open311/v2/requests.json")
        assert response.status_code == 200, response.content[:200]

    def stats_page():
        assert client.get("/stats/").status_code == 200

    def one_request():
        assert client.get(f"/open311/v2/requests/{number}.xml").status_code == 200

    from django.test.utils import override_settings

    with override_settings(OPEN311_ANONYMOUS_REQUESTS_PER_MINUTE=0, ALLOWED_HOSTS=["localhost"]):
        results = {
            "count": _best(lambda: ticket_facts(start=window, end=now).count(), args.rounds),
            "stats": _best(lambda: statistics(now), args.rounds),
            "page-cached": (stats_page(), _best(stats_page, args.rounds))[1],
            "open311-list": _best(list_requests, args.rounds),
            "open311-one": _best(one_request, args.rounds),
            "suppress": _best(lambda: suppress(table), args.rounds),
        }
    baseline = results["count"]
    print(f"{'scenario':<14}{'best (ms)':>12}{'× count':>10}")
    for name, seconds in results.items():
        print(f"{name:<14}{seconds * 1000:>12.1f}{seconds / baseline:>10.1f}")
    # Load-insensitive: how many queries the tables make, and how many of them read the tickets.
    with CaptureQueriesContext(connection) as queries:
        statistics(now)
    scans = sum('"supervision_ticket"' in query["sql"] for query in queries.captured_queries)
    print(f"stats queries: {len(queries.captured_queries)}, of which over the tickets: {scans}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
