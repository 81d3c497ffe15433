"""Matching at scale on PostgreSQL (issue 16): recommendations for one offer, a whole-province
allocation, and the allocation against a greedy baseline in the same run.

1. **Data**, made once and reused (``--regenerate`` remakes it): ``--needs`` (200,000) open needs
   (published or partially claimed) COPYed into the needs table over every county, of the
   money, goods and hours kinds, with one household in ten holding two needs; 300 verified
   organizations across the counties; ``--offers`` (5,000) open offers: funds, goods (箱), hours
   and job places, each for one or two need types, serving a county (25 %), a city (60 %) or
   the province (15 %), some with category limits and most-per-need / per-household limits.
2. **Recommendations**: for ``--samples`` (200) random offers, the first page of
   ``GET /api/v1/offers/<id>/recommendations/`` through the API view itself (as a superuser:
   the offer, the ranked page with its count, the needs' rows, the statutory look-up, the JSON),
   timed in this process: p50, p95, max (aim: p95 < 100 ms), the CPU time of this process and
   the number of SQL statements per page.
3. **Allocation** for the province (420000): ``services.allocation.build_problem`` (each offer
   keeps its ``--pairs-per-offer`` most urgent eligible needs), the greedy baseline, then
   ``--solver by-city`` (``allocation.solve_by_city``, what a proposal uses: province-wide
   offers first, then each city) or ``--solver whole`` (one ``allocation.solve`` over the
   province), HiGHS within ``--time-limit`` seconds: seconds of each step, the peak resident
   memory of the process (``ru_maxrss``), the objective of each and their ratio, and a
   feasibility check of both (capacities, gaps, per-need and per-household limits, eligibility).

Run: ``DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_matching .venv/bin/python
bench/bench_matching.py`` (the full size is the default; ``--needs 50000 --offers 1250`` for a
quick run). JSON in ``bench/results/matching.json``. Exits non-zero only when an allocation
breaks a limit or the solver falls below greedy, never for a slow figure.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import RESULTS_DIR, copy_needs, percentile, setup_django, source_system

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/portal_matching"
SOURCE_NAME = "bench-matching"
SEED = 16
NEED_TYPES = ["medical", "education", "housing", "basic_living", "employment", "care_service", "disaster"]
CATEGORIES = ["dibao", "extreme_poverty", "near_dibao", "relapse_monitoring", "illness_poverty", "other"]
URGENCIES = (["normal"] * 7) + (["urgent"] * 2) + ["critical"]


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--needs", type=int, default=200_000)
    parser.add_argument("--offers", type=int, default=5_000)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--pairs-per-offer", type=int, default=60)
    parser.add_argument(
        "--solver",
        choices=("by-city", "whole"),
        default="by-city",
        help="allocation.solve_by_city (the proposal's) or one allocation.solve over the province",
    )
    parser.add_argument("--time-limit", type=float, default=45, help="seconds given to HiGHS")
    parser.add_argument("--output", default="matching.json", help="file name in bench/results/")
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--skip-allocation", action="store_true", help="measure the recommendations only")
    parser.add_argument("--database-url")
    return parser.parse_args(argv)


def kind_of(need_type: str, rng: random.Random) -> tuple[str, str]:
    if need_type == "care_service":
        return "hours", ""
    if need_type == "basic_living" and rng.random() < 0.5:
        return "goods", "箱"
    return "money", ""


def generate_needs(system, *, needs: int, batch: int = 50_000) -> float:
    from django.db import connection
    from django.utils import timezone

    from marketplace.needs.filters import region_index

    index = region_index()
    counties = sorted(index.county_codes)
    rng = random.Random(SEED)
    now = timezone.now()
    household = ""

    def values_of(number: int) -> dict:
        nonlocal household
        county = rng.choice(counties)
        city_level = rng.random() < 0.2
        need_type = rng.choice(NEED_TYPES)
        kind, unit = kind_of(need_type, rng)
        target = Decimal(rng.randrange(4, 80)) if kind != "money" else Decimal(rng.randrange(2, 200) * 50)
        partial = rng.random() < 0.2
        claimed = (
            (target * Decimal(rng.randrange(5, 90)) / 100).quantize(Decimal("1")) if partial else Decimal(0)
        )
        published = now - timedelta(seconds=rng.randrange(120 * 86400))
        if number % 10 != 1:  # one household in ten has a second need
            household = f"b1:{rng.getrandbits(160):040x}"
        categories = rng.sample(CATEGORIES, rng.choice((1, 1, 2)))
        return {
            "code": f"M{number:011d}",
            "source_system_id": system.pk,
            "source_ref": f"bench-matching-{number:07d}",
            "version": 1,
            "record_digest": f"{rng.getrandbits(256):064x}",
            "household_token": household,
            "region_id": county,
            "public_region_id": index.city_of[county] if city_level else county,
            "generalization": "100000" if city_level else "000000",
            "need_type": need_type,
            "categories": categories,
            "public_categories": ["low_income"] if rng.random() < 0.1 else sorted(categories),
            "department": "civil_affairs",
            "urgency": rng.choice(URGENCIES),
            "needed_by": (now + timedelta(days=rng.randrange(7, 180))).date(),
            "title": "〔已隐去〕帮扶需求",
            "summary": "",
            "amount_kind": kind,
            "requested_amount": target,
            "unit": unit,
            "target_amount": target,
            "claimed_amount": claimed,
            "status": "partially_claimed" if partial else "published",
            "published_at": published,
            "created_at": published - timedelta(minutes=5),
            "updated_at": published,
        }

    seconds = copy_needs(values_of, needs=needs, batch=batch)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE needs_need")
    return seconds


def generate_offers(*, offers: int) -> float:
    from django.utils import timezone

    from accounts.models import User
    from marketplace.matching.models import Offer
    from marketplace.needs.filters import region_index
    from marketplace.organizations.models import Organization, OrganizationStatus

    started = time.perf_counter()
    index = region_index()
    counties = sorted(index.county_codes)
    rng = random.Random(SEED + 1)
    user, _created = User.objects.get_or_create(username="bench-matching")
    organizations = []
    for number in range(300):
        county = counties[number % len(counties)]
        organizations.append(
            Organization(
                name=f"bench-matching-{number:03d}",
                kind="charity",
                uscc=f"BM{number:016d}",
                registration_authority="bench",
                region_id=county,
                service_regions=[index.city_of[county]],
                need_types=[],
                contact_name="bench",
                contact_phone="027-00000000",
                status=OrganizationStatus.VERIFIED,
                verified_at=timezone.now(),
            )
        )
    organizations = Organization.objects.bulk_create(organizations)
    today = timezone.localdate()
    rows = []
    for number in range(offers):
        organization = rng.choice(organizations)
        county = organization.region_id
        kind = rng.choices(("funds", "goods", "hours", "jobs"), weights=(70, 10, 10, 10))[0]
        types = {
            "funds": rng.sample(
                ["medical", "education", "housing", "disaster", "basic_living"], rng.choice((1, 2))
            ),
            "goods": ["basic_living"],
            "hours": ["care_service"],
            "jobs": ["employment"],
        }[kind]
        scope = rng.choices(("county", "city", "province"), weights=(25, 60, 15))[0]
        prefix = {"county": county, "city": index.city_of[county][:4], "province": "42"}[scope]
        if index.city_of[county].startswith("4290") and scope == "city":
            prefix = county
        quantity = {
            "funds": Decimal(rng.randrange(10, 400) * 100),
            "goods": Decimal(rng.randrange(20, 300)),
            "hours": Decimal(rng.randrange(20, 400)),
            "jobs": Decimal(rng.randrange(1, 20)),
        }[kind]
        rows.append(
            Offer(
                organization=organization,
                kind=kind,
                title=f"bench offer {number}",
                quantity=quantity,
                unit="箱" if kind == "goods" else "",
                need_types=types,
                categories=rng.sample(CATEGORIES, 2) if rng.random() < 0.2 else [],
                region_prefixes=[prefix],
                available_from=today - timedelta(days=1),
                available_until=today + timedelta(days=90),
                max_per_need=Decimal(rng.randrange(5, 50) * 100)
                if kind == "funds" and rng.random() < 0.5
                else None,
                max_per_household=(Decimal(rng.randrange(10, 80) * 100) if kind == "funds" else Decimal(1))
                if rng.random() < 0.4
                else None,
                created_by=user,
            )
        )
    Offer.objects.bulk_create(rows, batch_size=2000)
    return time.perf_counter() - started


def ensure_data(*, needs: int, offers: int, regenerate: bool) -> dict:
    from django.db import connection

    from marketplace.matching.models import AllocationLine, AllocationProposal, Offer
    from marketplace.needs.models import Need
    from marketplace.organizations.models import Organization

    system = source_system(SOURCE_NAME)
    present = Need.objects.filter(source_system=system).count()
    offers_present = Offer.objects.filter(title__startswith="bench offer").count()
    timings = {}
    if regenerate or present != needs or offers_present != offers:
        AllocationLine.objects.all().delete()
        AllocationProposal.objects.all().delete()
        Offer.objects.filter(title__startswith="bench offer").delete()
        Organization.objects.filter(name__startswith="bench-matching-").delete()
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM needs_needtransition WHERE need_id IN (SELECT id FROM needs_need "
                           "WHERE source_system_id = %s)", [system.pk])  # fmt: skip
            cursor.execute("DELETE FROM needs_need WHERE source_system_id = %s", [system.pk])
        print(f"generating {needs:,} needs and {offers:,} offers", flush=True)
        timings["needs_seconds"] = generate_needs(system, needs=needs)
        timings["offers_seconds"] = generate_offers(offers=offers)
    return {"needs": needs, "offers": offers, **timings}


def bench_user():
    """A superuser of the benchmark database: reads any offer's recommendations."""
    from accounts.models import User

    user, _created = User.objects.get_or_create(username="bench-matching")
    if not user.is_superuser:
        User.objects.filter(pk=user.pk).update(is_superuser=True)
        user.refresh_from_db()
    return user


