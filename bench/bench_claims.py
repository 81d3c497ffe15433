"""Claims under 100 concurrent clients over 1,000 needs on PostgreSQL: claims/s, p95, no over-allocation.

The issue (4, benchmark a): *On PostgreSQL with gunicorn and a load generator on loopback, in
one run: (a) claims under 100 concurrent clients over 1,000 needs: claims/s, p95, and zero
over-allocation checked afterwards.* ``bench_marketplace.py`` runs this and (b),
``bench_needs_list.py``, one after the other.

What it does:

1. **Data**, made afresh on every run (a run uses the needs up). Deletes what an earlier run
   made (the needs of its source system with their claims, organizations and users named
   ``bench-claims-…``), then sends N records (1,000) through the intake service in this process
   (``needs_intake``, k = 1 so that each publishes at once, as the claim tests do): money needs
   of 500 to 20,000 CNY across every county and, one in ten, service needs of 10 to 40 hours.
   Registers 45 organizations through the organization services, verifies them, gives each a
   second active member, registers 10 volunteers (100 claimants, each with a personal API
   token) and a caseworker per city, whom every claim notifies as in production. Then
   ``VACUUM ANALYZE``: autovacuum may be off on the development server, and the dead rows of
   every earlier run would otherwise weigh on this one.
2. **Server**: ``gunicorn config.wsgi``, 2 sync workers, production settings
   (``bench.settings_bench``, as ``bench_needs_list.py``), on a free port of 127.0.0.1; tasks
   in-process. The log goes to ``bench/results/gunicorn-claims.log``.
3. **Load**, from one asyncio client in this process holding ``--clients`` (100) connections at
   once, each a new TCP connection per request (sync workers close it, as they do for wrk):
   first ``GET /bench/hello`` for ``--hello-seconds`` (the same client's and server's ceiling),
   then ``POST /api/v1/needs/<code>/claims/`` with ``{"amount": …}`` and the ``Authorization:
   Token`` of a random claimant (a volunteer only on service needs). Half the requests go to
   the first 10 needs still open (everyone sees the same first page), the rest to any open
   need. The amount is, 4 times in 10, what is left by the client's ledger of its own 201
   answers (stale while other claims on the need are in flight: a race) and otherwise a share
   of 10 to 60 % of the target (often more than is left). Organizations have two members, so a
   claimant also meets its colleague's claim. Stops when the ledger has no open need left, or
   after ``--seconds``.
4. **Check**, in SQL, afterwards: for every need, the sum of its holding claims (active and
   completed) is at most its target; its stored ``claimed_amount`` equals that sum; its status
   is the one the sum calls for (published, partially_claimed, claimed); at most one active
   claim per organization (or volunteer) per need; each claim has its transition row; and the
   sums equal those of the 201 answers the client received.

Figures: claims/s (201 answers per second of the claims phase), requests/s, answers by status
(201 / 409 by ``reason`` / other) and socket errors, p50/p95/p99/max latency of all requests and
of the 201s, the ratio of requests/s to hello, the CPU per request of the machine, the server's
workers, the client and the rest (PostgreSQL above all; a ``--broker`` worker too). JSON in
``bench/results/claims.json``. Exits non-zero when over-allocated or inconsistent, or when any
answer was not 201 or 409 (a 5xx, a 4xx that says the benchmark is wrong) or a socket failed;
never for a slow figure.

Run: ``DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench_claims .venv/bin/python
bench/bench_claims.py`` (that URL is the default). Options: ``--needs``, ``--clients``,
``--seconds``, ``--hello-seconds``, ``--workers``, ``--organizations``, ``--volunteers``,
``--broker URL`` (tasks on one Celery worker) with ``--worker-nice N`` (that worker at a lower
priority, as on a node of its own), ``--database-url URL`` (instead of ``DATABASE_URL``).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import random
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

# Run as ``python bench/bench_claims.py``: the project root holds the ``bench`` package.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (
    RESULTS_DIR,
    ROOT,
    Gunicorn,
    machine_cpu_seconds,
    percentile,
    processes_cpu_seconds,
    setup_django,
    source_system,
    throwaway_keys,
    vacuum_analyze,
)

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/portal_bench_claims"
SOURCE_NAME = "bench-claims"
PREFIX = "bench-claims-"
SEED = 20261130
MONEY_TYPES = ("basic_living", "education", "housing", "employment", "disaster", "emergency", "disability")
SERVICE_TYPES = ("care_service", "counselling")
HOT_NEEDS = 10  # the first page everyone sees
HOT_SHARE = 0.5
REST_SHARE = 0.4
BATCH = 500


# --- Data ----------------------------------------------------------------------------------------


def delete_previous_run(system) -> dict[str, int]:
    """Delete the needs, claims, organizations and users an earlier run made (and only those)."""
    from django.db import transaction

    from accounts.models import User
    from marketplace.claims.models import Claim
    from marketplace.needs.models import FeedbackEvent, Need
    from marketplace.organizations.models import Organization

    with transaction.atomic():
        needs = Need.objects.filter(source_system=system)
        deleted = {
            "claims": Claim.objects.filter(need__in=needs).delete()[0],
            "feedback events": FeedbackEvent.objects.filter(need__in=needs).delete()[0],
            "needs": needs.delete()[0],
            "organizations": Organization.objects.filter(name__startswith=PREFIX).delete()[0],
            "users": User.objects.filter(username__startswith=PREFIX).delete()[0],
        }
    return deleted


def county_codes() -> list[str]:
    from regions.models import Region, RegionLevel

    return sorted(
        Region.objects.filter(level=RegionLevel.COUNTY, code__startswith="42").values_list("code", flat=True)
    )


def publish_needs(system, *, needs: int, rng: random.Random) -> dict:
    """Send ``needs`` records through the intake service; every one must publish."""
    from django.test import override_settings
    from django.utils import timezone

    from marketplace.needs.demo import synthetic_record
    from marketplace.needs.services.intake import needs_intake

    counties = county_codes()
    today = timezone.localdate()
    records = []
    for number in range(needs):
        service = rng.random() < 0.1
        need_type = rng.choice(SERVICE_TYPES if service else MONEY_TYPES)
        record = synthetic_record(
            rng,
            source_ref=f"{PREFIX}{number:05d}",
            county_code=rng.choice(counties),
            today=today,
            need_type=need_type,
        )
        if service:
            record["requested_amount"] = {"hours": str(rng.choice((10, 20, 40)))}
        else:
            record["requested_amount"] = f"{rng.randint(5, 200) * 100}.00"
        records.append(record)
    started = time.perf_counter()
    outcome: Counter[str] = Counter()
    # k = 1: each need publishes at its county at once; k-anonymity is not what is measured.
    with override_settings(K_ANONYMITY_K=1):
        for start in range(0, needs, BATCH):
            for result in needs_intake(source_system=system, records=records[start : start + BATCH]):
                outcome[result.status] += 1
    return {"outcome": dict(outcome), "seconds": round(time.perf_counter() - started, 1)}


def make_uscc(number: int) -> str:
    from stdnum.cn.uscc import calc_check_digit

    first17 = f"5142000099{number:07d}"  # 51: a social organization registered with civil affairs
    return first17 + calc_check_digit(first17)


def make_user(username: str):
    from django.utils import timezone

    from accounts.models import User

    # A verified address, which registering and joining an organization ask for; taken away
    # again once the claimants are made (``make_claimants``), so that no claim sends e-mail.
    user = User(username=username, email=f"{username}@bench.invalid", email_verified_at=timezone.now())
    user.set_unusable_password()  # they use API tokens; hashing 100 passwords would only cost time
    user.save()
    return user


def make_claimants(*, organizations: int, volunteers: int, rng: random.Random) -> dict[str, list[str]]:
    """Verified organizations with two active members each, volunteers and caseworkers; their keys."""
    from django.contrib.auth.models import Group

    from accounts.models import User
    from accounts.roles import Role
    from accounts.tokens import api_token_create
    from marketplace.needs.choices import NeedType
    from marketplace.needs.demo import synthetic_name
    from marketplace.organizations.models import (
        Membership,
        MembershipStatus,
        OrganizationKind,
        OrganizationStatus,
    )
    from marketplace.organizations.services.membership import membership_invite, membership_respond
    from marketplace.organizations.services.registration import organization_register
    from marketplace.organizations.services.verification import organization_set_status
    from marketplace.organizations.services.volunteers import volunteer_register
    from privacy.identity import make_id_number
    from regions.models import Region

    counties = county_codes()
    members = []
    for number in range(1, organizations + 1):
        admin = make_user(f"{PREFIX}org{number:02d}-admin")
        county = rng.choice(counties)
        organization = organization_register(
            user=admin,
            name=f"{PREFIX}慈善会{number:02d}",
            kind=OrganizationKind.CHARITY,
            uscc=make_uscc(number),
            registration_authority="湖北省民政厅",
            region_code=county,
            service_regions=["420000"],
            need_types=NeedType.values,
            contact_name="王老师",
            contact_phone="027-87654321",
        ).organization
        organization_set_status(organization=organization, to_status=OrganizationStatus.VERIFIED, actor=None)
        colleague = make_user(f"{PREFIX}org{number:02d}-member")
        membership = membership_invite(organization=organization, username=colleague.username, actor=admin)
        membership_respond(membership=membership, user=colleague, accept=True)
        members += [admin, colleague]
    volunteer_users = []
    for number in range(1, volunteers + 1):
        user = make_user(f"{PREFIX}volunteer{number:02d}")
        birth = date(rng.randint(1960, 2000), rng.randint(1, 12), rng.randint(1, 28))
        id_number = make_id_number(
            region_code=rng.choice(counties), birth_date=birth, sequence=rng.randint(1, 499), female=True
        )
        volunteer_register(
            user=user, real_name=synthetic_name(rng), id_number=id_number, need_types=SERVICE_TYPES
        )
        volunteer_users.append(user)
    assert Membership.objects.filter(user__in=members, status=MembershipStatus.ACTIVE).count() == len(members)
    # Caseworkers: each claim tells those of the need's county (here, of its city), as in production.
    # A county-level city under the province (仙桃…) has no city above it: its own caseworker.
    caseworkers = Group.objects.get(name=Role.CASEWORKER)
    cities = set(
        Region.objects.filter(code__in={code[:4] + "00" for code in counties}).values_list("code", flat=True)
    )
    scopes = {code[:4] + "00" if code[:4] + "00" in cities else code for code in counties}
    for region in Region.objects.filter(code__in=scopes):
        user = make_user(f"{PREFIX}caseworker-{region.code}")
        user.region = region
        user.save(update_fields=["region"])
        user.groups.add(caseworkers)
    User.objects.filter(username__startswith=PREFIX).update(email="", email_verified_at=None)
    members_keys = [api_token_create(user=user, name="bench")[1] for user in members]
    everyone = members_keys + [api_token_create(user=user, name="bench")[1] for user in volunteer_users]
    return {"members": members_keys, "everyone": everyone, "caseworkers": len(scopes)}


@dataclass
class OpenNeed:
    code: str
    target: Decimal
    service: bool


def open_needs(system) -> list[OpenNeed]:
    """The published needs in the order of the public list's first page (newest first)."""
    from marketplace.needs.models import AmountKind, Need, NeedStatus

    rows = (
        Need.objects.filter(source_system=system, status=NeedStatus.PUBLISHED)
        .order_by("-published_at", "-id")
        .values_list("code", "target_amount", "amount_kind")
    )
    return [OpenNeed(code, target, kind == AmountKind.HOURS) for code, target, kind in rows]


