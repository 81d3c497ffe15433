"""The OpenAPI schema at /api/schema/ describes the API that answers (issue 11 item 19).

Schemathesis reads the schema from the application itself (its pytest integration, over WSGI,
no server) and sends every operation requests generated from it, as each kind of caller: an
anonymous one (every operation), an organization member's token, a volunteer's token and a
caseworker's token (the operations that read a personal token), and a source system's API key
(the operations that read one). The API has no staff operations: the caseworker's token shows
that staff are no more than any other token holder there. Every check runs: no server error;
status codes, content types, headers and bodies as the schema documents them; schema-valid
requests accepted and schema-violating ones refused; an operation that requires credentials
refusing the same request without them and with invalid ones.

Deterministic for CI: a fixed seed (derandomized) and a bounded number of examples per
operation. A failure names the caller and the operation
(``test_member[POST /api/v1/claims/{id}/withdraw/]``) and prints the request as a curl command,
the answer and the check that failed.
"""

from __future__ import annotations

from contextlib import contextmanager

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, settings

from accounts.roles import Role
from accounts.tokens import api_token_create
from marketplace.claims.services.transfers import transfer_request
from marketplace.needs.filters import region_index
from marketplace.organizations.models import MembershipRole
from tests.factories.accounts import UserFactory
from tests.factories.claims import ClaimFactory
from tests.factories.delivery import png_bytes
from tests.factories.matching import OfferFactory
from tests.factories.needs import NeedFactory, SourceSystemFactory
from tests.factories.organizations import MembershipFactory, OrganizationFactory, VolunteerFactory

# The tests ask for the world at run time (Schemathesis resolves their fixtures then): the mark
# tells pytest-django up front that they use the database, so they run with the other database
# tests, before any transactional test flushes the region tree the migrations loaded.
pytestmark = pytest.mark.django_db

EXAMPLES = settings(
    max_examples=8,
    derandomize=True,
    deadline=None,
    # The world is built once per test, not per example; the examples are small on purpose.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@contextmanager
def _connections_kept():
    """Requests do not close the database connection when they start and end, as in Django's
    own test client: the test's transaction (and the test database) stays open under them."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    try:
        yield
    finally:
        for signal in (request_started, request_finished):
            signal.connect(close_old_connections)


@pytest.fixture(scope="session")
def api_schema(django_db_setup, django_db_blocker):
    """The schema as /api/schema/ serves it (it lists the region codes from the database)."""
    with _connections_kept(), django_db_blocker.unblock():
        return schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())


@pytest.fixture(autouse=True)
def _over_wsgi(request):
    """Schemathesis 4.32 names each operation's subtest through ``node._nodeid``, which pytest 9
    no longer has: give it one. And keep the test's connection open under the requests."""
    request.node._nodeid = request.node.nodeid
    with _connections_kept():
        yield


def _reads(scheme: str):
    """Only the operations that read credentials of ``scheme``."""
    return lambda context: any(
        scheme in requirement for requirement in context.operation.definition.raw["security"]
    )


schema = schemathesis.pytest.from_fixture("api_schema")
token_operations = schema.include(_reads("ApiToken"))
source_system_operations = schema.include(_reads("SourceSystemApiKey"))


@schemathesis.hook
def filter_case(context, case):
    """A constraint between parameters that OpenAPI cannot state (the needs list documents it):
    a ``county`` given with a ``city`` must be in that city, or the request is refused (400)."""
    query = case.query or {}
    city, county = query.get("city"), query.get("county")
    if not (isinstance(city, str) and isinstance(county, str) and city and county):
        return True
    return region_index().city_of.get(county) == city


# The Authorization header of the caller of the running test; none for an anonymous caller.
CREDENTIALS: dict[str, str] = {}


@schemathesis.auth(refresh_interval=None, retry_on=[])
class CallerAuth:
    """Schemathesis sends the caller's credentials knowing it does, so it also checks that an
    operation requiring credentials refuses the same request without them or with invalid ones."""

    def get(self, case, context):
        return CREDENTIALS.get("authorization")

    def set(self, case, data, context):
        case.headers = {**(case.headers or {}), "Authorization": data}


@pytest.fixture
def world(db):
    """Something for the generated requests to find: a published need with the member's claim,
    which another organization asks to take over, a need for volunteers' hours, a volunteer and
    a caseworker. Returns each caller's Authorization header and the objects' identifiers."""
    source = SourceSystemFactory()
    organization = OrganizationFactory(verified=True, need_types=[])
    member = MembershipFactory(organization=organization, role=MembershipRole.ADMIN).user
    volunteer = VolunteerFactory(user=UserFactory(roles=[Role.VOLUNTEER])).user
    need = NeedFactory(source_system=source, target_amount="1000.00")
    claim = ClaimFactory(need=need, organization=organization, claimant=member, amount="400.00")
    other = MembershipFactory(organization=OrganizationFactory(verified=True, need_types=[]))
    transfer = transfer_request(
        claim=claim, organization=other.organization, actor=other.user, reason="就在附近"
    )
    NeedFactory(source_system=source, need_type="care_service", amount_kind="hours")
    offer = OfferFactory(organization=organization)
    staff = UserFactory(caseworker=True)
    users = {"member": member, "volunteer": volunteer, "staff": staff}
    yield {
        **{name: f"Token {api_token_create(user=user)[1]}" for name, user in users.items()},
        "source_system": f"Api-Key {source.api_key}",
        "ids": {
            "code": need.code,
            "source_ref": need.source_ref,
            "claims": claim.pk,
            "transfers": transfer.pk,
            "organizations": organization.pk,
            "offers": offer.pk,
        },
    }
    CREDENTIALS.clear()


def _as(world, caller: str | None, case) -> None:
    """Send ``case`` as ``caller``. A schema-valid case names the world's objects in its path,
    so that successes are checked too, not only the 404s of made-up identifiers, and gets the
    values whose validity depends on the data (an organization that exists, a delivery dated
    today with a real photo and an amount left on the claim): no schema can promise those."""
    CREDENTIALS.clear()
    if caller is not None:
        CREDENTIALS["authorization"] = world[caller]
    if case.meta is None or not case.meta.generation.mode.is_positive:
        return
    ids = world["ids"]
    for name in ("code", "source_ref"):
        if name in (case.path_parameters or {}):
            case.path_parameters[name] = ids[name]
    if "id" in (case.path_parameters or {}):
        case.path_parameters["id"] = ids[case.operation.path.split("/")[3]]
    if not isinstance(case.body, dict):
        return
    if case.body.get("organization") is not None:
        case.body["organization"] = ids["organizations"]
    if case.operation.path.endswith("/deliveries/"):
        case.body.update(amount="1.00", delivered_on=timezone.localdate().isoformat(), files=[png_bytes()])


@schema.parametrize()
@EXAMPLES
def test_anonymous(case, world):
    _as(world, None, case)
    case.call_and_validate()


@token_operations.parametrize()
@EXAMPLES
def test_member(case, world):
    _as(world, "member", case)
    case.call_and_validate()


@token_operations.parametrize()
@EXAMPLES
def test_volunteer(case, world):
    _as(world, "volunteer", case)
    case.call_and_validate()


@token_operations.parametrize()
@EXAMPLES
def test_staff(case, world):
    _as(world, "staff", case)
    case.call_and_validate()


@source_system_operations.parametrize()
@EXAMPLES
def test_source_system(case, world):
    _as(world, "source_system", case)
    case.call_and_validate()
