"""The query code opens a ticket to whoever holds it: no log line ever carries it in clear.

The development SMS sender (``ConsoleSender``, the default) writes each message to the log: the
code in it is masked to its first two characters, the phone number to its ends. The
development e-mail backend (``consolemail://``, ``core.mail.ConsoleEmailBackend``) prints each
message: a complainant's carries its code and address masked the same way.
"""

from __future__ import annotations

import logging
import re

import pytest

from supervision.numbers import CODE_ALPHABET, mask_query_codes, new_query_code
from supervision.sms import _sender

pytestmark = pytest.mark.django_db


@pytest.fixture
def console_sms(settings):
    settings.SMS_SENDER = "supervision.sms.ConsoleSender"
    _sender.cache_clear()
    yield
    _sender.cache_clear()


def test_filing_with_a_phone_logs_the_text_message_with_its_code_masked(
    client, caplog, console_sms, django_capture_on_commit_callbacks
):
    caplog.set_level(logging.DEBUG)
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(
            "/complaints/new/",
            {
                "kind": "help",
                "region": "420111",
                "content": "家里老人突发重病，急需帮助。",
                "contact_phone": "13912345678",
                "contact_email": "li.na@example.org",
                "anonymous": "on",
            },
        )
    code = re.search(r"data-query-code>([A-Z0-9]{6})<", answer.content.decode()).group(1)
    lines = [record.getMessage() for record in caplog.records]
    sms = [line for line in lines if line.startswith("SMS to ")]
    assert sms, "the console sender wrote the text message to the log"
    assert f"{code[:2]}***" in sms[0] and "139****5678" in sms[0]
    for line in lines:
        assert code not in line and "13912345678" not in line and "li.na@example.org" not in line


def test_the_printed_e_mail_carries_the_code_and_the_address_masked(
    client, capsys, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "core.mail.ConsoleEmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(
            "/complaints/new/",
            {
                "kind": "complaint",
                "region": "420111",
                "content": "低保评议不公开。",
                "contact_email": "li.na@example.org",
            },
        )
    code = re.search(r"data-query-code>([A-Z0-9]{6})<", answer.content.decode()).group(1)
    printed = capsys.readouterr().out
    assert "查询码" in printed and f"{code[:2]}***" in printed and "l***@example.org" in printed
    assert code not in printed and "li.na@example.org" not in printed


def test_every_code_is_masked_wherever_it_stands_in_a_text():
    for _ in range(200):
        code = new_query_code()
        for text in (f"查询码：{code}。", f"Query code: {code}.", f"{code}", f"（{code}）"):
            masked = mask_query_codes(text)
            assert code not in masked and f"{code[:2]}***" in masked


def test_ticket_numbers_and_ordinary_words_are_left_as_they_are():
    text = "工单 42011100000012 的网址 https://example.org/complaints/track/ 已受理 ABCDEFG"
    assert mask_query_codes(text) == text
    assert set(CODE_ALPHABET).isdisjoint("01IO")
