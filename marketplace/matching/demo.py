"""Demo data of matching for `make run`: offers (funds, goods, job places), volunteer
availability, a statutory programme, a charity project with pledges, made through the services.

Run after the needs, organizations and claims demos: the verified Wuhan charity (administered
by ``charity_admin``) posts offers that fit part of the demo needs in Wuhan (medical funds,
boxes of winter goods, job places for employment needs); ``volunteer`` states their hours;
the charity opens a project that ``volunteer`` and ``charity_member`` pledge to, and confirms
one pledge as received (its balance becomes an offer). Each object is found by its title, so
running the seed again changes nothing.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.models import User
from marketplace.matching.models import (
    CharityProject,
    Offer,
    Pledge,
    StatutoryProgramme,
    VolunteerAvailability,
)
from marketplace.matching.services.offers import availability_save, offer_create
from marketplace.matching.services.projects import pledge_answer, pledge_make, project_open
from marketplace.needs.demo import DEMO_SOURCE_NAME, synthetic_record
from marketplace.needs.selectors import source_system_named
from marketplace.needs.services.intake import needs_intake
from marketplace.organizations.demo import DEMO_ORGANIZATIONS
from marketplace.organizations.models import Organization, OrganizationStatus, Volunteer
from regions.models import Region

PROJECT_TITLE = "武汉困难家庭子女助学基金"
# Employment needs in two Wuhan districts, enough for their class to publish (k-anonymity), so
# the job places have needs to fit; half confirm the statutory employment aid was exhausted.
EMPLOYMENT_COHORT = [("420111", True), ("420111", False), ("420106", True), ("420106", False)] * 3


def _push_employment_needs(today) -> int:
    system = source_system_named(DEMO_SOURCE_NAME)
    if system is None:
        return 0
    rng = random.Random(16)  # noqa: S311 - reproducible demo data, nothing secret
    records = []
    for number, (county, confirmed) in enumerate(EMPLOYMENT_COHORT):
        record = synthetic_record(
            rng, source_ref=f"DEMO-J{number:02d}", county_code=county, today=today, need_type="employment"
        )
        record.update(version=today.toordinal(), urgency="urgent", statutory_exhausted=confirmed)
        records.append(record)
    results = needs_intake(source_system=system, records=records, today=today)
    return sum(result.status in ("created", "updated") for result in results)


def _offers(today) -> list[dict]:
    until = today + timedelta(days=180)
    common = {"available_from": today - timedelta(days=1), "available_until": until, "categories": []}
    return [
        {**common, "kind": "funds", "title": "武汉大病医疗自付费用帮扶", "quantity": Decimal("60000"),
         "need_types": ["medical"], "region_prefixes": ["4201"], "max_per_need": Decimal("10000"),
         "max_per_household": Decimal("15000"), "unit": "",
         "description": "资助医保和医疗救助后仍有的自付费用。"},
        {**common, "kind": "goods", "title": "冬季生活物资箱", "quantity": Decimal("200"), "unit": "箱",
         "need_types": ["basic_living"], "region_prefixes": ["4201"], "max_per_need": Decimal("10"),
         "max_per_household": Decimal("10"), "description": "棉被、米、油。"},
        {**common, "kind": "jobs", "title": "社区保洁与物业岗位", "quantity": Decimal("15"), "unit": "",
         "need_types": ["employment"], "region_prefixes": ["42"], "max_per_need": None,
         "max_per_household": Decimal("1"), "description": "合作企业提供的就业岗位，含岗前培训。"},
    ]  # fmt: skip


def seed_demo_matching() -> Counter[str]:
    """Create the demo offers, availability, statutory programme and project (idempotent)."""
    made: Counter[str] = Counter()
    charity_name = next((spec.name for spec in DEMO_ORGANIZATIONS if spec.key == "charity"), None)
    charity = Organization.objects.filter(name=charity_name, status=OrganizationStatus.VERIFIED).first()
    users = {user.username: user for user in User.objects.filter(is_active=True)}
    admin = users.get("charity_admin")
    today = timezone.localdate()
    if charity is None or admin is None:
        return made
    for data in _offers(today):
        if not Offer.objects.filter(organization=charity, title=data["title"]).exists():
            offer_create(organization=charity, actor=admin, data=data)
            made["offer"] += 1
    volunteer_user = users.get("volunteer")
    volunteer = Volunteer.objects.filter(user=volunteer_user).first() if volunteer_user else None
    if volunteer is not None and not VolunteerAvailability.objects.filter(volunteer=volunteer).exists():
        availability_save(
            volunteer=volunteer,
            data={
                "hours_per_week": 6,
                "skills": "陪护、心理疏导",
                "need_types": ["care_service", "counselling"],
                "region_prefixes": ["420111"],
            },
        )
        made["availability"] += 1
    made["employment needs"] += _push_employment_needs(today)
    wuhan = Region.objects.get(code="420100")
    if not StatutoryProgramme.objects.filter(region=wuhan, need_type="employment").exists():
        StatutoryProgramme.objects.create(
            region=wuhan,
            need_type="employment",
            name="就业援助（公益性岗位、职业培训补贴）",
            department="人社局",
            updated_by=users.get("caseworker"),
        )
        made["statutory"] += 1
    if not StatutoryProgramme.objects.filter(region=wuhan, need_type="education").exists():
        StatutoryProgramme.objects.create(
            region=wuhan,
            need_type="education",
            name="学生资助（国家助学金、免学费）",
            department="教育局",
            notes="高中及以上阶段家庭经济困难学生，由学校和教育部门认定。",
            updated_by=users.get("caseworker"),
        )
        made["statutory"] += 1
    project = CharityProject.objects.filter(organization=charity, title=PROJECT_TITLE).first()
    if project is None:
        project = project_open(
            organization=charity,
            actor=admin,
            data={
                "title": PROJECT_TITLE,
                "description": "为武汉困难家庭高中及以上子女补足学杂费缺口。",
                "need_type": "education",
                "region_id": "420100",
                "target": Decimal("50000"),
                "starts_on": today - timedelta(days=10),
                "ends_on": today + timedelta(days=80),
            },
        )
        made["project"] += 1
        donors = [user for user in (users.get("volunteer"), users.get("charity_member")) if user is not None]
        for index, donor in enumerate(donors):
            pledge = pledge_make(
                project=project, user=donor, amount=Decimal(3000 + 2000 * index), anonymous=index == 0
            )
            made["pledge"] += 1
            if index == 0:
                pledge_answer(pledge=pledge, actor=admin, received=True)
    made["pledges_total"] = Pledge.objects.filter(project=project).count()
    return made
