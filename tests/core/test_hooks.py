"""core.hooks: how a lower app lets a higher one act without importing it."""

from __future__ import annotations

from core.hooks import Hook
from marketplace.claims.hooks import claim_made, claim_warnings
from marketplace.needs.hooks import need_page_panels, needs_received


def test_receivers_are_called_in_order_with_the_arguments_and_their_results_returned():
    hook = Hook("test.event")
    calls = []
    hook.connect(lambda **kwargs: calls.append(("first", kwargs)) or 1)
    hook.connect(lambda **kwargs: calls.append(("second", kwargs)) or 2)

    assert hook.call(need="N1") == [1, 2]
    assert calls == [("first", {"need": "N1"}), ("second", {"need": "N1"})]


def test_a_receiver_connected_twice_is_called_once():
    hook = Hook("test.event")
    calls = []

    def receiver(**kwargs):
        calls.append(kwargs)

    hook.connect(receiver)
    hook.connect(receiver)  # AppConfig.ready() may run more than once
    hook.call()
    assert calls == [{}]


def test_a_hook_without_receivers_does_nothing():
    assert Hook("test.event").call(need=None) == []


def test_the_apps_above_connect_what_the_marketplace_relies_on():
    """Delivery checks new needs and claims for duplicate aid and warns the claimant; claims puts
    its panel on the need's page. Without these connections a duplicate would go unseen."""
    from marketplace.claims.views import claim_panel
    from marketplace.delivery.services.chain import (
        check_duplicate_aid,
        check_duplicate_aid_of_intake,
        duplicate_aid_warning,
    )
    from marketplace.matching.statutory import statutory_panel

    assert list(needs_received) == [check_duplicate_aid_of_intake]
    assert list(claim_made) == [check_duplicate_aid]
    assert list(claim_warnings) == [duplicate_aid_warning]
    assert list(need_page_panels) == [claim_panel, statutory_panel]
