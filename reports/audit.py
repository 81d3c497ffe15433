"""The privacy audit section (隐私审计, PIPL art. 73): what an auditor needs to check that what
the portal publishes is anonymous. Aggregates only, each a SQL count, and small counts suppressed.

* class sizes of the published needs (their k-anonymity classes): the smallest, and how many
  classes and needs sit at each size band;
* needs held for review now, by reason (codes in ``Need.hold_reasons``), and those waiting for
  similar needs;
* needs published at city level although their household lives in a county below it;
* redactions by kind: not recorded per need yet (the gate counts them, intake does not keep
  them): shown as a source not connected;
* approvals that overrode a residual-risk warning: the warning shown at approval is not kept;
  the section shows the caseworkers' approvals of held needs in the period, an upper bound;
* reads of sensitive data (``privacy.SensitiveRead``) in the period by the reader's role and region;
* changes to the rules that decide aid (``needs.PolicyOverride`` in the change log), by action.

Suppression: a count of people or needs from 1 to ``SUPPRESS_BELOW − 1`` is shown as "<5", with
the complements ``core.suppression`` (the complaint statistics' rule) hides so that no hidden
count follows from the published ones and the total.
Counts of classes (not of people) and the minimum class size are published as they are: the
point of the audit is to show a class below k if there ever is one.
"""

from __future__ import annotations

from collections.abc import Mapping

from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q
from django.utils.translation import gettext as _

from accounts.roles import Role
from core.suppression import DEFAULT_THRESHOLD, suppress
from marketplace.needs.selectors import (
    held_need_facts,
    need_review_facts,
    published_class_size_distribution,
    published_need_placement_facts,
)
from privacy.models import SensitiveKind, SensitiveRead
from regions.models import code_prefix
from reports.kpis import share
from reports.periods import Period, Scope, scope_children

SUPPRESS_BELOW = DEFAULT_THRESHOLD
SIZE_BANDS = ((1, 4), (5, 5), (6, 9), (10, 19), (20, None))
HOLD_CODES = ("residual_risk", "thin_class")
RULE_MODELS = (("needs", "policyoverride"),)


def suppress_counts(counts: Mapping[str, int], threshold: int = SUPPRESS_BELOW) -> dict[str, int | None]:
    """``counts`` (one column of a table whose total is published) as ``core.suppression``
    publishes them: 1 to ``threshold − 1`` hidden (None), 0 shown, and enough other entries
    hidden that no hidden one follows from the others and the total."""
    if not counts:
        return {}
    table = suppress({(key, "n"): value or 0 for key, value in counts.items()}, threshold, cols=["n"])
    return {key: table.cell(key, "n") for key in counts}


def suppress_total(value: int, threshold: int = SUPPRESS_BELOW) -> int | None:
    return None if 0 < (value or 0) < threshold else (value or 0)


def _class_sizes(prefix: str) -> dict:
    distribution = published_class_size_distribution(region_prefix=prefix)
    classes = sum(count for _size, count in distribution)
    needs = sum(size * count for size, count in distribution)
    bands = []
    for low, high in SIZE_BANDS:
        inside = [
            (size, count) for size, count in distribution if size >= low and (high is None or size <= high)
        ]
        band_classes = sum(count for _size, count in inside)
        band_needs = sum(size * count for size, count in inside)
        bands.append(
            {
                "label": f"{low}–{high}" if high and high != low else (str(low) if high else f"≥{low}"),
                "classes": band_classes,
                "class_share": _share(band_classes, classes),
                "needs": band_needs,
                "need_share": _share(band_needs, needs),
                "below_k": high is not None and high < SUPPRESS_BELOW,
            }
        )
    return {
        "minimum": distribution[0][0] if distribution else None,
        "classes": classes,
        "needs": suppress_total(needs),
        "bands": bands,
    }


def _share(part: int, whole: int) -> str | None:
    value = share(part, whole)
    return None if value is None else str(value)


def _held(prefix: str) -> dict:
    facts = held_need_facts(region_prefix=prefix)
    aggregates = {code: Count("id", filter=Q(hold_reasons__icontains=f'"{code}"')) for code in HOLD_CODES}
    counts = facts.aggregate(
        total=Count("id"), awaiting_cohort=Count("id", filter=Q(awaiting_cohort=True)), **aggregates
    )
    by_reason = suppress_counts({code: counts[code] for code in HOLD_CODES})
    return {
        "total": suppress_total(counts["total"]),
        "awaiting_cohort": suppress_total(counts["awaiting_cohort"]),
        "by_reason": [
            {"code": code, "label": hold_labels()[code], "count": by_reason[code]} for code in HOLD_CODES
        ],
    }


