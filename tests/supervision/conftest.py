import pytest
from django.core.cache import cache

from supervision.sms import _sender
from tests.factories.supervision import RecordingSender


@pytest.fixture(autouse=True)
def _recorded_sms(settings):
    """Text messages are recorded, not sent; the rate limits start from nothing."""
    settings.SMS_SENDER = "tests.factories.supervision.RecordingSender"
    _sender.cache_clear()
    RecordingSender.sent = []
    cache.clear()
    yield RecordingSender.sent
    _sender.cache_clear()