def bench_recommendations(*, samples: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from rest_framework.test import APIRequestFactory, force_authenticate

    from marketplace.matching.api import OfferRecommendationsApi
    from marketplace.matching.models import Offer

    # As autovacuum would have by then: the visibility map lets the scoring read the index alone.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE) needs_need")
    rng = random.Random(SEED + 2)
    ids = list(Offer.objects.filter(title__startswith="bench offer").values_list("pk", flat=True))
    user = bench_user()
    view = OfferRecommendationsApi.as_view()
    factory = APIRequestFactory()
    timings, cpu, queries, sizes = [], [], [], []
    for _ in range(samples):
        pk = rng.choice(ids)
        request = factory.get(f"/api/v1/offers/{pk}/recommendations/", HTTP_HOST="localhost")
        force_authenticate(request, user=user)
        with CaptureQueriesContext(connection) as captured:
            started, cpu_started = time.perf_counter(), time.process_time()
            response = view(request, pk=pk)
            response.render()
            timings.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - cpu_started) * 1000)
        queries.append(len(captured.captured_queries))
        assert response.status_code == 200, response.status_code
        sizes.append(response.data["count"])
        assert len(response.data["results"]) == min(20, response.data["count"])
    return {
        "samples": samples,
        "p50_ms": round(statistics.median(timings), 1),
        "p95_ms": round(percentile(sorted(timings), 95), 1),
        "max_ms": round(max(timings), 1),
        "cpu_p95_ms_this_process": round(percentile(sorted(cpu), 95), 1),
        "queries_median": statistics.median(queries),
        "queries_max": max(queries),
        "count_median": statistics.median(sizes),
        "count_max": max(sizes),
    }


