from __future__ import annotations

import factory
from django.contrib.auth.models import Group

from accounts.models import User
from accounts.roles import Role
from regions.models import Region


class UserFactory(factory.django.DjangoModelFactory):
    """A user; ``roles=[...]`` puts them in role groups, ``region="420111"`` scopes them.

    Traits give the common staff: ``UserFactory(caseworker=True)`` works in Hongshan district.
    """

    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.org")
    password = factory.django.Password("correct-horse-battery")

    class Params:
        caseworker = factory.Trait(
            roles=[Role.CASEWORKER], region=factory.LazyFunction(lambda: Region.objects.get(code="420111"))
        )
        supervisor = factory.Trait(
            roles=[Role.SUPERVISOR], region=factory.LazyFunction(lambda: Region.objects.get(code="420100"))
        )
        administrator = factory.Trait(roles=[Role.ADMINISTRATOR])

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.set(Group.objects.filter(name__in=extracted))
