"""The cluster test (``make cluster-test``): two web nodes behind nginx lose nothing.

On this one machine it starts what docs/deploy.md describes, from the files in ``deploy/``:

- nginx (Debian's package) running ``deploy/nginx.conf`` with its ``SITE:`` values rewritten for
  local ports and a self-signed certificate; besides the balanced port it serves two ports that
  reach one node each, so a step can go "through node A" or "through node B";
- two gunicorn nodes (production settings) that share nothing but PostgreSQL (through PgBouncer,
  Debian's package, in transaction mode, ``deploy/pgbouncer.ini``), Redis (cache and broker) and
  an S3 endpoint. **moto's server stands in for object storage in this test only**; each node
  has its own empty ``MEDIA_ROOT``, which must stay empty;
- one Celery worker and one Celery beat (``config.beat.SingleBeatScheduler``);
- a webhook receiver in this process, the monitoring platform's end of the feedback events.

Then it plays the charity loop alternating nodes and checks:

1. evidence uploaded through node A is read back through node B (from the bucket, not a disk);
2. a login lock-out and a rate limit (looking tickets up) reached through node A hold on node B,
   whatever X-Forwarded-For the client forges (nginx appends the real address; the portal
   trusts one proxy);
3. 50 organizations race for one need over both nodes: it is never over-allocated;
4. node A is killed (SIGKILL) in the middle of a batch of claims and intake batches: every
   request either completed or was refused, nothing is half-written (each claim whole, each
   need's sum and status consistent, each intake batch all or nothing), and every feedback event
   reaches the webhook exactly once.

It prints what it checked and exits non-zero on any loss. It needs root (nginx, PgBouncer run
as ``postgres``), PostgreSQL on 127.0.0.1:5432 and Redis on 127.0.0.1:6379 (databases 12, 13).
"""

from __future__ import annotations

import argparse
import base64
import os
import random
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

DATABASE = "portal_cluster"
PG = "postgres://postgres@127.0.0.1:5432"
PORTS = {"balanced": 8443, "a": 8441, "b": 8442, "http": 8480, "node_a": 8101, "node_b": 8102}
PGBOUNCER_PORT = 6433
S3_PORT = 5055
WEBHOOK_PORT = 8199
REDIS_CACHE = "redis://127.0.0.1:6379/12"
REDIS_BROKER = "redis://127.0.0.1:6379/13"
BUCKET = "portal-cluster"
PASSWORD = "cluster-test-2026!"
ORGANIZATIONS = 50


# --- The result ------------------------------------------------------------------------------------


@dataclass
class Report:
    checks: list[tuple[bool, str]] = field(default_factory=list)

    def check(self, ok: bool, what: str) -> bool:
        self.checks.append((ok, what))
        print(f"[{'ok' if ok else 'FAIL'}] {what}", flush=True)
        return ok

    @property
    def failed(self) -> int:
        return sum(1 for ok, _ in self.checks if not ok)


# --- Processes -------------------------------------------------------------------------------------


