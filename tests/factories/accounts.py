from __future__ import annotations

import factory
from django.contrib.auth.models import Group
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from regions.models import Region


def _assign_roles(default: list[str]):
    """A post-generation hook putting the user in role groups (``roles=[...]`` overrides)."""

    def assign(user, create, extracted, **kwargs):
        names = extracted if extracted is not None else default
        if create and names:
            user.groups.set(Group.objects.filter(name__in=names))

    return factory.PostGeneration(assign)


def _region(code: str):
    return factory.LazyFunction(lambda: Region.objects.get(code=code))


class UserFactory(factory.django.DjangoModelFactory):
    """A user; ``roles=[...]`` puts them in role groups, ``region=...`` scopes them.

    Traits give the common staff: ``UserFactory(caseworker=True)`` works in Hongshan district.
    """

    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    # Verified, as most tests need; ``email_verified_at=None`` makes an unverified account.
    email_verified_at = factory.LazyFunction(timezone.now)
    password = factory.django.Password("correct-horse-battery")
    roles = _assign_roles([])

    class Params:
        caseworker = factory.Trait(roles=_assign_roles([Role.CASEWORKER]), region=_region("420111"))
        supervisor = factory.Trait(roles=_assign_roles([Role.SUPERVISOR]), region=_region("420100"))
        administrator = factory.Trait(roles=_assign_roles([Role.ADMINISTRATOR]))
