import pytest

from tests.cms.messages import ensure_compiled_messages


@pytest.fixture(scope="session", autouse=True)
def _compiled_messages():
    ensure_compiled_messages()