def hold_labels() -> dict[str, str]:
    return {
        "residual_risk": _("The text may still identify someone"),
        "thin_class": _("Too few similar needs to publish anonymously"),
    }


def _placement(prefix: str) -> dict:
    counts = published_need_placement_facts(region_prefix=prefix).aggregate(
        published=Count("id"), at_city=Count("id", filter=Q(published_above_county=True))
    )
    return {
        "published": suppress_total(counts["published"]),
        "at_city": suppress_total(counts["at_city"]),
    }


def _approvals(prefix: str, period: Period) -> int | None:
    start, end = period.bounds()
    facts = need_review_facts(region_prefix=prefix, start=start, end=end)
    return suppress_total(facts.filter(to_status="published").count())


def _reads(scope: Scope, period: Period) -> dict:
    start, end = period.bounds()
    reads = SensitiveRead.objects.filter(at__gte=start, at__lt=end)
    if scope.prefix != scope.code[:2]:
        reads = reads.filter(user__region__code__startswith=scope.prefix)
    roles = [role for role in Role if role in (Role.CASEWORKER, Role.DEPARTMENT_HANDLER, Role.SUPERVISOR,
                                               Role.HOTLINE_OPERATOR, Role.ADMINISTRATOR, Role.CHARITY_ADMIN,
                                               Role.CHARITY_MEMBER, Role.VOLUNTEER)]  # fmt: skip
    # distinct: the role filters join the reader's groups, and a reader is often in several
    # (a supervisor is also put in the notice sections' approver groups), one row per group.
    by_role = reads.aggregate(
        total=Count("id", distinct=True),
        **{role.value: Count("id", filter=Q(user__groups__name=role.value), distinct=True) for role in roles},
    )
    children = scope_children(scope)
    by_region = (
        reads.aggregate(
            **{
                code: Count("id", filter=Q(user__region__code__startswith=code_prefix(code)))
                for code, _name in children
            }
        )
        if children
        else {}
    )
    by_kind = reads.aggregate(
        **{kind.value: Count("id", filter=Q(kind=kind.value)) for kind in SensitiveKind}
    )
    role_counts = suppress_counts({role.value: by_role[role.value] for role in roles})
    region_counts = suppress_counts(by_region)
    kind_counts = suppress_counts(by_kind)
    return {
        "total": suppress_total(by_role["total"]),
        "by_role": [{"label": str(role.label), "count": role_counts[role.value]} for role in roles],
        "by_region": [{"label": name, "count": region_counts[code]} for code, name in children],
        "by_kind": [{"label": str(kind.label), "count": kind_counts[kind.value]} for kind in SensitiveKind],
    }


def _rule_changes(period: Period) -> list[dict]:
    start, end = period.bounds()
    types = [ContentType.objects.get_by_natural_key(app, model) for app, model in RULE_MODELS]
    entries = LogEntry.objects.filter(content_type__in=types, timestamp__gte=start, timestamp__lt=end)
    counts = entries.aggregate(
        created=Count("id", filter=Q(action=LogEntry.Action.CREATE)),
        updated=Count("id", filter=Q(action=LogEntry.Action.UPDATE)),
        deleted=Count("id", filter=Q(action=LogEntry.Action.DELETE)),
    )
    return [
        {"label": _("Rules added"), "count": counts["created"]},
        {"label": _("Rules changed"), "count": counts["updated"]},
        {"label": _("Rules deleted"), "count": counts["deleted"]},
    ]


def privacy_audit(scope: Scope, period: Period) -> dict:
    """The section's data for ``scope`` (now, for what is published and held) and ``period``
    (for approvals, reads and rule changes). Rule changes are the province's: rules are not
    scoped by region in the change log."""
    return {
        "class_sizes": _class_sizes(scope.prefix),
        "held": _held(scope.prefix),
        "placement": _placement(scope.prefix),
        "redactions": {"landed": False},
        "approvals": _approvals(scope.prefix, period),
        "reads": _reads(scope, period),
        "rule_changes": _rule_changes(period),
        "suppress_below": SUPPRESS_BELOW,
    }
