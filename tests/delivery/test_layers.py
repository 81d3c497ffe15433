"""What the claims app knows of delivery without importing it (it sits below delivery)."""

from marketplace.claims.services.claims import DELIVERED
from marketplace.delivery.models import DeliveryStatus


def test_the_claims_idea_of_a_delivered_claim_matches_the_delivery_statuses():
    """A claim with a delivery reported or verified gave aid and is never released; a disputed
    delivery did not. If delivery renames or adds a status, this says where claims must follow."""
    assert set(DELIVERED) == {DeliveryStatus.REPORTED, DeliveryStatus.VERIFIED}
    assert set(DeliveryStatus.values) - set(DELIVERED) == {DeliveryStatus.DISPUTED}
