"""A model serializer's fields are built once per class, and every answer is the same as before.

``core.serializers.FieldsBuiltOnce`` keeps what DRF would build from the model for each answer
(the claim's answer is built on every claim); the holder must still read the same document,
with the values of its own claim, in the language of its own request.
"""

from __future__ import annotations

import pytest
from django.utils import translation
from rest_framework import serializers

from marketplace.claims.api import ClaimSerializer, PublicClaimSerializer
from tests.factories.claims import ClaimFactory

pytestmark = pytest.mark.django_db


class BuiltEachTime(ClaimSerializer):
    """``ClaimSerializer`` with its fields built by DRF alone, for every instance."""

    def get_fields(self):
        return serializers.ModelSerializer.get_fields(self)


def test_every_answer_equals_the_one_drf_builds_and_carries_its_own_claim():
    first, second = ClaimFactory(amount="120.00"), ClaimFactory(amount="80.50")
    answers = [ClaimSerializer(claim).data for claim in (first, second, first)]
    assert answers[0] == BuiltEachTime(first).data
    assert answers[1] == BuiltEachTime(second).data
    assert answers[2] == answers[0]
    assert (answers[0]["id"], answers[0]["amount"]) == (first.pk, "120.00")
    assert (answers[1]["id"], answers[1]["amount"]) == (second.pk, "80.50")


def test_fields_are_built_once_per_class_and_each_answer_has_its_own():
    claim = ClaimFactory()
    one, two = ClaimSerializer(claim), ClaimSerializer(claim)
    assert one.fields["amount"] is not two.fields["amount"]
    assert one.fields["amount"].parent is one and two.fields["amount"].parent is two
    assert "_fields_built" in ClaimSerializer.__dict__
    # Another class keeps its own fields, not its neighbour's.
    assert set(PublicClaimSerializer(claim).data) == {"holder", "amount", "date", "status", "status_label"}


def test_labels_follow_the_language_of_each_request():
    claim = ClaimFactory()
    with translation.override("zh-hans"):
        chinese = ClaimSerializer(claim).data["status_label"]
    with translation.override("en"):
        english = ClaimSerializer(claim).data["status_label"]
    assert chinese == "认领中"
    assert english != chinese