# --- Load ----------------------------------------------------------------------------------------


async def http(port: int, method: str, path: str, *, token: str = "", body: bytes = b"") -> tuple[int, bytes]:
    """One request on a new connection; the answer is read to the end (the server closes it)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        if token:
            head += f"Authorization: Token {token}\r\n"
        if body:
            head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        writer.write(head.encode() + b"\r\n" + body)
        data = await reader.read()
    finally:
        writer.close()
    status_line, _sep, rest = data.partition(b"\r\n")
    return int(status_line.split(b" ", 2)[1]), rest.partition(b"\r\n\r\n")[2]


@dataclass
class Answer:
    status: int  # 0: the socket failed
    reason: str
    seconds: float
    at: float


class Ledger:
    """What the client knows: what is left on each need by the 201 answers it has received."""

    def __init__(self, needs: list[OpenNeed]):
        self.needs = {need.code: need for need in needs}
        self.left = {need.code: need.target for need in needs}
        self.open = [need.code for need in needs]  # list order: the first page first
        self.claimed: Counter[str] = Counter()

    def pick(self, rng: random.Random, keys: dict[str, list[str]]) -> tuple[OpenNeed, Decimal, str] | None:
        if not self.open:
            return None
        pool = self.open[:HOT_NEEDS] if rng.random() < HOT_SHARE else self.open
        need = self.needs[rng.choice(pool)]
        if rng.random() < REST_SHARE:
            amount = self.left[need.code]
        else:
            amount = max(Decimal(1), (need.target * rng.randint(10, 60) / 100).quantize(Decimal(1)))
        return need, amount, rng.choice(keys["everyone"] if need.service else keys["members"])

    def granted(self, code: str, amount: Decimal) -> None:
        self.claimed[code] += amount
        self.left[code] -= amount
        if self.left[code] <= 0 and code in self.open:
            self.open.remove(code)


@dataclass
class Load:
    answers: list[Answer] = field(default_factory=list)
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    ended_by: str = ""


async def drive(port: int, *, clients: int, seconds: float, request) -> Load:
    """``clients`` coroutines each sending ``request(rng)`` until it returns None or time is up."""
    loop = asyncio.get_running_loop()
    load = Load()
    deadline = loop.time() + seconds
    done_early = []

    async def client(number: int) -> None:
        rng = random.Random(SEED + number)
        while loop.time() < deadline:
            send = request(rng)
            if send is None:
                done_early.append(number)
                return
            started = time.perf_counter()
            try:
                status, body = await asyncio.wait_for(send(port), timeout=60)
            except (OSError, TimeoutError, ValueError, IndexError):
                load.answers.append(Answer(0, "socket", time.perf_counter() - started, started))
                continue
            ended = time.perf_counter()
            load.answers.append(Answer(status, send.reason(status, body), ended - started, ended))

    cpu, started = time.process_time(), time.perf_counter()
    await asyncio.gather(*(client(number) for number in range(clients)))
    load.seconds = time.perf_counter() - started
    load.cpu_seconds = time.process_time() - cpu
    load.ended_by = "all needs claimed" if len(done_early) == clients else "time"
    return load


class Hello:
    """The baseline: a view that does nothing, served the same way."""

    def __call__(self, port: int):
        return http(port, "GET", "/bench/hello")

    def reason(self, status: int, body: bytes) -> str:
        return ""


class ClaimRequest:
    """One claim: sent, then its answer entered in the ledger."""

    def __init__(self, ledger: Ledger, need: OpenNeed, amount: Decimal, token: str):
        self.ledger, self.need, self.amount, self.token = ledger, need, amount, token

    def __call__(self, port: int):
        body = json.dumps({"amount": str(self.amount)}).encode()
        return http(port, "POST", f"/api/v1/needs/{self.need.code}/claims/", token=self.token, body=body)

    def reason(self, status: int, body: bytes) -> str:
        if status == 201:
            granted = Decimal(json.loads(body)["amount"])
            assert granted == self.amount, (granted, self.amount)
            self.ledger.granted(self.need.code, granted)
            return ""
        if 400 <= status < 500:
            try:
                return str(json.loads(body).get("reason") or json.loads(body).get("code"))
            except ValueError:
                return "unparsed"
        return ""


@dataclass
class CpuSpent:
    """Where a phase's CPU went: the machine, the server's workers, the rest (PostgreSQL above all)."""

    machine: float = 0.0
    workers: float = 0.0

    def per_request(self, load: Load) -> dict[str, float]:
        """Milliseconds of CPU per request, by who spent them."""
        if not load.answers:
            return {}
        count = len(load.answers)
        rest = self.machine - self.workers - load.cpu_seconds
        return {
            "machine": round(self.machine * 1000 / count, 2),
            "server_workers": round(self.workers * 1000 / count, 2),
            "client": round(load.cpu_seconds * 1000 / count, 2),
            "postgresql_and_the_rest": round(rest * 1000 / count, 2),
        }


@contextlib.contextmanager
def cpu_spent(server: Gunicorn):
    """The CPU the machine and the server's workers spend in the block (the client's own is
    measured by ``drive``); the rest is PostgreSQL's, the broker's and other processes'."""
    spent, workers = CpuSpent(), server.worker_pids()
    machine, served = machine_cpu_seconds(), processes_cpu_seconds(workers)
    yield spent
    spent.machine = machine_cpu_seconds() - machine
    spent.workers = processes_cpu_seconds(workers) - served


