"""Source systems and needs for tests.

``SourceSystemFactory`` and ``IntakeNeedFactory`` go through the services, as production makes
them: a source system gets its key from ``source_system_create``, and an intake need passes the
privacy gate and placement of ``needs_intake``. ``NeedFactory`` writes a need straight through
the ORM, for the tests that need exact regions, statuses, amounts and dates, and many rows fast
(intake and the gate are tested in ``tests/needs``). Nothing here identifies anyone: tokens and
digests are made-up hex.
"""

from __future__ import annotations

import random
import secrets
from datetime import date, timedelta
from decimal import Decimal

import factory
from django.test import override_settings
from django.utils import timezone

from marketplace.needs.demo import synthetic_record
from marketplace.needs.models import Need, NeedStatus, NeedTransition, SourceSystem
from marketplace.needs.services.intake import RecordResult, needs_intake
from marketplace.needs.services.sources import source_system_create
from marketplace.organizations.models import Volunteer


def household_token() -> str:
    """A made-up household token, as the development keys would give."""
    return f"dev:{secrets.token_hex(16)}"


class SourceSystemFactory(factory.Factory):
    """A source system through ``source_system_create``; its key, shown once, is kept on the
    returned object as ``api_key``."""

    class Meta:
        model = SourceSystem

    name = factory.Sequence(lambda n: f"测试来源系统{n}")
    department = "civil_affairs"
    region_code = "420100"
    webhook_url = ""

    @classmethod
    def _create(cls, model_class, **kwargs) -> SourceSystem:
        system, key = source_system_create(**kwargs)
        system.api_key = key
        return system


class NeedFactory(factory.django.DjangoModelFactory):
    """A need written straight through the ORM, published by default, with its first transition.

    ``region`` is the household's county code (``public_region``, where the public sees the
    need, defaults to it); amounts may be given as strings (``requested_amount`` defaults to
    ``target_amount``). Traits for the other states: ``pending_review`` (never published),
    ``partially_claimed`` (half the target), ``claimed``, ``fulfilled`` and ``closed`` (the whole
    target), ``withdrawn``, ``expired``. Needs made one after another are published one minute
    further apart, the newest first.
    """

    class Meta:
        model = Need
        skip_postgeneration_save = True

    class Params:
        region = "420111"
        public_region = None

        pending_review = factory.Trait(status=NeedStatus.PENDING_REVIEW)
        partially_claimed = factory.Trait(
            status=NeedStatus.PARTIALLY_CLAIMED,
            claimed_amount=factory.LazyAttribute(lambda need: Decimal(str(need.target_amount)) / 2),
        )
        claimed = factory.Trait(
            status=NeedStatus.CLAIMED, claimed_amount=factory.SelfAttribute("target_amount")
        )
        fulfilled = factory.Trait(
            status=NeedStatus.FULFILLED, claimed_amount=factory.SelfAttribute("target_amount")
        )
        closed = factory.Trait(
            status=NeedStatus.CLOSED, claimed_amount=factory.SelfAttribute("target_amount")
        )
        withdrawn = factory.Trait(status=NeedStatus.WITHDRAWN)
        expired = factory.Trait(status=NeedStatus.EXPIRED)

    code = factory.Sequence(lambda n: f"T{n:010d}")
    source_system = factory.SubFactory(SourceSystemFactory, region_code="420000")
    source_ref = factory.Sequence(lambda n: f"need-{n}")
    version = 1
    record_digest = factory.Sequence(lambda n: f"{n:064x}")
    household_token = factory.LazyFunction(household_token)
    region_id = factory.SelfAttribute("region")
    public_region_id = factory.LazyAttribute(lambda need: need.public_region or need.region)
    generalization = factory.LazyAttribute(
        lambda need: "000000" if need.public_region_id == need.region else "100000"
    )
    need_type = "medical"
    categories = factory.LazyFunction(lambda: ["dibao"])
    public_categories = factory.LazyAttribute(lambda need: sorted(need.categories))
    department = "civil_affairs"
    urgency = "normal"
    needed_by = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=30))
    title = factory.Sequence(lambda n: f"测试需求 {n}")
    summary = "家庭收入低，需要帮扶。"
    amount_kind = "money"
    unit = factory.LazyAttribute(lambda need: "小时" if need.amount_kind == "hours" else "")
    target_amount = Decimal("1000.00")
    requested_amount = factory.SelfAttribute("target_amount")
    claimed_amount = Decimal("0")
    status = NeedStatus.PUBLISHED
    published_at = factory.LazyAttributeSequence(
        lambda need, n: (
            None if need.status == NeedStatus.PENDING_REVIEW else timezone.now() - timedelta(minutes=n)
        )
    )

    @classmethod
    def _adjust_kwargs(cls, **kwargs):
        kwargs["categories"] = list(kwargs["categories"])
        for amount in ("target_amount", "requested_amount", "claimed_amount"):
            kwargs[amount] = Decimal(str(kwargs[amount]))
        return kwargs

    @factory.post_generation
    def first_transition(need, create, extracted, **kwargs):
        if create:
            NeedTransition.objects.create(need=need, from_status="", to_status=need.status)


class IntakeNeedFactory(factory.Factory):
    """A published need made through ``needs_intake`` from a synthetic record (k = 1, so it is
    published at once); its charity target is ``target`` (hours for service needs)."""

    class Meta:
        model = Need

    source_system = factory.SubFactory(SourceSystemFactory, region_code="420000")
    source_ref = factory.Sequence(lambda n: f"CLAIM-{n}")
    target = "1000.00"
    need_type = "education"
    county = "420111"
    seed = factory.Sequence(lambda n: n)

    @classmethod
    def _create(cls, model_class, *, source_system, source_ref, target, need_type, county, seed) -> Need:
        record = synthetic_record(
            random.Random(seed),
            source_ref=source_ref,
            county_code=county,
            today=timezone.localdate(),
            need_type=need_type,
        )
        record.pop("medical", None)
        if need_type in Volunteer.SERVICE_NEED_TYPES:
            record["requested_amount"] = {"hours": target}
        else:
            record["requested_amount"] = target
        with override_settings(K_ANONYMITY_K=1):
            [result] = needs_intake(source_system=source_system, records=[record])
        need = model_class.objects.get(code=result.need_code)
        assert need.status == NeedStatus.PUBLISHED, need.hold_reasons
        assert need.target_amount == Decimal(target)
        return need


def push_synthetic(
    system: SourceSystem,
    refs: list[str] | str,
    *,
    county_code: str = "420111",
    need_type: str | None = None,
    seed: int = 0,
    today: date | None = None,
    **overrides,
) -> list[RecordResult]:
    """Push synthetic records (``marketplace.needs.demo.synthetic_record``) through intake.

    Each record is made from ``random.Random(seed + i)``; ``overrides`` replace top-level
    fields of every record (e.g. ``title=...``).
    """
    refs = [refs] if isinstance(refs, str) else refs
    today = today or timezone.localdate()
    records = []
    for index, ref in enumerate(refs):
        record = synthetic_record(
            random.Random(seed + index),
            source_ref=ref,
            county_code=county_code,
            today=today,
            need_type=need_type,
        )
        record.update(overrides)
        records.append(record)
    return needs_intake(source_system=system, records=records, today=today)
