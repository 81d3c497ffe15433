"""Demo accounts: one per role, for `make run`. Never loaded outside the demo command."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from accounts.services import user_create

DEMO_PASSWORD = "demo-portal-2026"  # noqa: S105 - printed for the demo; never used in production


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: Role
    region_code: str | None = None
    department: str = ""


DEMO_USERS = [
    DemoUser("admin", Role.ADMINISTRATOR),
    DemoUser("caseworker", Role.CASEWORKER, "420111"),
    DemoUser("handler", Role.DEPARTMENT_HANDLER, "420100", "health"),
    DemoUser("hotline", Role.HOTLINE_OPERATOR, "420100"),
    DemoUser("supervisor", Role.SUPERVISOR, "420100"),
    DemoUser("charity_admin", Role.CHARITY_ADMIN),
    DemoUser("charity_member", Role.CHARITY_MEMBER),
    DemoUser("volunteer", Role.VOLUNTEER),
]


def seed_demo_users() -> list[DemoUser]:
    """Create the demo users, or reset them to the demo password and role; idempotent."""
    for demo in DEMO_USERS:
        user = User.objects.filter(username=demo.username).first()
        if user is None:
            user_create(
                username=demo.username,
                password=DEMO_PASSWORD,
                roles=[demo.role],
                region_code=demo.region_code,
                department=demo.department,
                email=f"{demo.username}@demo.invalid",
                is_superuser=demo.role == Role.ADMINISTRATOR,
                email_verified=True,  # demo addresses (.invalid) cannot receive the link
            )
            continue
        user.set_password(DEMO_PASSWORD)
        user.region_id = demo.region_code
        user.department = demo.department
        user.is_active = True
        if user.email and user.email_verified_at is None:
            user.email_verified_at = timezone.now()
        user.save()
        user.groups.set(Group.objects.filter(name=demo.role))
    return DEMO_USERS