def summarize(load: Load) -> dict:
    answers = load.answers
    everything = sorted(a.seconds for a in answers if a.status)
    granted = sorted(a.seconds for a in answers if a.status == 201)
    statuses = Counter(a.status for a in answers)
    reasons = Counter(f"{a.status} {a.reason}".strip() for a in answers if a.status not in (0, 201))

    def ms(values: list[float], p: float) -> float:
        return round(percentile(values, p) * 1000, 1)

    return {
        "requests": len(answers),
        "seconds": round(load.seconds, 2),
        "ended_by": load.ended_by,
        "requests_per_s": round(len(answers) / load.seconds, 1) if load.seconds else 0.0,
        "claims_per_s": round(statuses[201] / load.seconds, 1) if load.seconds else 0.0,
        "statuses": {str(status or "socket error"): count for status, count in sorted(statuses.items())},
        "refusals": dict(reasons.most_common()),
        "latency_ms": {f"p{p}": ms(everything, p) for p in (50, 95, 99)} | {"max": ms(everything, 100)},
        "latency_201_ms": {f"p{p}": ms(granted, p) for p in (50, 95, 99)} | {"max": ms(granted, 100)},
        "client_cpu_seconds": round(load.cpu_seconds, 1),
        "per_second": timeline(answers, load),
    }


