"""A quarterly province performance report on PostgreSQL: aggregation versus rendering.

The issue: *a quarterly province report over 1,000,000 needs, 200,000 claims and 100,000 tickets
on PostgreSQL: total seconds, split into aggregation and rendering, and peak memory. Aggregation
runs in SQL (no Python loop over rows); report the rendering time next to WeasyPrint rendering
the same finished HTML alone, so the ratio shows what the data work costs.*

What it does:

1. **Data**, written by PostgreSQL itself (``INSERT … SELECT generate_series``, no Python loop):
   ``--needs`` needs over the 103 counties, published over the last two years (so a quarter
   holds about an eighth), every need type, category and department; 500 verified
   organizations; ``--claims`` claims on them (a fifth active, the rest completed, withdrawn or
   expired); a delivery for 60 % of the claims (two thirds verified); ``--tickets`` tickets
   (a third citing a need, a tenth an organization), with acceptance, closing, rating and
   reopening. A later run reuses the data when the counts match (``--regenerate`` rebuilds).
2. **The report** of Hubei (420000) for ``--period`` (default: the last complete quarter), as
   ``manage.py generate_report`` makes it, timed in phases: aggregation (``report_data``: every
   figure, its two comparisons, the three breakdowns, regions, months, scorecards, overdue
   tickets, the privacy audit), HTML (the template), PDF (WeasyPrint), then WeasyPrint alone
   on the same finished HTML again. Peak memory: the process's peak RSS after each phase.
3. JSON in ``bench/results/reports.json``.

``--dump data.json`` writes the report's data, to compare two versions' figures on the same data.

Run (the issue's size):
``DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_reports_bench .venv/bin/python
bench/bench_reports.py --needs 1000000 --claims 200000 --tickets 100000``
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import RESULTS_DIR, setup_django

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/portal_reports_bench"
SOURCE_NAME = "绩效报告基准来源系统"
ORGANIZATIONS = 500


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class QueryLog:
    """Counts the SQL statements the process sends and the time it waits for them (load-
    insensitive evidence next to the wall clock: the number of queries does not depend on the
    machine)."""

    def __init__(self):
        self.count = 0
        self.seconds = 0.0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started


def _defaults(model, given: dict[str, str]) -> tuple[list[str], list[str], list]:
    """Columns and SQL expressions for an INSERT … SELECT of ``model``: ``given`` (column →
    SQL over ``g``, the series) and, for every other column, NULL or the field's default as a
    parameter."""
    from psycopg.types.json import Jsonb

    columns, expressions, params = [], [], []
    for field in model._meta.concrete_fields:
        if field.primary_key and field.column not in given:
            continue
        if getattr(field, "generated", False):
            continue
        columns.append(field.column)
        if field.column in given:
            expressions.append(given[field.column])
        elif field.null:
            expressions.append("NULL")
        else:
            default = field.get_default()
            expressions.append("%s")
            params.append(Jsonb(default) if field.get_internal_type() == "JSONField" else default)
    return columns, expressions, params


def insert_select(model, count: int, given: dict[str, str], params: dict, *, join: str = "") -> None:
    from django.db import connection

    columns, expressions, defaults = _defaults(model, given)
    sql = (
        f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) "  # noqa: S608 - our own SQL
        f"SELECT {', '.join(expressions)} FROM generate_series(1, %(count)s) AS g {join}"
    )
    # Positional defaults become named ones, so that the SQL can name its own parameters too.
    named = {f"d{i}": value for i, value in enumerate(defaults)}
    parts = sql.split("%s")
    sql = "".join(part + (f"%(d{i})s" if i < len(parts) - 1 else "") for i, part in enumerate(parts))
    with connection.cursor() as cursor:
        cursor.execute(sql, {**named, **params, "count": count})


def generate(*, needs: int, claims: int, tickets: int) -> float:
    from django.db import connection

    from accounts.models import User
    from bench.common import source_system
    from marketplace.claims.models import Claim
    from marketplace.delivery.models import Delivery
    from marketplace.needs.choices import LowIncomeCategory, NeedType
    from marketplace.needs.models import Need
    from marketplace.organizations.models import Organization
    from regions.models import Region
    from supervision.models import Ticket

    started = time.perf_counter()
    system = source_system(SOURCE_NAME)
    user, _created = User.objects.get_or_create(username="bench_reports", defaults={"email": "b@example.org"})
    counties = list(Region.objects.county_level().values_list("code", flat=True))
    common = {
        "counties": counties,
        "types": list(NeedType.values),
        "cats": list(LowIncomeCategory.values),
        "depts": [
            "civil_affairs",
            "education",
            "health",
            "medical_security",
            "housing",
            "hrss",
            "agriculture",
        ],
        "system": system.pk,
        "user": user.pk,
    }
    county = "(%(counties)s::text[])[1 + ((g::bigint * 7919) %% cardinality(%(counties)s::text[]))::int]"
    need_type = "(%(types)s::text[])[1 + (g * 31) %% cardinality(%(types)s::text[])]"
    insert_select(
        Need,
        needs,
        {
            "code": "'R' || lpad(g::text, 11, '0')",
            "source_system_id": "%(system)s",
            "source_ref": "'bench-report-' || g",
            "version": "1",
            "record_digest": "md5(g::text)",
            "household_token": "'b1:' || md5(g::text || 'h')",
            "region_id": county,
            "public_region_id": county,
            "need_type": need_type,
            "categories": "jsonb_build_array((%(cats)s::text[])[1 + (g * 17) %% 7])",
            "public_categories": "jsonb_build_array((%(cats)s::text[])[1 + (g * 17) %% 7])",
            "department": "(%(depts)s::text[])[1 + (g * 13) %% 7]",
            "urgency": (
                "CASE WHEN g %% 37 = 0 THEN 'critical' WHEN g %% 10 = 0 THEN 'urgent' ELSE 'normal' END"
            ),
            "needed_by": "(now() - (g %% 17520) * interval '1 hour')::date + 30",
            "title": "'〔已隐去〕基准需求'",
            "summary": "'基准数据'",
            "amount_kind": (
                f"CASE WHEN {need_type} IN ('care_service', 'counselling') THEN 'hours' ELSE 'money' END"
            ),
            "requested_amount": "100 + g %% 4000",
            "target_amount": "100 + g %% 4000",
            "claimed_amount": "0",
            "verified_amount": "0",
            "statutory_coverage": f"CASE WHEN {need_type} = 'medical' THEN (100 + g %% 4000) * 0.5 END",
            "status": (
                "CASE WHEN g %% 5 = 0 THEN 'fulfilled' WHEN g %% 11 = 0 THEN 'expired' ELSE 'published' END"
            ),
            "published_at": "now() - (g %% 17520) * interval '1 hour'",
            "created_at": "now() - (g %% 17520) * interval '1 hour' - interval '5 minutes'",
            "updated_at": "now()",
            "public_class": "'c' || (g %% 20000)",
        },
        common,
    )
    first_need = Need.objects.filter(source_system=system).order_by("pk").values_list("pk", flat=True).first()
    insert_select(
        Organization,
        ORGANIZATIONS,
        {
            "name": "'基准慈善会' || g",
            "kind": "'charity'",
            "uscc": "'B' || lpad(g::text, 17, '0')",
            "registration_authority": "'民政局'",
            "region_id": county,
            "contact_name": "'联系人'",
            "contact_phone": "'027-00000000'",
            "status": "'verified'",
            "verified_at": "now()",
            "created_at": "now()",
        },
        common,
    )
    first_org = (
        Organization.objects.filter(uscc__startswith="B").order_by("pk").values_list("pk", flat=True).first()
    )
    need_of = f"{first_need} + ((g * 5) %% {needs})"
    insert_select(
        Claim,
        claims,
        {
            "need_id": need_of,
            "organization_id": f"{first_org} + ((g / 7) %% {ORGANIZATIONS})",
            "claimant_id": "%(user)s",
            "amount": "50",
            # Active only while each need appears once (g*5 mod N repeats after N/5).
            "status": f"CASE WHEN g <= {needs // 5} THEN 'active' WHEN g %% 3 = 0 THEN 'withdrawn' "
            "WHEN g %% 7 = 0 THEN 'expired' ELSE 'completed' END",
            "lease_expires_at": "now() + interval '14 days'",
            "created_at": "n.published_at + (g %% 200) * interval '1 hour'",
            "updated_at": "now()",
            "announce_pending": "false",
        },
        common,
        join=f"JOIN needs_need n ON n.id = {need_of}",
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id) FROM claims_claim")
        first_claim = cursor.fetchone()[0]
    deliveries = claims * 6 // 10
    claim_of = f"{first_claim} + ((g * 10 / 6) %% {claims})"
    insert_select(
        Delivery,
        deliveries,
        {
            "claim_id": claim_of,
            "amount": "50",
            "delivered_on": "(c.created_at + interval '5 days')::date",
            "description": "'已送达'",
            "status": (
                "CASE WHEN g %% 3 = 0 THEN 'reported' WHEN g %% 31 = 0 THEN 'disputed' ELSE 'verified' END"
            ),
            "reported_by_id": "%(user)s",
            "verified_at": "c.created_at + interval '6 days'",
            "created_at": "c.created_at + interval '3 days'",
        },
        common,
        join=f"JOIN claims_claim c ON c.id = {claim_of}",
    )
    insert_select(
        Ticket,
        tickets,
        {
            "id": "'BT' || lpad(g::text, 10, '0')",
            "code_digest": "md5(g::text)",
            "kind_id": "'complaint'",
            "channel": "'web'",
            "region_id": county,
            "status": "CASE WHEN g %% 10 < 7 THEN 'closed' ELSE 'in_progress' END",
            "content": "'基准诉求'",
            "need_code": f"CASE WHEN g %% 3 = 0 THEN 'R' || lpad((1 + g * 3 %% {needs})::text, 11, '0') END",
            "organization_id": f"CASE WHEN g %% 10 = 0 THEN {first_org} + g %% {ORGANIZATIONS} END",
            "submitted_at": "now() - (g %% 17520) * interval '1 hour'",
            "accept_due_at": "now() - (g %% 17520) * interval '1 hour' + interval '2 days'",
            "accepted_at": "now() - (g %% 17520) * interval '1 hour' + (g %% 4) * interval '1 day'",
            "due_at": "now() - (g %% 17520) * interval '1 hour' + interval '15 days'",
            "closed_at": "CASE WHEN g %% 10 < 7 THEN now() - (g %% 17520) * interval '1 hour' "
            "+ (g %% 20) * interval '1 day' END",
            "rating": "CASE WHEN g %% 10 < 5 THEN 'satisfied' WHEN g %% 10 < 7 THEN 'unsatisfied' END",
            "reopened": "g %% 17 = 0",
            "updated_at": "now()",
        },
        common,
    )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return time.perf_counter() - started


def counts() -> dict:
    from marketplace.claims.models import Claim
    from marketplace.needs.models import Need
    from supervision.models import Ticket

    return {
        "needs": Need.objects.filter(code__startswith="R").count(),
        "claims": Claim.objects.count(),
        "tickets": Ticket.objects.filter(id__startswith="BT").count(),
    }


def wipe() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM delivery_delivery")
        cursor.execute("DELETE FROM claims_claimtransition")
        cursor.execute("DELETE FROM claims_claim")
        cursor.execute("DELETE FROM supervision_ticket WHERE id LIKE 'BT%%'")
        cursor.execute("DELETE FROM needs_needtransition")
        cursor.execute("DELETE FROM needs_need WHERE code LIKE 'R%%'")
        cursor.execute("DELETE FROM organizations_organization WHERE uscc LIKE 'B%%'")


def run(period_code: str, dump: str = "") -> dict:
    from django.db import connection
    from django.utils import translation

    from reports.content import report_data, snapshot_sha256
    from reports.pdf import write_pdf
    from reports.periods import parse_period, parse_scope
    from reports.rendering import render_html

    scope, period = parse_scope("420000"), parse_period(period_code)
    with translation.override("zh-hans"):
        started, cpu = time.perf_counter(), cpu_seconds()
        queries = QueryLog()
        with connection.execute_wrapper(queries):
            data = report_data(scope, period)
        aggregation = time.perf_counter() - started
        aggregation_cpu = cpu_seconds() - cpu
        rss_after_aggregation = peak_rss_mb()
        if dump:
            Path(dump).write_text(json.dumps(data, indent=1, ensure_ascii=False, sort_keys=True))
        snapshot = snapshot_sha256(data)
        started = time.perf_counter()
        html = render_html(data, verify_url="http://127.0.0.1:8000/reports/verify/bench/", snapshot=snapshot)
        template = time.perf_counter() - started
        started = time.perf_counter()
        pdf = write_pdf(html)
        weasyprint_in_report = time.perf_counter() - started
        rss_after_rendering = peak_rss_mb()
        started = time.perf_counter()
        write_pdf(html)
        weasyprint_alone = time.perf_counter() - started
    rendering = template + weasyprint_in_report
    return {
        "period": period.code,
        "aggregation_s": round(aggregation, 2),
        "aggregation_queries": queries.count,
        "aggregation_waiting_on_database_s": round(queries.seconds, 2),
        "aggregation_python_cpu_s": round(aggregation_cpu, 2),
        "template_s": round(template, 2),
        "weasyprint_s": round(weasyprint_in_report, 2),
        "rendering_s": round(rendering, 2),
        "total_s": round(aggregation + rendering, 2),
        "weasyprint_alone_s": round(weasyprint_alone, 2),
        "total_over_weasyprint_alone": round((aggregation + rendering) / weasyprint_alone, 2),
        "aggregation_over_weasyprint_alone": round(aggregation / weasyprint_alone, 2),
        "peak_rss_mb_after_aggregation": round(rss_after_aggregation),
        "peak_rss_mb_after_rendering": round(rss_after_rendering),
        "html_kb": len(html) // 1024,
        "pdf_kb": len(pdf) // 1024,
        "needs_in_quarter": next(row["value"] for row in data["figures"] if row["key"] == "needs_published"),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--needs", type=int, default=100_000)
    parser.add_argument("--claims", type=int, default=20_000)
    parser.add_argument("--tickets", type=int, default=10_000)
    parser.add_argument("--period", default="", help="default: the last complete quarter")
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--dump", default="", help="write the report's data (JSON) to this file")
    args = parser.parse_args(argv)
    setup_django(DEFAULT_URL, script="bench_reports.py", url=args.database_url)
    from django.utils import timezone

    from reports.services import last_complete_period

    wanted = {"needs": args.needs, "claims": args.claims, "tickets": args.tickets}
    present = counts()
    generated = None
    if present != wanted or args.regenerate:
        wipe()
        print(f"generating {wanted} …", flush=True)
        generated = round(generate(**wanted), 1)
        print(f"  generated in {generated} s", flush=True)
    period = args.period or last_complete_period("quarterly", timezone.localdate()).code
    result = {"sizes": wanted, "generation_s": generated, **run(period, args.dump)}
    print(json.dumps(result, indent=2, ensure_ascii=False))
    RESULTS_DIR.mkdir(exist_ok=True)
    (RESULTS_DIR / "reports.json").write_text(json.dumps(result, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
