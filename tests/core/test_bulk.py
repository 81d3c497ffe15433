"""``insert_new`` stores exactly what ``bulk_create`` stores (COPY on PostgreSQL, the ORM elsewhere)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.forms.models import model_to_dict
from django.utils import timezone

from core.bulk import insert_new
from marketplace.needs.models import Need, NeedStatus, NeedTransition
from marketplace.needs.services.intake import new_need_code
from tests.factories.needs import SourceSystemFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def source(db):
    """A civil-affairs source system scoped to Wuhan."""
    return SourceSystemFactory(name="武汉市民政救助系统", department="civil_affairs", region_code="420100")


def _needs(source, count: int, prefix: str, **overrides) -> list[Need]:
    fields = {
        "source_system": source,
        "household_token": "t" * 64,
        "region_id": "420111",
        "public_region_id": "420100",
        "generalization": "100000",
        "age_band": "60-69",
        "sex": "女",
        "household_size_band": "2",
        "need_type": "medical",
        "categories": ["dibao", "disabled"],
        "department": "civil_affairs",
        "urgency": "urgent",
        "needed_by": timezone.localdate() + timedelta(days=30),
        "title": "住院费用缺口「引号」\\ 与\t制表符",
        "summary": "第一行\n第二行，含 NULL 字样与反斜杠 \\N",
        "requested_amount": Decimal("12345.60"),
        "target_amount": Decimal("8000.05"),
        "statutory_coverage": Decimal("4345.55"),
        "rule_version": "hubei-medical-2024.1",
        "policy": {"residual": "4345.55", "rule": {"source": "鄂民政发〔2024〕21号"}},
        "status": NeedStatus.PUBLISHED,
        "hold_reasons": [],
        "pending_revision": None,
        "published_at": None,
    }
    fields.update(overrides)
    return [Need(code=new_need_code(), source_ref=f"{prefix}-{i}", **fields) for i in range(count)]


def _stored(need: Need) -> dict:
    row = model_to_dict(Need.objects.get(pk=need.pk), exclude=["id", "code", "source_ref"])
    row["public_class"] = Need.objects.values_list("public_class", flat=True).get(pk=need.pk)
    return row


def test_rows_match_bulk_create_and_instances_count_as_saved(source):
    copied, created = _needs(source, 3, "copy"), _needs(source, 3, "orm")
    with transaction.atomic():
        insert_new(copied)
    Need.objects.bulk_create(created)

    assert all(need.pk and not need._state.adding for need in copied)
    assert len({need.pk for need in copied + created}) == 6
    for mine, theirs in zip(copied, created, strict=True):
        assert _stored(mine) == _stored(theirs)
    stored = Need.objects.get(pk=copied[0].pk)
    assert stored.title == "住院费用缺口「引号」\\ 与\t制表符"
    assert stored.summary.endswith("反斜杠 \\N")
    assert stored.policy["rule"]["source"] == "鄂民政发〔2024〕21号"
    assert stored.created_at is not None and stored.updated_at is not None
    # The database computes the city; the instance loads it when asked, as after save().
    assert copied[0].public_city == "420100"


def test_rows_that_point_to_rows_inserted_just_before(source):
    needs = _needs(source, 2, "chain")
    transitions = [
        NeedTransition(need=need, to_status=NeedStatus.PUBLISHED, source_system=source) for need in needs
    ]
    with transaction.atomic():
        insert_new(needs)
        insert_new(transitions)

    assert [t.need_id for t in NeedTransition.objects.order_by("pk")] == [need.pk for need in needs]


def test_a_violating_row_rolls_back_the_whole_batch(source):
    needs = _needs(source, 3, "bad")
    needs[2].target_amount = Decimal("-1")  # need_target_non_negative

    with pytest.raises(IntegrityError), transaction.atomic():
        insert_new(needs)

    assert not Need.objects.filter(source_ref__startswith="bad-").exists()


def test_nothing_to_insert_touches_nothing(source, django_assert_num_queries):
    with django_assert_num_queries(0):
        insert_new([])