def timeline(answers: list[Answer], load: Load) -> list[dict]:
    """Answers per second of the run (201s and others) and their p95, to see where the slow
    answers came from and the end of the run thin out."""
    if not answers:
        return []
    start = min(a.at for a in answers)
    buckets: dict[int, list[Answer]] = {}
    for answer in answers:
        buckets.setdefault(int(answer.at - start), []).append(answer)
    return [
        {
            "second": second,
            "201": sum(answer.status == 201 for answer in bucket),
            "other": sum(answer.status != 201 for answer in bucket),
            "p95_ms": round(percentile(sorted(answer.seconds for answer in bucket), 95) * 1000, 1),
        }
        for second, bucket in sorted(buckets.items())
    ]


# --- Check ---------------------------------------------------------------------------------------

CHECK_SQL = """
SELECT n.code, n.status, n.target_amount, n.claimed_amount,
       COALESCE(SUM(c.amount) FILTER (WHERE c.status = ANY(%s)), 0) AS held,
       COUNT(c.id) AS claims
FROM needs_need n LEFT JOIN claims_claim c ON c.need_id = n.id
WHERE n.source_system_id = %s
GROUP BY n.id
"""
DUPLICATES_SQL = """
SELECT COUNT(*) FROM (
    SELECT c.need_id FROM claims_claim c JOIN needs_need n ON n.id = c.need_id
    WHERE n.source_system_id = %s AND c.status = 'active'
    GROUP BY c.need_id, c.organization_id, c.volunteer_id HAVING COUNT(*) > 1
) AS twice
"""
TRANSITIONS_SQL = """
SELECT COUNT(*) FROM claims_claim c JOIN needs_need n ON n.id = c.need_id
WHERE n.source_system_id = %s
  AND NOT EXISTS (SELECT 1 FROM claims_claimtransition t WHERE t.claim_id = c.id AND t.from_status = '')
"""