class Cluster:
    """Starts and stops every process of the cluster; ``kill_node`` kills one web node."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.processes: dict[str, subprocess.Popen] = {}
        self.keys = {
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
            "HOUSEHOLD_TOKEN_KEYS": "c1:" + base64.b64encode(secrets.token_bytes(32)).decode(),
            "FIELD_ENCRYPTION_KEYS": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
            "FEEDBACK_SIGNING_KEY": secrets.token_urlsafe(32),
        }

    def node_env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "CELERY_"))}
        env.update(self.keys)
        env.update(
            {
                "DJANGO_SETTINGS_MODULE": "config.settings.production",
                "DJANGO_ALLOWED_HOSTS": "localhost,127.0.0.1",
                "DATABASE_URL": f"postgres://postgres@127.0.0.1:{PGBOUNCER_PORT}/{DATABASE}",
                "DATABASE_POOL_MODE": "transaction",
                "CACHE_URL": REDIS_CACHE,
                "CELERY_BROKER_URL": REDIS_BROKER,
                "MEDIA_STORAGE": "s3",
                "S3_BUCKET": BUCKET,
                "S3_ENDPOINT_URL": f"http://127.0.0.1:{S3_PORT}",
                "S3_REGION": "us-east-1",
                "S3_ACCESS_KEY_ID": "cluster",
                "S3_SECRET_ACCESS_KEY": "cluster-secret",
                "TRUSTED_PROXY_COUNT": "1",
                "STATIC_ROOT": str(self.workdir / "static"),
                "EMAIL_URL": "dummymail://",
                "LOG_LEVEL": "WARNING",
                "FEEDBACK_WEBHOOK_TIMEOUT": "5",
            }
        )
        env.update(extra)
        return env

    def start(self, name: str, argv: list[str], *, env: dict[str, str] | None = None, user: str = "") -> None:
        log = open(self.workdir / f"{name}.log", "wb")  # noqa: SIM115 - closed with the process
        if user:
            argv = ["runuser", "-u", user, "--", *argv]
        self.processes[name] = subprocess.Popen(
            argv, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def stop(self, name: str, sig: int = signal.SIGTERM) -> None:
        process = self.processes.pop(name, None)
        if process is None or process.poll() is not None:
            return
        try:
            os.killpg(process.pid, sig)
            process.wait(timeout=20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)

    def kill_node(self, name: str) -> None:
        """SIGKILL the node's gunicorn master and workers at once: requests in flight die with them."""
        process = self.processes[name]
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def stop_all(self) -> None:
        for name in list(self.processes)[::-1]:
            self.stop(name)

    def log_tail(self, name: str, lines: int = 30) -> str:
        path = self.workdir / f"{name}.log"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""


