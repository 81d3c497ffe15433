import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _empty_cache():
    """The region API is cached per URL: start every test with a cold cache."""
    cache.clear()
    yield
    cache.clear()