def expected_status(held: Decimal, target: Decimal) -> str:
    if held <= 0:
        return "published"
    return "claimed" if held >= target else "partially_claimed"


def check(system, ledger: Ledger) -> dict:
    """Zero over-allocation and a consistent state, read from the database after the run."""
    from django.db import connection

    from marketplace.claims.models import HOLDING_CLAIM_STATUSES

    with connection.cursor() as cursor:
        cursor.execute(CHECK_SQL, [list(HOLDING_CLAIM_STATUSES), system.pk])
        rows = cursor.fetchall()
        cursor.execute(DUPLICATES_SQL, [system.pk])
        duplicates = cursor.fetchone()[0]
        cursor.execute(TRANSITIONS_SQL, [system.pk])
        without_transition = cursor.fetchone()[0]
    over, stored, status, client = [], [], [], []
    statuses: Counter[str] = Counter()
    for code, need_status, target, claimed, held, _claims in rows:
        statuses[need_status] += 1
        if held > target:
            over.append(code)
        if claimed != held:
            stored.append(code)
        if need_status != expected_status(held, target):
            status.append(code)
        if ledger.claimed.get(code, Decimal(0)) != held:
            client.append(code)
    result = {
        "needs": len(rows),
        "needs_by_status": dict(statuses.most_common()),
        "claims": sum(row[5] for row in rows),
        "claimed_sum": str(sum(row[4] for row in rows)),
        "target_sum": str(sum(row[2] for row in rows)),
        "over_allocated": len(over),
        "stored_sum_differs": len(stored),
        "status_differs": len(status),
        "client_sum_differs": len(client),
        "duplicate_active_claims": duplicates,
        "claims_without_transition": without_transition,
        "examples": {
            "over_allocated": over[:5],
            "stored": stored[:5],
            "status": status[:5],
            "client": client[:5],
        },
    }
    result["ok"] = not (over or stored or status or client or duplicates or without_transition)
    return result