def bench_allocation(*, pairs_per_offer: int, solver: str, time_limit: float) -> dict:
    from marketplace.matching import allocation
    from marketplace.matching.services.allocation import build_problem

    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started, cpu_started = time.perf_counter(), time.process_time()
    problem = build_problem(region_code="420000", max_pairs_per_offer=pairs_per_offer)
    build_seconds = time.perf_counter() - started
    build_cpu = time.process_time() - cpu_started
    baseline = allocation.greedy(problem.offers, problem.needs, problem.pairs)
    if solver == "by-city":
        solved = allocation.solve_by_city(
            problem.offers, problem.needs, problem.pairs, time_limit=time_limit, baseline=baseline
        )
    else:
        solved = allocation.solve(problem.offers, problem.needs, problem.pairs, time_limit=time_limit)
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    offers = {offer.id: offer for offer in problem.offers}
    needs = {need.id: need for need in problem.needs}
    problems_solver = allocation.check(offers, needs, problem.pairs, solved.amounts)
    problems_greedy = allocation.check(offers, needs, problem.pairs, baseline.amounts)
    return {
        "solver": solver,
        "solver_used": solved.solver,
        "time_limit": time_limit,
        "needs_in_problem": len(problem.needs),
        "offers_in_problem": len(problem.offers),
        "pairs": len(problem.pairs),
        "build_seconds": round(build_seconds, 2),
        "build_cpu_seconds": round(build_cpu, 2),
        "solve_seconds": round(solved.seconds, 2),
        "greedy_seconds": round(baseline.seconds, 2),
        "total_seconds": round(build_seconds + solved.seconds, 2),
        "solver_status": solved.status,
        "peak_rss_mib": round(rss_after, 1),
        "rss_before_mib": round(rss_before, 1),
        "objective": round(solved.objective, 2),
        "greedy_objective": round(baseline.objective, 2),
        "ratio_to_greedy": round(solved.objective / baseline.objective, 4) if baseline.objective else None,
        "lines": len(solved.amounts),
        "greedy_lines": len(baseline.amounts),
        "violations_solver": problems_solver[:5],
        "violations_greedy": problems_greedy[:5],
    }


