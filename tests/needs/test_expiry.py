"""Needs past their needed-by date expire: the nightly task and the service behind it."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.test import override_settings
from django.utils import translation

from marketplace.needs.models import Need, NeedStatus, NeedTransition
from marketplace.needs.services.expiry import needs_expire
from marketplace.needs.services.intake import needs_intake
from marketplace.needs.services.status import need_withdraw
from marketplace.needs.tasks import expire_needs
from privacy.identity import make_id_number

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
PUSHED_ON = date(2025, 6, 1)
DUE = date(2025, 6, 10)
_sequence = itertools.count(1)


def need_due(source, ref: str, needed_by: date = DUE, *, county: str = "420111") -> Need:
    """A need pushed on PUSHED_ON, due ``needed_by``."""
    record = {
        "source_ref": ref,
        "version": 1,
        "region_code": county,
        "household": {
            "id_number": make_id_number(
                region_code=county, birth_date=date(1970, 1, 1), sequence=next(_sequence), female=False
            ),
            "name": "张伟",
            "size": 2,
            "categories": ["dibao"],
        },
        "need_type": "basic_living",
        "title": "冬季生活物资",
        "description": "家庭收入低，冬季需要棉被、米油等生活物资。",
        "requested_amount": "600.00",
        "needed_by": needed_by.isoformat(),
        "department": "civil_affairs",
    }
    [result] = needs_intake(source_system=source, records=[record], today=PUSHED_ON)
    return Need.objects.get(code=result.need_code)


@pytest.fixture
def published(source):
    with override_settings(K_ANONYMITY_K=1):
        return {
            "past": need_due(source, "PAST", DUE - timedelta(days=1)),
            "today": need_due(source, "TODAY", DUE),
            "future": need_due(source, "FUTURE", DUE + timedelta(days=30)),
        }


def statuses(needs: dict[str, Need]) -> dict[str, str]:
    return {name: Need.objects.get(pk=need.pk).status for name, need in needs.items()}


def test_a_need_past_its_date_expires_and_one_due_today_does_not(published):
    assert {need.status for need in published.values()} == {NeedStatus.PUBLISHED}

    with translation.override("en"):
        count = needs_expire(today=DUE)

    assert count == 1
    assert statuses(published) == {
        "past": NeedStatus.EXPIRED,
        "today": NeedStatus.PUBLISHED,
        "future": NeedStatus.PUBLISHED,
    }
    transition = NeedTransition.objects.get(need=published["past"], to_status=NeedStatus.EXPIRED)
    assert transition.from_status == NeedStatus.PUBLISHED
    assert transition.note == "Expired: the needed-by date has passed."
    assert transition.actor is None and transition.source_system is None


def test_a_need_waiting_for_its_cohort_expires_and_leaves_the_waiting_list(source):
    waiting = need_due(source, "WAIT", DUE - timedelta(days=1))  # k=5: alone, it waits
    assert (waiting.status, waiting.awaiting_cohort) == (NeedStatus.PENDING_REVIEW, True)

    assert needs_expire(today=DUE) == 1

    waiting.refresh_from_db()
    assert (waiting.status, waiting.awaiting_cohort, waiting.hold_reasons) == (NeedStatus.EXPIRED, False, [])
    assert waiting.transitions.filter(
        from_status=NeedStatus.PENDING_REVIEW, to_status=NeedStatus.EXPIRED
    ).exists()


def test_a_withdrawn_need_is_left_alone(source, published):
    withdrawn = need_withdraw(need=published["past"], source_system=source)
    transitions = NeedTransition.objects.count()

    assert needs_expire(today=DUE) == 0

    assert Need.objects.get(pk=withdrawn.pk).status == NeedStatus.WITHDRAWN
    assert NeedTransition.objects.count() == transitions


def test_running_twice_changes_nothing_the_second_time(published):
    assert needs_expire(today=DUE + timedelta(days=1)) == 2
    after_first = (statuses(published), NeedTransition.objects.count())

    assert needs_expire(today=DUE + timedelta(days=1)) == 0

    assert (statuses(published), NeedTransition.objects.count()) == after_first


def test_many_needs_expire_across_chunks(source, monkeypatch):
    monkeypatch.setattr("marketplace.needs.services.expiry.CHUNK_SIZE", 3)
    with override_settings(K_ANONYMITY_K=1):
        needs = {f"N{i}": need_due(source, f"N{i}", DUE - timedelta(days=1)) for i in range(7)}

    assert needs_expire(today=DUE) == 7

    assert set(statuses(needs).values()) == {NeedStatus.EXPIRED}
    assert NeedTransition.objects.filter(to_status=NeedStatus.EXPIRED).count() == 7


def test_the_task_uses_the_local_date_in_shanghai(published):
    # 00:30 in Shanghai is 16:30 UTC the day before: a UTC date would expire needs a day late.
    with time_machine.travel(datetime(2025, 6, 10, 0, 30, tzinfo=SHANGHAI), tick=False):
        assert expire_needs.apply().get() == 1  # only the one due on the 9th
    with time_machine.travel(datetime(2025, 6, 11, 0, 30, tzinfo=SHANGHAI), tick=False):
        assert expire_needs.apply().get() == 1  # now the one due on the 10th
        assert expire_needs.apply().get() == 0  # and again: nothing left
    assert statuses(published) == {
        "past": NeedStatus.EXPIRED,
        "today": NeedStatus.EXPIRED,
        "future": NeedStatus.PUBLISHED,
    }
    expired_at = NeedTransition.objects.get(need=published["today"], to_status=NeedStatus.EXPIRED).created_at
    assert expired_at.astimezone(SHANGHAI).date() == date(2025, 6, 11)


def test_the_task_runs_in_process_without_a_broker(published):
    with time_machine.travel(datetime(2025, 6, 20, 0, 10, tzinfo=SHANGHAI), tick=False):
        assert expire_needs.delay().get() == 2


def test_beat_runs_the_task_nightly():
    entry = settings.CELERY_BEAT_SCHEDULE["expire-needs"]
    assert entry["task"] == expire_needs.name == "needs.expire_needs"
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({0}, {10})