# --- Report --------------------------------------------------------------------------------------


def latency_line(label: str, figures: dict) -> str:
    return (
        f"{label:<13} p50 {figures['p50']:>7.1f}  p95 {figures['p95']:>7.1f}  p99 {figures['p99']:>7.1f}  "
        f"max {figures['max']:>7.1f} ms"
    )


def print_load(label: str, summary: dict) -> None:
    print(
        f"  {label:<6} {summary['requests_per_s']:>8.1f} req/s over {summary['seconds']:.1f} s "
        f"({summary['requests']:,} requests, ended by {summary['ended_by']}, "
        f"client CPU {summary['client_cpu_seconds']:.1f} s)",
        flush=True,
    )
    print(f"         {latency_line('all answers', summary['latency_ms'])}", flush=True)
    cpu = summary.get("cpu_ms_per_request")
    if cpu:
        print(
            f"         CPU per request: {cpu['machine']:.2f} ms on the machine, of which the server's "
            f"workers {cpu['server_workers']:.2f}, the client {cpu['client']:.2f}, PostgreSQL and the "
            f"rest {cpu['postgresql_and_the_rest']:.2f}",
            flush=True,
        )


def print_report(result: dict) -> None:
    claims, checked = result["claims"], result["check"]
    print(f"\n== (a) claims: {result['settings']['clients']} clients over {checked['needs']:,} needs ==")
    print(
        f"  claims/s {claims['claims_per_s']:.1f} (201 answers)   "
        f"requests/s {claims['requests_per_s']:.1f}   ratio to hello {result['ratio_to_hello']:.3f}"
    )
    print(f"  {latency_line('all answers', claims['latency_ms'])}")
    print(f"  {latency_line('201 answers', claims['latency_201_ms'])}")
    refusals = ", ".join(f"{reason} {count:,}" for reason, count in claims["refusals"].items()) or "none"
    print(f"  answers: {', '.join(f'{s}: {n:,}' for s, n in claims['statuses'].items())}  ({refusals})")
    print(
        f"  needs afterwards: {', '.join(f'{s} {n:,}' for s, n in checked['needs_by_status'].items())}; "
        f"{checked['claims']:,} claims, {checked['claimed_sum']} of {checked['target_sum']} claimed"
    )
    verdict = "OK, zero over-allocation" if checked["ok"] else "FAILED"
    print(
        f"  check: over-allocated needs {checked['over_allocated']}, stored sum differs "
        f"{checked['stored_sum_differs']}, status differs {checked['status_differs']}, "
        f"client's 201 sums differ {checked['client_sum_differs']}, "
        f"duplicate active claims {checked['duplicate_active_claims']}, "
        f"claims without transition {checked['claims_without_transition']}: {verdict}",
        flush=True,
    )


