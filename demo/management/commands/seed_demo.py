"""Load the demo data for `make run`: idempotent, safe to run on every start."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db import transaction
from wagtail.models import Site

from accounts.demo import DEMO_PASSWORD, seed_demo_users
from cms.demo import seed_demo_notices
from cms.models import HomePage
from cms.publicity.demo import seed_demo_publicity_lists
from cms.publicity.services import NoNoticesSection
from marketplace.claims.demo import seed_demo_claims
from marketplace.delivery.demo import seed_demo_deliveries
from marketplace.matching.demo import seed_demo_matching
from marketplace.needs.demo import seed_demo_needs
from marketplace.organizations.demo import seed_demo_organizations
from supervision.demo import DEMO_TRACK_CODE, demo_track_ticket, seed_demo_tickets


class Command(BaseCommand):
    help = (
        "Load the demo data (users, site tree, needs, organizations, claims, deliveries, tickets, "
        "notices, offers); prints logins."
    )

    @transaction.atomic
    def handle(self, *args, **options):
        home = HomePage.objects.first()
        if home is None:
            self.stderr.write("No home page: run `manage.py migrate` first.")
            raise SystemExit(1)
        Site.objects.update_or_create(
            is_default_site=True,
            defaults={"hostname": "127.0.0.1", "port": 8000, "root_page": home, "site_name": home.title},
        )
        users = seed_demo_users()
        outcomes = seed_demo_needs()
        organizations = seed_demo_organizations()
        claims = seed_demo_claims()
        deliveries = seed_demo_deliveries()
        tickets = seed_demo_tickets()
        notices = seed_demo_notices()
        # Under the notices section: after the site tree that creates it.
        try:
            publicity_lists = seed_demo_publicity_lists()
        except NoNoticesSection as missing:
            publicity_lists = []
            self.stderr.write(f"演示公示名单未创建 (no demo publicity lists): {missing.message}")
        matching = seed_demo_matching()

        self.stdout.write(self.style.SUCCESS("演示数据已就绪 (demo data ready)."))
        self.stdout.write(f"演示需求经隐私网关导入 (demo needs through intake): {_counts(outcomes)}")
        self.stdout.write(f"演示组织 (organizations created): {len(organizations.organizations)}")
        self.stdout.write(f"演示认领 (claims): {_counts(claims)}")
        self.stdout.write(f"演示交付 (deliveries): {_counts(deliveries)}")
        if tickets:
            self.stdout.write(f"演示工单 (tickets): {_counts(tickets)}")
        if number := demo_track_ticket():
            self.stdout.write(f"工单查询 (track a ticket) /complaints/track/: {number} / {DEMO_TRACK_CODE}")
        self.stdout.write(
            f"演示公告 (notices): {len(notices.notices)} 新建, 栏目 (sections) {notices.sections}, "
            f"热线 (hotlines) {notices.hotlines}"
        )
        for page in publicity_lists:
            self.stdout.write(f"演示公示名单 (publicity list): {page.title} {page.url}")
        self.stdout.write(f"演示供需对接 (offers, projects): {_counts(matching)}")
        self.stdout.write("登录 (sign in): http://127.0.0.1:8000/account/login/")
        self.stdout.write("后台 (back office): http://127.0.0.1:8000/admin/")
        self.stdout.write(f"演示账号密码均为 (every demo password is): {DEMO_PASSWORD}")
        for demo in users:
            scope = " ".join(part for part in (demo.region_code, demo.department) if part)
            self.stdout.write(f"  {demo.username:<16} {demo.role.label!s:<22} {scope}")


def _counts(counter) -> str:
    return ", ".join(f"{key} {count}" for key, count in sorted((str(k), v) for k, v in counter.items()))