def main(argv=None) -> int:
    args = parse_args(argv)
    setup_django(DEFAULT_DATABASE_URL, script="bench_matching", url=args.database_url)
    result = {"machine": {"cpus": os.cpu_count(), "load_before": os.getloadavg()}, "settings": vars(args)}
    result["data"] = ensure_data(needs=args.needs, offers=args.offers, regenerate=args.regenerate)
    print(json.dumps(result["data"]), flush=True)
    result["recommendations"] = bench_recommendations(samples=args.samples)
    print("recommendations", json.dumps(result["recommendations"]), flush=True)
    if args.skip_allocation:
        (RESULTS_DIR / args.output).write_text(json.dumps(result, indent=2, default=str))
        return 0
    result["allocation"] = bench_allocation(
        pairs_per_offer=args.pairs_per_offer, solver=args.solver, time_limit=args.time_limit
    )
    print("allocation", json.dumps(result["allocation"]), flush=True)
    result["machine"]["load_after"] = os.getloadavg()
    RESULTS_DIR.mkdir(exist_ok=True)
    (RESULTS_DIR / args.output).write_text(json.dumps(result, indent=2, ensure_ascii=False, default=str))
    allocation_result = result["allocation"]
    bad = allocation_result["violations_solver"] or allocation_result["violations_greedy"]
    below = allocation_result["objective"] + 1e-6 < allocation_result["greedy_objective"]
    return 1 if bad or below else 0


if __name__ == "__main__":
    sys.exit(main())