def server_errors(server: Gunicorn, limit: int = 80) -> list[str]:
    """The first lines of the server log from its first error on (a traceback, for the report)."""
    lines = server.log_path.read_text(errors="replace").splitlines()
    first = next(
        (
            i
            for i, line in enumerate(lines)
            if any(word in line for word in ("ERROR", "CRITICAL", "Traceback"))
        ),
        None,
    )
    return [] if first is None else lines[first : first + limit]


# --- Main ----------------------------------------------------------------------------------------


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--needs", type=int, default=1_000)
    parser.add_argument("--clients", type=int, default=100, help="concurrent connections (default 100)")
    parser.add_argument("--seconds", type=float, default=180, help="at most this long (default 180)")
    parser.add_argument("--hello-seconds", type=float, default=5, help="the hello baseline (default 5)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--organizations", type=int, default=45, help="verified, two members each")
    parser.add_argument("--volunteers", type=int, default=10)
    parser.add_argument(
        "--broker", help="a Celery broker (redis://…): the server hands its tasks to one worker started here"
    )
    parser.add_argument(
        "--worker-nice",
        type=int,
        default=0,
        help="with --broker: run the worker at this niceness (e.g. 19), as if on its own node",
    )
    parser.add_argument("--database-url", help=f"default: DATABASE_URL, else {DEFAULT_DATABASE_URL}")
    return parser.parse_args(argv)


@contextlib.contextmanager
def celery_worker(*, database_url: str, env: dict[str, str], niceness: int = 0):
    """One Celery worker (solo pool) with the server's settings, for ``--broker``; its log in
    ``bench/results/celery-claims.log``. Messages an earlier run left on the broker are purged
    first (not by the worker's ``--purge``: it boots after the load may have begun). With
    ``niceness`` it runs at that lower priority: it takes only the CPU the server leaves, as a
    worker on its own node would, and catches up once the load ends."""
    worker_env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings_bench",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "DATABASE_URL": database_url,
        "LOG_LEVEL": "WARNING",
        **env,
    }
    worker_env.pop("DJANGO_DEBUG", None)
    celery = str(Path(sys.executable).parent / "celery")
    # Fixed command lines built here, no shell: nothing untrusted reaches them.
    subprocess.run([celery, "--app=config", "purge", "--force"], env=worker_env, cwd=ROOT, check=True)  # noqa: S603
    command = [
        *(["nice", "-n", str(niceness)] if niceness else []),
        celery,
        "--app=config",
        "worker",
        "--pool=solo",
        "--loglevel=WARNING",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
    ]
    with (RESULTS_DIR / "celery-claims.log").open("wb") as log:
        process = subprocess.Popen(command, env=worker_env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)  # noqa: S603
        try:
            yield process
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def wait_for_announcements(system, timeout: float = 300) -> float:
    """Seconds until the worker has announced every claim of the run (``--broker``)."""
    from marketplace.claims.models import Claim

    started = time.monotonic()
    pending = Claim.objects.filter(need__source_system=system, announce_pending=True)
    while pending.exists() and time.monotonic() - started < timeout:
        time.sleep(0.5)
    return round(time.monotonic() - started, 1)


