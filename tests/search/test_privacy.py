"""Property: identity pushed through intake never reaches the search index.

The hold-out style records of the intake privacy test (``tests/needs/test_gate.py``: a
household's identity written into every free-text field in all its forms, mixed with other
identifiers) go through the intake API; the index is then filled the way production fills it
(the hooks, after commit). No identity value may be in any indexed row (every column, the
segmented words included), in any Elasticsearch document built from the same documents, or in
any mapping; and only the needs the public list shows are indexed.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from marketplace.needs.models import Need, NeedStatus
from search.backends import _backend
from search.backends.elasticsearch import document_types, mapping
from search.documents import documents
from search.models import SearchEntry
from tests.needs.test_gate import _leaks, records

RECORDS = 25


def _index_dump() -> str:
    return "\n".join(repr(row) for row in SearchEntry.objects.values_list())


@pytest.mark.django_db
@settings(
    max_examples=4,
    deadline=None,
    derandomize=True,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)
@given(batch=st.lists(records(), min_size=RECORDS, max_size=RECORDS))
def test_no_identity_value_is_in_any_indexed_document_or_mapping(
    client, source, settings, django_capture_on_commit_callbacks, batch
):
    settings.SEARCH_BACKEND = "database"
    _backend.cache_clear()
    settings.K_ANONYMITY_K = 1  # everything the gate lets through is published
    SearchEntry.objects.all().delete()
    Need.objects.all().delete()
    secrets: set[str] = set()
    body = []
    for number, (record, record_secrets) in enumerate(batch):
        body.append({**record, "source_ref": f"S-{number}"})
        secrets |= record_secrets
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/v1/intake/needs/",
            {"records": body},
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Api-Key {source.api_key}",
        )
    assert response.status_code == 200

    public = set(Need.objects.filter(status=NeedStatus.PUBLISHED).values_list("code", flat=True))
    indexed = set(SearchEntry.objects.filter(kind="need").values_list("key", flat=True))
    assert indexed == public, "exactly the published needs are indexed (held ones are not)"
    assert not _leaks(_index_dump(), secrets)

    need_document = document_types("cjk")["need"]
    built = [need_document(**document).to_dict() for document in documents("need")]
    assert len(built) == len(public)
    assert not _leaks(json.dumps(built, ensure_ascii=False), secrets)
    for kind in ("need", "notice", "organization"):
        for analyzer in ("cjk", "smartcn", "ik"):
            assert not _leaks(json.dumps(mapping(kind, analyzer), ensure_ascii=False), secrets)


@pytest.fixture
def source(db):
    from tests.factories.needs import SourceSystemFactory

    return SourceSystemFactory(name="武汉市民政救助系统", department="civil_affairs", region_code="420100")
