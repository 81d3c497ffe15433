from __future__ import annotations

from rest_framework import serializers

from regions.models import Region


class RegionSerializer(serializers.ModelSerializer):
    parent = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True, help_text="Code of the parent region; null for the province."
    )
    city_level = serializers.BooleanField(
        source="is_city_level",
        read_only=True,
        help_text="True for the 17 city-level units, the 4 directly administered units included.",
    )

    class Meta:
        model = Region
        fields = ["code", "name", "pinyin", "level", "parent", "directly_administered", "city_level"]
        read_only_fields = fields