def run(argv: list[str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(argv, cwd=ROOT, check=True, capture_output=True, text=True, **kwargs)


def wait_for(what: str, probe, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    last = "no answer"
    while time.monotonic() < deadline:
        try:
            if probe():
                return
        except Exception as exc:  # noqa: BLE001 - not up yet
            last = repr(exc)[:300]
        time.sleep(0.3)
    raise SystemExit(f"cluster test: {what} did not start within {timeout:.0f} s ({last})")


# --- Configuration from deploy/ -------------------------------------------------------------------


def nginx_config(workdir: Path, *, nodes: int = 2, plain_port: int = 0) -> Path:
    """deploy/nginx.conf with its SITE: values for this machine, plus one port per node.

    ``nodes=1`` leaves node B out of the balanced upstream; ``plain_port`` adds a plain-HTTP copy
    of the HTTPS server for benchmarks (a TLS handshake per request would measure OpenSSL).
    """
    text = (ROOT / "deploy" / "nginx.conf").read_text()
    proxy = (ROOT / "deploy" / "nginx-proxy.conf").read_text()
    for upstream in ("portal", "portal_a", "portal_b"):
        (workdir / f"proxy-{upstream}.conf").write_text(
            proxy.replace("proxy_pass http://portal;", f"proxy_pass http://{upstream};")
        )
    replacements = [
        (r"worker_processes auto;", "worker_processes 1;"),
        (r"pid /run/nginx-portal.pid;", f"pid {workdir}/nginx.pid;"),
        (r"error_log \S+ warn;", f"error_log {workdir}/nginx-error.log warn;"),
        (r"access_log /var/log/nginx/portal-access.log;", f"access_log {workdir}/nginx-access.log;"),
        (r"server 10\.0\.0\.11:8000", f"server 127.0.0.1:{PORTS['node_a']}"),
        (r"server 10\.0\.0\.12:8000", f"server 127.0.0.1:{PORTS['node_b']}"),
        (r"listen 80;", f"listen 127.0.0.1:{PORTS['http']};"),
        (r"server_name portal\.example\.gov\.cn;", "server_name localhost;"),
        (r"/etc/ssl/portal/fullchain\.pem", f"{workdir}/cert.pem"),
        (r"/etc/ssl/portal/privkey\.pem", f"{workdir}/key.pem"),
        (r"alias /srv/portal/static/;", f"alias {workdir}/static/;"),
        (r"/etc/nginx/portal-proxy\.conf", f"{workdir}/proxy-portal.conf"),
    ]
    for pattern, replacement in replacements:
        text, count = re.subn(pattern, replacement, text)
        if not count:
            raise SystemExit(f"cluster test: deploy/nginx.conf no longer has {pattern!r}")
    # The HTTPS server once per port: balanced, node A only, node B only.
    start = text.index("    server {\n        listen 443 ssl")
    end = text.rindex("}")  # closes http
    server = text[start:end]
    servers = []
    for port, upstream in ((PORTS["balanced"], "portal"), (PORTS["a"], "portal_a"), (PORTS["b"], "portal_b")):
        servers.append(
            server.replace("listen 443 ssl", f"listen 127.0.0.1:{port} ssl").replace(
                f"{workdir}/proxy-portal.conf", f"{workdir}/proxy-{upstream}.conf"
            )
        )
    if plain_port:
        plain = re.sub(r"listen 127\.0\.0\.1:\d+ ssl http2;", f"listen 127.0.0.1:{plain_port};", servers[0])
        servers.append(re.sub(r"\n\s*ssl_[a-z_]+ [^\n]*;", "", plain))
    upstreams = (
        f"    upstream portal_a {{ server 127.0.0.1:{PORTS['node_a']}; }}\n"
        f"    upstream portal_b {{ server 127.0.0.1:{PORTS['node_b']}; }}\n"
    )
    text = text[:start] + upstreams + "".join(servers) + text[end:]
    if nodes == 1:
        text = re.sub(rf"\n\s*server 127\.0\.0\.1:{PORTS['node_b']} max_fails[^\n]*", "", text)
    path = workdir / "nginx.conf"
    path.write_text(text)
    return path


def pgbouncer_config(workdir: Path) -> Path:
    text = (ROOT / "deploy" / "pgbouncer.ini").read_text()
    replacements = [
        (
            r"portal = host=10\.0\.0\.21 port=5432 dbname=portal",
            f"{DATABASE} = host=127.0.0.1 port=5432 dbname={DATABASE}",
        ),
        (r"listen_addr = 0\.0\.0\.0", "listen_addr = 127.0.0.1"),
        (r"listen_port = 6432", f"listen_port = {PGBOUNCER_PORT}"),
        (r"auth_type = scram-sha-256", "auth_type = trust"),
        (r"auth_file = /etc/pgbouncer/userlist\.txt", f"auth_file = {workdir}/userlist.txt"),
    ]
    for pattern, replacement in replacements:
        text, count = re.subn(pattern, replacement, text)
        if not count:
            raise SystemExit(f"cluster test: deploy/pgbouncer.ini no longer has {pattern!r}")
    own = workdir / "pgbouncer"  # PgBouncer refuses to run as root: it runs as postgres
    own.mkdir()
    shutil.chown(own, "postgres", "postgres")
    text = text.replace(f"auth_file = {workdir}/userlist.txt", f"auth_file = {own}/userlist.txt")
    text += f"\nunix_socket_dir = {own}\npidfile = {own}/pgbouncer.pid\nlogfile = {own}/pgbouncer.log\n"
    (own / "userlist.txt").write_text('"postgres" ""\n')
    path = own / "pgbouncer.ini"
    path.write_text(text)
    return path


# --- HTTP ------------------------------------------------------------------------------------------


def session():
    import requests
    import urllib3

    urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
    s = requests.Session()
    s.trust_env = False  # no proxy or CA bundle from the environment
    s.verify = False  # the test's own self-signed certificate
    return s


def url(node: str, path: str) -> str:
    return f"https://localhost:{PORTS[node]}{path}"


def sign_in(s, node: str, username: str, password: str, *, forged_for: str = "") -> int:
    page = s.get(url(node, "/account/login/"), timeout=30)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    headers = {"Referer": url(node, "/account/login/")}
    if forged_for:
        headers["X-Forwarded-For"] = forged_for
    answer = s.post(
        url(node, "/account/login/"),
        data={"csrfmiddlewaretoken": token, "username": username, "password": password},
        headers=headers,
        allow_redirects=False,
        timeout=30,
    )
    return answer.status_code


class Webhook:
    """The monitoring platform's webhook: records every event id it receives."""

    def __init__(self) -> None:
        self.received: Counter[str] = Counter()
        received = self.received
        lock = threading.Lock()

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with lock:
                    received[self.headers.get("X-Portal-Event-Id", "")] += 1
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                """Quiet: the test prints what it checked, not every delivery."""

        self.server = ThreadingHTTPServer(("127.0.0.1", WEBHOOK_PORT), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


# --- The world --------------------------------------------------------------------------------------


def build_world(rng: random.Random) -> dict:
    """Needs, 50 verified organizations with API tokens, a caseworker; as bench_claims makes them."""
    from accounts.models import User
    from bench.bench_claims import make_claimants, publish_needs
    from bench.common import source_system
    from marketplace.needs.models import AmountKind, Need, NeedStatus, SourceSystem
    from marketplace.needs.services.sources import source_system_create

    system = source_system("cluster-test")
    SourceSystem.objects.filter(pk=system.pk).update(webhook_url=f"http://127.0.0.1:{WEBHOOK_PORT}/feedback")
    intake, intake_key = source_system_create(
        name="cluster-intake", department="civil_affairs", region_code="420000"
    )
    published = publish_needs(system, needs=400, rng=rng)
    claimants = make_claimants(organizations=ORGANIZATIONS, volunteers=0, rng=rng)
    admins = claimants["members"][0::2]  # one token per organization: its administrator's
    owner = User.objects.get(username="bench-claims-org01-admin")
    owner.set_password(PASSWORD)
    owner.save(update_fields=["password"])
    locked = User.objects.create_user(username="cluster-lockout", password=PASSWORD)
    money = list(
        Need.objects.filter(source_system=system, status=NeedStatus.PUBLISHED, amount_kind=AmountKind.MONEY)
        .order_by("pk")
        .values_list("code", flat=True)
    )
    return {
        "system": system.pk,
        "intake_key": intake_key,
        "intake": intake.pk,
        "published": published,
        "admins": admins,
        "owner_token": admins[0],
        "locked": locked.username,
        "money_needs": money,
    }


# --- The checks -------------------------------------------------------------------------------------


def jpeg() -> bytes:
    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (64, 48), (200, 120, 40)).save(buffer, format="JPEG")
    return buffer.getvalue()


def check_evidence(report: Report, world: dict, s3) -> None:
    from marketplace.delivery.models import Evidence
    from marketplace.needs.models import Need

    print("1. evidence uploaded through node A, read through node B", flush=True)
    code = world["money_needs"].pop()
    target = Need.objects.get(code=code).target_amount
    api = session()
    api.headers["Authorization"] = f"Token {world['owner_token']}"
    claim = api.post(url("a", f"/api/v1/needs/{code}/claims/"), json={"amount": str(target)}, timeout=30)
    if not report.check(claim.status_code == 201, f"claim through node A answered {claim.status_code}"):
        return
    from django.utils import timezone

    delivery = api.post(
        url("a", f"/api/v1/claims/{claim.json()['id']}/deliveries/"),
        data={
            "amount": str(target),
            "delivered_on": timezone.localdate().isoformat(),
            "description": "送去米面油。",
        },
        files=[("files", ("门口.jpg", jpeg(), "image/jpeg"))],
        timeout=60,
    )
    if not report.check(
        delivery.status_code == 201, f"delivery report through node A answered {delivery.status_code}"
    ):
        print(delivery.text[:500])
        return
    [evidence_id] = [item["id"] for item in delivery.json()["evidence"]]
    key = Evidence.objects.get(pk=evidence_id).file.name
    stored = s3.get_object(Bucket=BUCKET, Key=key)["Body"].read()
    report.check(key.startswith("private/evidence/"), f"the file is in the bucket as {key}")
    browser = session()
    status = sign_in(browser, "b", "bench-claims-org01-admin", PASSWORD)
    report.check(status == 302, f"the claimant signs in through node B ({status})")
    answer = browser.get(url("b", f"/evidence/{evidence_id}/"), timeout=30)
    report.check(
        answer.status_code == 200 and answer.content == stored,
        f"node B serves the evidence from the bucket ({answer.status_code}, {len(answer.content)} bytes)",
    )
    anonymous = session().get(url("b", f"/evidence/{evidence_id}/"), allow_redirects=False, timeout=30)
    report.check(
        anonymous.status_code == 302, "without a session node B sends to the sign-in page, not the file"
    )


def check_lockout(report: Report, world: dict) -> None:
    print("2. a login lock-out reached through node A holds on node B", flush=True)
    s = session()
    statuses = [
        sign_in(s, "a", world["locked"], "wrong-password", forged_for=f"10.9.8.{attempt}")
        for attempt in range(5)
    ]
    # The fifth failure is the one that locks (LOGIN_FAILURE_LIMIT=5): 200 four times, then 429.
    report.check(
        statuses == [200, 200, 200, 200, 429],
        f"five wrong passwords through node A, each with a forged address, lock the account ({statuses})",
    )
    status = sign_in(session(), "b", world["locked"], PASSWORD)
    report.check(status == 429, f"the right password through node B is refused while locked out ({status})")


def track(s, node: str, *, forged_for: str = "") -> int:
    """One lookup on /complaints/track/ with a number and code that match nothing."""
    page = s.get(url(node, "/complaints/track/"), timeout=30)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    headers = {"Referer": url(node, "/complaints/track/")}
    if forged_for:
        headers["X-Forwarded-For"] = forged_for
    answer = s.post(
        url(node, "/complaints/track/"),
        data={"csrfmiddlewaretoken": token, "number": "1234 5678 9012", "code": "ABC234"},
        headers=headers,
        timeout=30,
    )
    return answer.status_code


def check_rate_limit(report: Report) -> None:
    print("2b. a rate limit reached through node A holds on node B", flush=True)
    s = session()
    # TICKET_TRACK_LIMIT lookups per window per client address (10 by default), in the shared cache.
    statuses = [track(s, "a", forged_for=f"10.7.6.{n}") for n in range(10)]
    report.check(statuses == [200] * 10, f"ten lookups of an unknown ticket through node A ({statuses})")
    status = track(session(), "b")
    report.check(status == 429, f"the eleventh, through node B, is refused ({status})")


def claim_request(token: str, node: str, code: str, amount: str) -> tuple[int, dict]:
    s = session()
    try:
        answer = s.post(
            url(node, f"/api/v1/needs/{code}/claims/"),
            json={"amount": amount},
            headers={"Authorization": f"Token {token}"},
            timeout=60,
        )
    except Exception as exc:  # noqa: BLE001 - a dead node's connection: refused
        return 0, {"error": exc.__class__.__name__}
    try:
        return answer.status_code, answer.json()
    except ValueError:
        return answer.status_code, {}


def check_race(report: Report, world: dict) -> None:
    from marketplace.needs.models import Need

    print(f"3. {ORGANIZATIONS} organizations race for one need over both nodes", flush=True)
    code = world["money_needs"].pop()
    need = Need.objects.get(code=code)
    share = (need.target_amount / 10).quantize(Decimal("0.01"))
    barrier = threading.Barrier(ORGANIZATIONS)

    def one(index: int):
        barrier.wait()
        return claim_request(world["admins"][index], "a" if index % 2 else "b", code, str(share))

    with ThreadPoolExecutor(ORGANIZATIONS) as pool:
        answers = list(pool.map(one, range(ORGANIZATIONS)))
    statuses = Counter(status for status, _ in answers)
    granted = sum(Decimal(body["amount"]) for status, body in answers if status == 201)
    need.refresh_from_db()
    report.check(set(statuses) <= {201, 409}, f"answers: {dict(statuses)}")
    report.check(granted <= need.target_amount, f"granted {granted} of a target of {need.target_amount}")
    report.check(need.claimed_amount == granted, f"the need records {need.claimed_amount} claimed")


def check_kill(report: Report, world: dict, cluster: Cluster, webhook: Webhook, rng: random.Random) -> None:
    from django.utils import timezone

    from marketplace.needs.demo import synthetic_record
    from marketplace.needs.models import Need

    print("4. node A is killed in the middle of a batch of claims and intake batches", flush=True)
    codes = world["money_needs"][:120]
    targets = dict(Need.objects.filter(code__in=codes).values_list("code", "target_amount"))
    counties = ["420111", "420502", "420602", "421002"]
    batches = []
    for batch in range(6):
        records = [
            synthetic_record(
                rng,
                source_ref=f"cluster-intake-{batch}-{number:03d}",
                county_code=rng.choice(counties),
                today=timezone.localdate(),
                need_type="basic_living",
            )
            for number in range(50)
        ]
        batches.append(records)
    results: dict[str, list] = {"claims": [], "intake": []}
    answered = Counter()
    lock = threading.Lock()

    def claim_counted(job):
        outcome = claim_request(*job)
        with lock:
            answered["claims"] += 1
        return outcome

    def claims():
        jobs = []
        for number in range(240):
            code = rng.choice(codes)
            token = rng.choice(world["admins"])
            amount = str(
                (targets[code] * Decimal(rng.choice(("0.2", "0.3", "0.5")))).quantize(Decimal("0.01"))
            )
            jobs.append((token, "a" if number % 2 else "b", code, amount))
        with ThreadPoolExecutor(12) as pool:
            results["claims"] = list(pool.map(claim_counted, jobs))

    def intake():
        s = session()
        for index, records in enumerate(batches):
            try:
                # Through the balanced port: nginx spreads the batches over both nodes.
                answer = s.post(
                    url("balanced", "/api/v1/intake/needs/"),
                    json={"records": records},
                    headers={"Authorization": f"Api-Key {world['intake_key']}"},
                    timeout=120,
                )
                results["intake"].append((index, answer.status_code))
            except Exception as exc:  # noqa: BLE001 - the node died under it
                results["intake"].append((index, exc.__class__.__name__))
            with lock:
                answered["intake"] += 1

    workers = [threading.Thread(target=claims), threading.Thread(target=intake)]
    for worker in workers:
        worker.start()
    # Killed once some of each batch has landed, with the rest still to come or in flight.
    deadline = time.monotonic() + 300
    while (answered["claims"] < 60 or answered["intake"] < 2) and time.monotonic() < deadline:
        time.sleep(0.05)
    cluster.kill_node("node_a")
    print("   node A killed (SIGKILL)", flush=True)
    for worker in workers:
        worker.join()
    statuses = Counter(status for status, _ in results["claims"])
    report.check(
        set(statuses) <= {201, 409, 502, 0},
        f"claims answered {dict(statuses)} (502/0: refused by a dead node)",
    )
    report.check(
        statuses.get(201, 0) > 0 and (statuses.get(502, 0) + statuses.get(0, 0)) > 0,
        "some claims landed before and after the kill",
    )
    consistency(report, world)
    intake_all_or_nothing(report, results["intake"])
    feedback_once(report, world, webhook)


def consistency(report: Report, world: dict) -> None:
    """Every claim whole, every need's sum and status what its claims say."""
    from django.db.models import Count, Q, Sum

    from marketplace.claims.models import Claim, ClaimStatus
    from marketplace.needs.models import Need

    holding = Q(claims__status__in=[ClaimStatus.ACTIVE, ClaimStatus.COMPLETED])
    needs = Need.objects.filter(source_system_id=world["system"]).annotate(
        held=Sum("claims__amount", filter=holding)
    )
    over = [n.code for n in needs if (n.held or 0) > n.target_amount]
    drift = [n.code for n in needs if (n.held or 0) != n.claimed_amount]
    report.check(not over, f"no need over-allocated ({len(over)} are)")
    report.check(not drift, f"each need's recorded sum equals its claims' ({len(drift)} differ)")
    bare = Claim.objects.annotate(moves=Count("transitions")).filter(moves=0).count()
    report.check(bare == 0, f"every claim has its transition ({bare} have none)")
    doubled = (
        Claim.objects.filter(status=ClaimStatus.ACTIVE)
        .values("need_id", "organization_id")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    report.check(
        doubled == 0, f"at most one active claim per organization and need ({doubled} pairs have more)"
    )


def intake_all_or_nothing(report: Report, answers: list) -> None:
    from marketplace.needs.models import Need

    counts = []
    for index, status in answers:
        stored = Need.objects.filter(source_ref__startswith=f"cluster-intake-{index}-").count()
        counts.append((index, status, stored))
    whole = all(stored in (0, 50) for _, _, stored in counts)
    answered = all(stored == 50 for _, status, stored in counts if status == 200)
    report.check(whole, f"each intake batch all or nothing: {[(i, s, n) for i, s, n in counts]}")
    report.check(answered, "every batch answered 200 is stored whole")
    report.check(any(stored == 50 for _, _, stored in counts), "some intake batches landed")


def feedback_once(report: Report, world: dict, webhook: Webhook, timeout: float = 240) -> None:
    from marketplace.needs.models import FeedbackEvent

    events = FeedbackEvent.objects.filter(source_system_id=world["system"])
    deadline = time.monotonic() + timeout
    while events.filter(delivered_at__isnull=True).exists() and time.monotonic() < deadline:
        time.sleep(2)
    pending = events.filter(delivered_at__isnull=True).count()
    ids = {str(event_id) for event_id in events.values_list("event_id", flat=True)}
    received = {key for key in webhook.received if key}
    twice = [key for key, count in webhook.received.items() if count > 1]
    report.check(pending == 0, f"every feedback event delivered ({len(ids)} events, {pending} pending)")
    report.check(
        received == ids, f"the webhook received exactly the events recorded ({len(received)} of {len(ids)})"
    )
    report.check(not twice, f"none delivered twice ({len(twice)} were)")


# --- Main -------------------------------------------------------------------------------------------


def prepare_database() -> None:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            [DATABASE],
        )
        conn.execute(f"DROP DATABASE IF EXISTS {DATABASE}")
        conn.execute(
            f"CREATE DATABASE {DATABASE} ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8' "
            "TEMPLATE template0"
        )
        # Transaction pooling: no connection may need a session SET (docs/deploy.md).
        conn.execute(f"ALTER DATABASE {DATABASE} SET timezone TO 'UTC'")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="keep the working directory and its logs")
    args = parser.parse_args(argv)
    for tool in ("nginx", "pgbouncer", "openssl", "runuser", "redis-cli"):
        if shutil.which(tool) is None and not Path(f"/usr/sbin/{tool}").exists():
            raise SystemExit(f"cluster test: {tool} is missing (make cluster-deps installs it)")
    workdir = Path(tempfile.mkdtemp(prefix="portal-cluster-"))
    workdir.chmod(0o755)  # nginx's workers and PgBouncer run as other users
    cluster = Cluster(workdir)
    rng = random.Random(20261203)
    report = Report()
    python = str(ROOT / ".venv" / "bin" / "python")
    bin_dir = ROOT / ".venv" / "bin"
    try:
        print(f"cluster test in {workdir}", flush=True)
        prepare_database()
        for db in (REDIS_CACHE, REDIS_BROKER):
            run(["redis-cli", "-n", db.rsplit("/", 1)[1], "FLUSHDB"])
        run(
            [
                "openssl",
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "2",
                "-subj",
                "/CN=localhost",
                "-keyout",
                str(workdir / "key.pem"),
                "-out",
                str(workdir / "cert.pem"),
            ]
        )
        # This process: the same keys, the database directly (not through the pool), local media.
        os.environ.update(cluster.keys)
        os.environ.update(
            {
                "DJANGO_SETTINGS_MODULE": "config.settings.dev",
                "DJANGO_DEBUG": "false",
                "DATABASE_URL": f"{PG}/{DATABASE}",
                "CELERY_BROKER_URL": "",
                "MEDIA_ROOT": str(workdir / "media-setup"),
                "EMAIL_URL": "dummymail://",
                "LOG_LEVEL": "WARNING",
            }
        )
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        run([python, "manage.py", "collectstatic", "--no-input", "-v", "0"], env=cluster.node_env())
        cluster.start("s3", [str(bin_dir / "moto_server"), "-H", "127.0.0.1", "-p", str(S3_PORT)])
        cluster.start("pgbouncer", ["pgbouncer", str(pgbouncer_config(workdir))], user="postgres")
        import boto3
        import psycopg

        s3 = boto3.client(
            "s3",
            endpoint_url=f"http://127.0.0.1:{S3_PORT}",
            region_name="us-east-1",
            aws_access_key_id="cluster",
            aws_secret_access_key="cluster-secret",
        )
        wait_for("the S3 endpoint", lambda: s3.list_buckets() is not None)
        s3.create_bucket(Bucket=BUCKET)
        wait_for(
            "PgBouncer",
            lambda: (
                psycopg.connect(f"postgres://postgres@127.0.0.1:{PGBOUNCER_PORT}/{DATABASE}").close() is None
            ),
        )
        for name, port in (("node_a", PORTS["node_a"]), ("node_b", PORTS["node_b"])):
            media = workdir / f"media-{name}"
            media.mkdir()
            cluster.start(
                name,
                [
                    str(bin_dir / "gunicorn"),
                    "-c",
                    "config/gunicorn.py",
                    "config.wsgi",
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--workers",
                    "2",
                    "--timeout",
                    "60",
                ],
                env=cluster.node_env(MEDIA_ROOT=str(media)),
            )
        cluster.start(
            "worker",
            [
                str(bin_dir / "celery"),
                "-A",
                "config",
                "worker",
                "--loglevel=warning",
                "--concurrency=2",
                "-n",
                "cluster@%h",
            ],
            env=cluster.node_env(),
        )
        cluster.start(
            "beat",
            [str(bin_dir / "celery"), "-A", "config", "beat", "--loglevel=info"],
            env=cluster.node_env(),
        )
        webhook = Webhook()
        cluster.start("nginx", ["nginx", "-c", str(nginx_config(workdir)), "-g", "daemon off;"])
        probe = session()
        for node in ("a", "b"):
            wait_for(
                f"node {node.upper()} behind nginx",
                lambda node=node: probe.get(url(node, "/healthz"), timeout=5).status_code == 200,
                timeout=120,
            )
        print(
            "cluster up: nginx, 2 nodes, PgBouncer (transaction mode), Redis, S3 (moto), worker, beat",
            flush=True,
        )
        world = build_world(rng)
        print(
            f"world: {len(world['money_needs'])} open money needs, {len(world['admins'])} organizations",
            flush=True,
        )

        check_evidence(report, world, s3)
        check_lockout(report, world)
        check_rate_limit(report)
        check_race(report, world)
        check_kill(report, world, cluster, webhook, rng)
        leaked = [
            path
            for name in ("node_a", "node_b")
            for path in (workdir / f"media-{name}").rglob("*")
            if path.is_file()
        ]
        report.check(not leaked, f"no node kept an upload on its own disk ({len(leaked)} files)")
    except BaseException:
        for name in ("node_a", "node_b", "worker", "beat", "nginx", "pgbouncer"):
            tail = cluster.log_tail(name, 15)
            if tail:
                print(f"--- {name} log ---\n{tail}")
        raise
    finally:
        cluster.stop_all()
        if args.keep:
            print(f"logs kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    print(f"cluster test: {len(report.checks) - report.failed} of {len(report.checks)} checks passed")
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main())
