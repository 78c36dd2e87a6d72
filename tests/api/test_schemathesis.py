"""Property tests generated from the served OpenAPI schema, run against the Django WSGI app:
no 5xx, and every answer (status, media type, body, headers) inside the schema -- on SQLite and on
PostgreSQL (the requests run in the test's transaction, on its connection)."""

from __future__ import annotations

import functools
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from factories import make_programme

from .conftest import ALL_SCOPES

pytestmark = pytest.mark.django_db
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@pytest.fixture
def api_schema(db: Any, data_dir: Any, settings: Any) -> Any:
    settings.SIGAP_API_RATE_PER_MINUTE = 100_000
    settings.SIGAP_API_TOKEN_RATE_PER_MINUTE = 100_000
    make_programme("SIGAP-2026")
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", _in_test_transaction)


@functools.cache
def _handler() -> Any:
    from django.core.wsgi import get_wsgi_application

    return get_wsgi_application()


def _in_test_transaction(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    """The Django WSGI app as the test client calls it: inside the test's transaction, on its connection.

    Django closes the database connection when a request starts and ends (``close_old_connections``).
    Inside the test transaction that closes the test's own connection -- on PostgreSQL every later
    query then fails with "the connection is closed" (SQLite ignores the close of its in-memory
    database).  Django's test client takes that handler off around each request and puts it back after,
    so it is taken off here for each request too (not once per test: the next test-client request would
    put it back).
    """
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        response = _handler()(environ, start_response)
        try:
            return [b"".join(response)]
        finally:
            response.close()  # request_finished, still without closing the connection
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def bearer(api_client: Any) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_client(ALL_SCOPES, '3275').token}"}


def _exercise(operation: Any, headers: dict[str, str]) -> None:
    @given(case=operation.as_strategy())
    @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    def run(case: Any) -> None:
        case.call_and_validate(headers=headers, checks=CHECKS)

    run()


def test_no_server_error_and_nothing_outside_the_schema(api_schema: Any, bearer: dict[str, str]) -> None:
    """Every operation of the served schema, 15 generated requests each (bounded: well under a minute)."""
    failures: list[str] = []
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 12
    for operation in operations:
        headers = {} if operation.path in ("/api/v1/oauth/token", "/api/v1/.well-known/jwks.json") else bearer
        try:
            _exercise(operation, headers)
        except Exception as e:  # noqa: BLE001 -- collected: one report naming every failing operation
            failures.append(f"{operation.method.upper()} {operation.path}: {e}")
    assert not failures, "\n\n".join(failures)
    from sigap.audit.models import AuditEvent

    assert AuditEvent.objects.filter(action="api.call").count() >= 10 * len(operations)  # requests were made
