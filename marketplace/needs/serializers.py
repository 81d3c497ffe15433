"""What the public may see of a need: an allow-list, nothing else.

Every model field is classified in ``PUBLIC_FIELDS`` or ``PRIVATE_FIELDS``; a test fails when a
field is added to the model or the serializer without being classified.

One shape, two ways to build it. ``PublicNeedSerializer`` declares the shape (the OpenAPI schema
is generated from its fields, and its field machinery is the reference a test compares with);
every row the public sees is built by ``public_need_dicts`` from plain column values, which is
what lets the list read 20 rows as tuples instead of model instances (DRF's fields cost ~0.3 ms
per row). The serializer's own ``to_representation`` goes through it too, so the list, the
detail and the pages cannot drift apart. The texts are shown tidied (``privacy.readable``), and a
title that is mostly redaction marks is composed from the row's published fields
(``composed_title``), here, so every surface shows the same.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from functools import lru_cache

from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.formatting import format_number
from marketplace.needs.filters import region_index
from marketplace.needs.models import Need
from marketplace.needs.placement import CATEGORIES, PLACE, node_from_string, shown_values
from marketplace.needs.policy import breakdown, citation, explain
from privacy.readable import mostly_redacted, tidy

PUBLIC_FIELDS = frozenset(
    {
        "code", "title", "summary", "need_type", "categories", "department", "urgency", "needed_by",
        "amount_kind", "requested_amount", "unit", "target_amount", "claimed_amount",
        "statutory_coverage", "rule_version", "policy", "public_region", "age_band", "sex",
        "household_size_band", "published_at", "status",
    }
)  # fmt: skip
PRIVATE_FIELDS = frozenset(
    {
        "id", "source_system", "source_ref", "version", "record_digest", "household_token", "region",
        "generalization", "public_categories", "hold_reasons", "awaiting_cohort", "created_at", "updated_at",
        "pending_revision", "verified_amount", "cohort_key", "cohort_wide_key", "public_class",
        "public_city", "statutory_exhausted",
    }
)  # fmt: skip
# Keys of the stored policy computation that the public page shows.
PUBLIC_POLICY_KEYS = (
    "rule_version", "source", "explanation", "total_costs", "statutory_coverage", "charity_gap",
    "inpatient_ratio", "deciding_category",
)  # fmt: skip
# The columns a public row is built from, in this order: public fields, then the two private
# ones that decide how much of them is shown (the generalization and the county: never output).
ROW_COLUMNS = (
    "code", "title", "summary", "need_type", "categories", "department", "urgency", "needed_by",
    "amount_kind", "requested_amount", "unit", "target_amount", "claimed_amount", "statutory_coverage",
    "rule_version", "policy", "public_region_id", "age_band", "sex", "household_size_band",
    "published_at", "status", "generalization", "region_id",
)  # fmt: skip
CENT = Decimal("0.01")


LOCAL_RULES_SOURCE = "鄂民政发〔2024〕21号及当地提标文件"
LOCAL_RULES_EXPLANATION = _(
    "Under 鄂民政发〔2024〕21号 and the local rules, %(gap)s yuan is left for charity after "
    "statutory medical assistance."
)
CATEGORY_HIDDEN_EXPLANATION = _(
    "Under 鄂民政发〔2024〕21号, %(gap)s yuan is left for charity after statutory medical assistance."
)


class PublicLocationSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


@extend_schema_field(OpenApiTypes.DATE)
class PublishedDayField(serializers.DateTimeField):
    """A moment shown as its day in the portal's time zone: ``"2026-12-03"``, a ``date``.

    To the microsecond, needs published together would show which came last."""

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class PublicNeedSerializer(serializers.ModelSerializer):
    """The public shape of a need. Its fields document it (and are the tests' reference);
    ``to_representation`` builds it with ``public_need_dicts``."""

    need_type_label = serializers.CharField(source="get_need_type_display", read_only=True)
    urgency_label = serializers.CharField(source="get_urgency_display", read_only=True)
    remaining_amount = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        read_only=True,
        label=_("Remaining gap"),
        help_text=_("What charities have not yet taken on: the charity target less the claimed amount."),
    )
    location = PublicLocationSerializer(source="public_region", read_only=True)
    categories = serializers.SerializerMethodField()
    department = serializers.SerializerMethodField()
    age_band = serializers.SerializerMethodField()
    sex = serializers.SerializerMethodField()
    household_size_band = serializers.SerializerMethodField()
    policy = serializers.SerializerMethodField()
    rule_version = serializers.SerializerMethodField()
    statutory_coverage = serializers.SerializerMethodField()
    requested_amount = serializers.SerializerMethodField()
    published_at = PublishedDayField(read_only=True)

    class Meta:
        model = Need
        fields = [
            "code", "title", "summary", "need_type", "need_type_label", "categories", "department",
            "urgency", "urgency_label", "needed_by", "amount_kind", "requested_amount", "unit",
            "target_amount", "claimed_amount", "remaining_amount", "statutory_coverage", "rule_version",
            "policy", "location", "age_band", "sex", "household_size_band", "published_at", "status",
        ]  # fmt: skip
        read_only_fields = fields

    def to_representation(self, instance: Need) -> dict:
        return public_need_dicts([tuple(getattr(instance, column) for column in ROW_COLUMNS)])[0]

    def _shown(self, need: Need) -> dict:
        return public_shown(need)

    def get_age_band(self, need: Need) -> str:
        return self._shown(need)["age_band"]

    def get_sex(self, need: Need) -> str:
        return self._shown(need)["sex"]

    def get_household_size_band(self, need: Need) -> str:
        return self._shown(need)["household_size_band"]

    def get_categories(self, need: Need) -> list[str]:
        return self._shown(need)["categories"]

    def get_department(self, need: Need) -> str:
        return self._shown(need)["department"]

    def get_policy(self, need: Need) -> dict:
        return public_policy(need)

    def get_rule_version(self, need: Need) -> str:
        return public_policy(need).get("rule_version", "")

    def get_statutory_coverage(self, need: Need) -> str | None:
        if need.statutory_coverage is None or _hides_figures(need):
            return None
        return str(need.statutory_coverage)

    def get_requested_amount(self, need: Need) -> str | None:
        # For a medical need the request is the total cost: with the target it gives the coverage.
        return None if _hides_figures(need) else str(need.requested_amount)


def public_need_dicts(rows: Iterable[Sequence]) -> list[dict]:
    """The public shape (``PublicNeedSerializer``) of each row of ``ROW_COLUMNS`` values.

    E.g. ``public_need_dicts(queryset.values_list(*ROW_COLUMNS))``. Labels are the active
    language's, from dicts built once per language.
    """
    need_types, urgencies = _choice_labels(translation.get_language())
    names = region_index().names
    zone = timezone.get_current_timezone()
    shown = []
    for (
        code, title, summary, need_type, categories, department, urgency, needed_by, amount_kind,
        requested, unit, target, claimed, coverage, rule_version, policy, public_region, age_band, sex,
        household_size, published_at, status, generalization, region,
    ) in rows:  # fmt: skip
        node = node_from_string(generalization)
        hides = _hides(node, rule_version, region)
        citation = _public_policy(policy, hides=hides, rule_version=rule_version)
        hidden = any(hides)
        shown_of = shown_values(
            node,
            age_band=age_band,
            sex=sex,
            size_band=household_size,
            categories=categories,
            department=department,
        )
        shown.append(
            {
                "code": code,
                "title": tidy(title),
                "summary": tidy(summary),
                "need_type": need_type,
                "need_type_label": need_types.get(need_type, need_type),
                "categories": shown_of["categories"],
                "department": shown_of["department"],
                "urgency": urgency,
                "urgency_label": urgencies.get(urgency, urgency),
                "needed_by": needed_by.isoformat() if needed_by else None,
                "amount_kind": amount_kind,
                "requested_amount": None if hidden else str(requested),
                "unit": unit,
                "target_amount": _decimal(target),
                "claimed_amount": _decimal(claimed),
                "remaining_amount": _decimal(target - claimed),
                "statutory_coverage": None if coverage is None or hidden else str(coverage),
                "rule_version": citation.get("rule_version", ""),
                "policy": citation,
                "location": {"code": public_region, "name": names[public_region]},
                "age_band": shown_of["age_band"],
                "sex": shown_of["sex"],
                "household_size_band": shown_of["household_size_band"],
                "published_at": published_at.astimezone(zone).strftime("%Y-%m-%d") if published_at else None,
                "status": status,
            }
        )
        if mostly_redacted(shown[-1]["title"]):
            shown[-1]["title"] = composed_title(shown[-1])
    return shown


def composed_title(shown: dict) -> str:
    """The title of a need whose own title is mostly redaction marks (``mostly_redacted``):
    its published place, type, age band and household size as ``shown`` (the public shape)
    holds them, so it follows whatever generalization the need is published at
    (武汉市 · 医疗 · 60-69岁 · 3-4人家庭; the place and type alone when the rest is withheld)."""
    size = shown["household_size_band"]
    parts = (
        shown["location"]["name"],
        shown["need_type_label"],
        shown["age_band"],
        gettext("%(size)s household") % {"size": size} if size else "",
    )
    return " · ".join(part for part in parts if part)


def public_title(need: Need) -> str:
    """The title the public reads of ``need`` at its current placement, as ``public_need_dicts``
    builds it: tidied, or composed from its published fields when mostly redaction marks. For
    the staff's lists and pages, so they show what the public sees, not the stored draft."""
    title = tidy(need.title)
    if not mostly_redacted(title):
        return title
    shown = public_shown(need)
    need_types, _urgencies = _choice_labels(translation.get_language())
    return composed_title(
        {
            "location": {"name": region_index().names[need.public_region_id]},
            "need_type_label": need_types.get(need.need_type, need.need_type),
            "age_band": shown["age_band"],
            "household_size_band": shown["household_size_band"],
        }
    )


def public_shown(need: Need) -> dict:
    """The need's age, sex, household size, categories and department as the public sees them."""
    return shown_values(
        node_from_string(need.generalization),
        age_band=need.age_band,
        sex=need.sex,
        size_band=need.household_size_band,
        categories=need.categories,
        department=need.department,
    )


def public_policy(need: Need) -> dict:
    """The policy computation as the public sees it.

    A county's own override names the county in its citation; for a need published at city
    level that would undo the generalization, so the citation then speaks of local rules only.
    For a need whose categories are shown as 低收入家庭, the deciding category, the ratio it
    sets and the figures that give it away (coverage, total) are not shown either.
    """
    return _public_policy(
        need.policy,
        hides=_hides(node_from_string(need.generalization), need.rule_version, need.region_id),
        rule_version=need.rule_version,
    )


def _public_policy(stored: dict, *, hides: tuple[bool, bool], rule_version: str) -> dict:
    policy = {key: stored[key] for key in PUBLIC_POLICY_KEYS if key in stored}
    if policy and "explanation" in stored:
        # Read back in the active language from the stored figures (stored: Chinese).
        policy["explanation"] = explain(stored)
    hides_local, hides_category = hides
    if policy and (hides_local or hides_category):
        # Not only the citation: the ratio, the coverage and the total (total − gap = coverage)
        # would each let someone who knows the county's rules, or the categories' ratios, pick
        # the county or the category out.
        gap = {"gap": format_number(policy.get("charity_gap", ""))}
        if hides_local:
            rule_set = rule_version.split("+", 1)[0]
            policy = {
                "rule_version": f"{rule_set}+local",
                "source": LOCAL_RULES_SOURCE,
                "explanation": str(LOCAL_RULES_EXPLANATION) % gap,
                "charity_gap": policy.get("charity_gap", ""),
            }
        else:
            policy = {
                "rule_version": policy.get("rule_version", rule_version),
                "source": policy.get("source", ""),
                "explanation": str(CATEGORY_HIDDEN_EXPLANATION) % gap,
                "charity_gap": policy.get("charity_gap", ""),
            }
    return policy


def public_medical_figures(need: Need) -> dict:
    """What a need's page shows of its medical computation beyond the public dict: the lines of
    costs whose estimated statutory shares add up to the coverage (``policy.breakdown``) and the
    documents by name (``policy.citation``), in the active language. Where the figures are hidden
    (``public_policy``: the county's own rules, or categories shown as 低收入家庭), no lines, and
    the province's document (with "local rules" where the county's shaped them)."""
    if not need.policy:
        return {"lines": [], "citation": ""}
    hides_local, hides_category = _hides(
        node_from_string(need.generalization), need.rule_version, need.region_id
    )
    if hides_local or hides_category:
        rule_set_id = need.rule_version.split("+", 1)[0]
        return {"lines": [], "citation": citation({"rule_set_id": rule_set_id}, local_rules=hides_local)}
    return {"lines": breakdown(need.policy), "citation": citation(need.policy)}


def _hides(node: tuple[int, ...], rule_version: str, region_id: str) -> tuple[bool, bool]:
    """Whether the policy figures are hidden: (shaped by the county's own rules while published
    above it, shaped by categories shown as 低收入家庭). ``rule_version`` is empty when no rule
    shaped them (the target is the requested amount)."""
    return (
        node[PLACE] > 0 and _county_rules_used(rule_version, region_id),
        node[CATEGORIES] > 0 and bool(rule_version),
    )


def _hides_figures(need: Need) -> bool:
    """Published above its county, or with its categories generalized, with figures they shape."""
    return any(_hides(node_from_string(need.generalization), need.rule_version, need.region_id))


def _county_rules_used(rule_version: str, region_id: str) -> bool:
    """Did a rule of the need's own county (override ids are ``<region>-<pk>``) shape the figure?"""
    return any(part.split("-", 1)[0] == region_id for part in rule_version.split("+")[1:])


def _decimal(value: Decimal) -> str:
    """As DRF's ``DecimalField(decimal_places=2)`` writes it: two places, never an exponent."""
    return f"{value.quantize(CENT):f}"


@lru_cache(maxsize=8)
def _choice_labels(language: str | None) -> tuple[dict[str, str], dict[str, str]]:
    """Need type and urgency labels in ``language`` (the active one: the argument keys the cache)."""
    return (
        {value: str(label) for value, label in Need._meta.get_field("need_type").flatchoices},
        {value: str(label) for value, label in Need._meta.get_field("urgency").flatchoices},
    )


class IntakeResultSerializer(serializers.Serializer):
    source_ref = serializers.CharField()
    status = serializers.ChoiceField(choices=["created", "updated", "unchanged", "held", "rejected"])
    need_code = serializers.CharField(allow_null=True)
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()), required=False)
    note = serializers.CharField(required=False)
