"""``core.phrases``: a sentence kept as its msgid and values survives JSON and is worded when read."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from django.utils import translation

from core.phrases import Amount, Moment, Phrase, parts_to_json, render_json
from marketplace.claims.models import CLAIM_STATUS_LABELS, ClaimStatus


def test_a_phrase_with_nested_values_reads_in_each_language_after_a_round_trip_through_json():
    stored = parts_to_json(
        [
            Phrase(
                "%(holder)s claimed %(amount)s of need %(code)s",
                holder=Phrase("Volunteer %(name)s", name="林**"),
                amount=Amount(Decimal("3"), kind="goods", unit="箱"),
                code="N7",
            ),
            "可送米油",
            Phrase(
                "The holder did not answer within %(hours)d hours. Reason given: %(reason)s",
                hours=72,
                reason="—",
            ),
        ]
    )
    with translation.override("en"):
        english = render_json(stored)
    with translation.override("zh-hans"):
        chinese = render_json(stored)
    assert english.splitlines()[0] == "Volunteer 林** claimed 3 boxes of need N7"
    assert english.splitlines()[1] == "可送米油"
    assert "72 hours" in english.splitlines()[2]
    assert "3 箱" in chinese.splitlines()[0] and "志愿者" in chinese.splitlines()[0]


def test_a_model_label_keeps_its_context_and_a_moment_its_readers_format():
    status = Phrase.of_label(CLAIM_STATUS_LABELS[ClaimStatus.ACTIVE], msgctxt="claim status")
    at = Moment(datetime(2026, 12, 3, 4, 5, tzinfo=UTC))
    [decoded_status, decoded_at] = parts_to_json([status, Phrase("Held until %(date)s", date=at)])
    with translation.override("en"):
        assert render_json([decoded_status]) == "Active"
    with translation.override("zh-hans"):
        assert render_json([decoded_status]) == str(CLAIM_STATUS_LABELS[ClaimStatus.ACTIVE])
        assert "2026" in render_json([decoded_at])
