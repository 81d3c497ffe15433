"""Tracking by number and query code: the complainant sees status, due date, timeline and
reply; wrong pairs look exactly like unknown ones; lookups are rate-limited per address."""

from __future__ import annotations

import random
import re
from unittest import mock

import pytest
from django.urls import reverse

from supervision import selectors
from supervision.models import TicketStatus
from supervision.numbers import CODE_ALPHABET, new_query_code, new_ticket_number
from supervision.services import ticket_act
from tests.factories.accounts import UserFactory
from tests.factories.supervision import file_ticket

pytestmark = pytest.mark.django_db
TRACK = "/complaints/track/"


def _body(response) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


def test_the_complainant_sees_status_due_date_timeline_and_reply(client):
    handler = UserFactory(caseworker=True)
    submitted = file_ticket("help", urgent=True)
    ticket = submitted.ticket
    ticket_act(ticket=ticket, action="start", actor=handler)
    ticket_act(ticket=ticket, action="reply", actor=handler, reply="已为您申请临时救助 800 元。")
    page = client.post(TRACK, {"number": ticket.id, "code": submitted.code.lower()})
    text = page.content.decode()
    assert page.status_code == 200
    assert "已答复" in text or "Replied" in text
    assert "已为您申请临时救助 800 元。" in text
    assert 'name="rating"' in text
    # Rating: unsatisfied reopens the ticket.
    page = client.post(
        TRACK, {"number": ticket.id, "code": submitted.code, "rate": "1", "rating": "unsatisfied"}
    )
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.REOPENED


def test_a_wrong_code_answers_exactly_like_an_unknown_number(client):
    submitted = file_ticket()
    wrong = client.post(TRACK, {"number": submitted.ticket.id, "code": "ZZZZZZ"})
    unknown = client.post(TRACK, {"number": new_ticket_number(), "code": submitted.code})
    assert wrong.status_code == unknown.status_code == 200
    assert _body(wrong) == _body(unknown)
    assert [t.name for t in wrong.templates] == [t.name for t in unknown.templates]


def test_known_and_unknown_numbers_cost_the_same_digest_and_compare():
    submitted = file_ticket()
    with (
        mock.patch("supervision.selectors.code_digest", wraps=selectors.code_digest) as digest,
        mock.patch(
            "supervision.selectors.hmac.compare_digest", wraps=selectors.hmac.compare_digest
        ) as compare,
    ):
        assert selectors.ticket_by_number_and_code(number=submitted.ticket.id, code="AAAAAA") is None
        assert selectors.ticket_by_number_and_code(number=new_ticket_number(), code="AAAAAA") is None
    assert digest.call_count == 2 and compare.call_count == 2


def test_ten_thousand_random_pairs_find_nothing_and_are_rate_limited(client, settings):
    for _ in range(5):
        file_ticket()
    rng = random.Random(13)
    pairs = [
        (
            "".join(rng.choice("0123456789") for _ in range(14)),
            "".join(rng.choice(CODE_ALPHABET) for _ in range(6)),
        )
        for _ in range(10_000)
    ]
    assert all(selectors.ticket_by_number_and_code(number=n, code=c) is None for n, c in pairs)
    answered = throttled = 0
    for number, code in pairs:
        response = client.post(TRACK, {"number": number, "code": code}, REMOTE_ADDR="203.0.113.9")
        if response.status_code == 429:
            throttled += 1
        else:
            answered += 1
            assert "No ticket matches" in response.content.decode() or "没有找到" in response.content.decode()
    assert answered == settings.TICKET_TRACK_LIMIT
    assert throttled == 10_000 - settings.TICKET_TRACK_LIMIT
    # Another address is not held back by this one.
    assert (
        client.post(
            TRACK, {"number": pairs[0][0], "code": pairs[0][1]}, REMOTE_ADDR="198.51.100.7"
        ).status_code
        == 200
    )


def test_numbers_carry_a_check_digit_and_codes_avoid_look_alikes():
    from supervision.numbers import number_is_well_formed

    numbers = {new_ticket_number() for _ in range(1000)}
    assert len(numbers) == 1000 and all(number_is_well_formed(n) for n in numbers)
    broken = next(iter(numbers))
    assert not number_is_well_formed(broken[:-1] + str((int(broken[-1]) + 1) % 10))
    assert all(set(new_query_code()) <= set(CODE_ALPHABET) for _ in range(100))
    assert not set("01IO") & set(CODE_ALPHABET)


def test_the_urls_keep_their_names():
    assert reverse("complaint-new") == "/complaints/new/"
    assert reverse("complaint-track") == TRACK
