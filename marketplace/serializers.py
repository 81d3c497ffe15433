"""What the public may see of a need: an allow-list, nothing else.

Every model field is classified in ``PUBLIC_FIELDS`` or ``PRIVATE_FIELDS``; a test fails when a
field is added to the model or the serializer without being classified.
"""

from __future__ import annotations

from rest_framework import serializers

from marketplace.models import Need
from marketplace.placement import SUPPRESSED_LEVEL

PUBLIC_FIELDS = frozenset(
    {
        "code", "title", "summary", "need_type", "categories", "department", "urgency", "needed_by",
        "amount_kind", "requested_amount", "unit", "target_amount", "statutory_coverage", "rule_version",
        "policy", "public_region", "age_band", "sex", "household_size_band", "published_at", "status",
    }
)  # fmt: skip
PRIVATE_FIELDS = frozenset(
    {
        "id", "source_system", "source_ref", "version", "record_digest", "household_token", "region",
        "generalization_level", "hold_reasons", "awaiting_cohort", "created_at", "updated_at",
        "pending_revision", "claimed_amount", "verified_amount",
    }
)  # fmt: skip
# Keys of the stored policy computation that the public page shows.
PUBLIC_POLICY_KEYS = (
    "rule_version", "source", "explanation", "total_costs", "statutory_coverage", "charity_gap",
    "inpatient_ratio", "deciding_category",
)  # fmt: skip


LOCAL_RULES_SOURCE = "鄂民政发〔2024〕21号及当地提标文件"
LOCAL_RULES_EXPLANATION = "按鄂民政发〔2024〕21号及当地标准计算法定医疗救助后，尚余 %(gap)s 元可由慈善帮扶。"


class PublicLocationSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class PublicNeedSerializer(serializers.ModelSerializer):
    need_type_label = serializers.CharField(source="get_need_type_display", read_only=True)
    urgency_label = serializers.CharField(source="get_urgency_display", read_only=True)
    location = PublicLocationSerializer(source="public_region", read_only=True)
    age_band = serializers.SerializerMethodField()
    sex = serializers.SerializerMethodField()
    household_size_band = serializers.SerializerMethodField()
    policy = serializers.SerializerMethodField()
    rule_version = serializers.SerializerMethodField()
    statutory_coverage = serializers.SerializerMethodField()
    requested_amount = serializers.SerializerMethodField()
    # The day only: to the microsecond, needs published together would show which came last.
    published_at = serializers.DateTimeField(format="%Y-%m-%d", read_only=True)

    class Meta:
        model = Need
        fields = [
            "code", "title", "summary", "need_type", "need_type_label", "categories", "department",
            "urgency", "urgency_label", "needed_by", "amount_kind", "requested_amount", "unit",
            "target_amount", "statutory_coverage", "rule_version", "policy", "location", "age_band",
            "sex", "household_size_band", "published_at", "status",
        ]  # fmt: skip
        read_only_fields = fields

    def _shown(self, need: Need, value: str) -> str:
        return "" if need.generalization_level >= SUPPRESSED_LEVEL else value

    def get_age_band(self, need: Need) -> str:
        return self._shown(need, need.age_band)

    def get_sex(self, need: Need) -> str:
        return self._shown(need, need.sex)

    def get_household_size_band(self, need: Need) -> str:
        return self._shown(need, need.household_size_band)

    def get_policy(self, need: Need) -> dict:
        return self._public_policy(need)

    def get_rule_version(self, need: Need) -> str:
        return self._public_policy(need).get("rule_version", "")

    def _public_policy(self, need: Need) -> dict:
        # Two fields read it: compute it once per row.
        cached = getattr(need, "_public_policy", None)
        if cached is None:
            cached = need._public_policy = public_policy(need)
        return cached

    def _hides_local_rules(self, need: Need) -> bool:
        return need.generalization_level > 0 and _county_rules_used(need)

    def get_statutory_coverage(self, need: Need) -> str | None:
        if need.statutory_coverage is None or self._hides_local_rules(need):
            return None
        return str(need.statutory_coverage)

    def get_requested_amount(self, need: Need) -> str | None:
        # For a medical need the request is the total cost: with the target it gives the coverage.
        return None if self._hides_local_rules(need) else str(need.requested_amount)


def public_policy(need: Need) -> dict:
    """The policy computation as the public sees it.

    A county's own override names the county in its citation; for a need published at city
    level that would undo the generalization, so the citation then speaks of local rules only.
    """
    policy = {key: need.policy[key] for key in PUBLIC_POLICY_KEYS if key in need.policy}
    if policy and need.generalization_level > 0 and _county_rules_used(need):
        # Not only the citation: the ratio, the coverage and the total (total − gap = coverage)
        # would each let someone who knows the county's rules pick the county out.
        rule_set = need.rule_version.split("+", 1)[0]
        policy = {
            "rule_version": f"{rule_set}+local",
            "source": LOCAL_RULES_SOURCE,
            "explanation": LOCAL_RULES_EXPLANATION % {"gap": policy.get("charity_gap", "")},
            "charity_gap": policy.get("charity_gap", ""),
        }
    return policy


def _county_rules_used(need: Need) -> bool:
    """Did a rule of the need's own county (override ids are ``<region>-<pk>``) shape the figure?"""
    return any(part.split("-", 1)[0] == need.region_id for part in need.rule_version.split("+")[1:])


class IntakeResultSerializer(serializers.Serializer):
    source_ref = serializers.CharField()
    status = serializers.ChoiceField(choices=["created", "updated", "unchanged", "held", "rejected"])
    need_code = serializers.CharField(allow_null=True)
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()), required=False)
    note = serializers.CharField(required=False)