def main(argv=None) -> int:
    args = parse_args(argv)
    # The server decrypts what this process encrypts (volunteers' real names): one key for both.
    os.environ["FIELD_ENCRYPTION_KEYS"] = throwaway_keys()["FIELD_ENCRYPTION_KEYS"]
    database_url = setup_django(DEFAULT_DATABASE_URL, script="bench_claims", url=args.database_url)
    started = datetime.now().isoformat(timespec="seconds")
    load_before = os.getloadavg()
    rng = random.Random(SEED)
    system = source_system(SOURCE_NAME)
    deleted = delete_previous_run(system)
    print(f"deleted the previous run's rows (with the rows that depend on them): {deleted}", flush=True)
    intake = publish_needs(system, needs=args.needs, rng=rng)
    keys = make_claimants(organizations=args.organizations, volunteers=args.volunteers, rng=rng)
    vacuum_analyze()  # the previous run's rows were deleted: as autovacuum would leave them
    needs = open_needs(system)
    print(
        f"{len(needs):,} published needs ({sum(n.service for n in needs)} in hours) in "
        f"{intake['seconds']} s {intake['outcome']}; {len(keys['members'])} members of "
        f"{args.organizations} verified organizations, {args.volunteers} volunteers, "
        f"{keys['caseworkers']} caseworkers",
        flush=True,
    )
    if len(needs) != args.needs:
        print("bench_claims: not every record published", file=sys.stderr)
        return 1
    ledger = Ledger(needs)

    def hello_request(_rng: random.Random) -> Hello:
        return Hello()

    def claim(rng: random.Random) -> ClaimRequest | None:
        pick = ledger.pick(rng, keys)
        return None if pick is None else ClaimRequest(ledger, *pick)

    # The server and the worker share the keys and the broker (none: tasks run in the requests).
    server_env = {**throwaway_keys(), "FIELD_ENCRYPTION_KEYS": os.environ["FIELD_ENCRYPTION_KEYS"]}
    if args.broker:
        server_env |= {"CELERY_BROKER_URL": args.broker, "CELERY_RESULT_BACKEND": ""}
    with (
        celery_worker(database_url=database_url, env=server_env, niceness=args.worker_nice)
        if args.broker
        else contextlib.nullcontext(),
        Gunicorn(
            database_url=database_url, workers=args.workers, log_name="gunicorn-claims.log", env=server_env
        ) as server,
    ):
        tasks = f"tasks on a Celery worker through {args.broker}" if args.broker else "tasks in-process"
        print(
            f"\ngunicorn, {args.workers} sync workers, {args.clients} client connections, {tasks}", flush=True
        )
        with cpu_spent(server) as hello_cpu:
            hello_load = asyncio.run(
                drive(server.port, clients=args.clients, seconds=args.hello_seconds, request=hello_request)
            )
        hello = summarize(hello_load) | {"cpu_ms_per_request": hello_cpu.per_request(hello_load)}
        print_load("hello", hello)
        with cpu_spent(server) as claims_cpu:
            claims_load = asyncio.run(
                drive(server.port, clients=args.clients, seconds=args.seconds, request=claim)
            )
        claims = summarize(claims_load) | {"cpu_ms_per_request": claims_cpu.per_request(claims_load)}
        print_load("claims", claims)
        if args.broker:
            claims["worker_drained_s"] = wait_for_announcements(system)
            print(f"  the worker had announced every claim {claims['worker_drained_s']} s after the load")
    errors = server_errors(server)
    checked = check(system, ledger)
    result = {
        "started": started,
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_before": load_before,
            "load_after": os.getloadavg(),
        },
        "settings": {**vars(args), "hot_needs": HOT_NEEDS, "hot_share": HOT_SHARE, "rest_share": REST_SHARE},
        "data": {"needs": len(needs), "service_needs": sum(n.service for n in needs), "intake": intake},
        "hello": hello,
        "claims": claims,
        "ratio_to_hello": round(claims["requests_per_s"] / hello["requests_per_s"], 3)
        if hello["requests_per_s"]
        else 0.0,
        "check": checked,
        "server_errors": errors,
    }
    print_report(result)
    out = RESULTS_DIR / "claims.json"
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False, default=str))
    print(f"\nresults in {out.relative_to(ROOT)}")
    unexpected = {s: n for s, n in claims["statuses"].items() if s not in ("201", "409")}
    unexpected |= {s: n for s, n in hello["statuses"].items() if s != "200"}
    if errors:
        print(f"\nthe server logged errors ({server.log_path.relative_to(ROOT)}):", file=sys.stderr)
        print("\n".join(errors), file=sys.stderr)
    if unexpected:
        print(f"bench_claims: answers other than 201/409 (hello: 200): {unexpected}", file=sys.stderr)
    if not checked["ok"]:
        print("bench_claims: the database check failed", file=sys.stderr)
    return 0 if checked["ok"] and not unexpected and not errors else 1


if __name__ == "__main__":
    sys.exit(main())
