"""Needs left waiting (久未认领): no need is forgotten (seed 三(一), 三(四)).

Every day, ``waiting_needs_alert`` finds the published needs that have had no claim for longer
than ``MATCHING_WAITING_DAYS`` for their urgency, and for each one tells the need's caseworkers
and the pushing department's handlers, and writes a ``long_waiting`` feedback event for the
monitoring platform. A need is alerted once per period: period ``n`` is the ``n``-th time its
threshold has passed (a 30-day need at 30, 60, 90… days); the unique row ``WaitingAlert(need,
period)`` makes a second run of the same day, or two workers at once, alert no one twice.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_noop

from accounts.notifications import notify
from accounts.selectors import caseworkers_for, department_handlers_for
from core.phrases import Phrase
from marketplace.matching.models import WaitingAlert
from marketplace.needs.selectors import needs_waiting_unclaimed
from marketplace.needs.services.feedback import feedback_emit


def threshold_days(urgency: str) -> int:
    return max(int(settings.MATCHING_WAITING_DAYS.get(urgency, settings.MATCHING_WAITING_DAYS["normal"])), 1)


def waiting_needs_alert(*, now=None) -> int:
    """Alert each need waiting past its threshold, once per period; return how many were alerted."""
    now = now or timezone.now()
    shortest = min(threshold_days(code) for code in settings.MATCHING_WAITING_DAYS)
    alerted = 0
    candidates = needs_waiting_unclaimed(published_before=now - timedelta(days=shortest)).order_by("pk")
    for need in candidates.iterator(chunk_size=500):
        days = (now - need.published_at).days
        threshold = threshold_days(need.urgency)
        if days < threshold:
            continue
        period = days // threshold
        try:
            with transaction.atomic():
                WaitingAlert.objects.create(need=need, period=period, days_waiting=days)
                _alert(need, days)
        except IntegrityError:
            continue  # alerted already in this period
        alerted += 1
    return alerted


def _alert(need, days: int) -> None:
    subject = Phrase(
        gettext_noop("Need %(code)s has waited %(days)s days without a claim"), code=need.code, days=days
    )
    body = Phrase(
        gettext_noop(
            "No organization or volunteer has claimed it. Look for a fitting offer or an allocation "
            "proposal, or take it up as statutory or temporary assistance."
        )
    )
    url = reverse("needs:detail", args=[need.code])
    notify(users=caseworkers_for(need.region_id), subject=subject, body=body, url=url)
    notify(
        users=department_handlers_for(need.region_id, need.department), subject=subject, body=body, url=url
    )
    feedback_emit(
        need=need,
        kind="long_waiting",
        payload={
            "days_waiting": days,
            "urgency": need.urgency,
            "remaining_amount": str(need.remaining_amount),
        },
    )
