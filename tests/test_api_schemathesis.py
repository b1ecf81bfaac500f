"""Schemathesis reads the API's OpenAPI description from the running app
(/api/v1/openapi.json) and sends each endpoint requests generated from it, valid and
not: every answer must be one the description promises (its status, its content type,
its schema), with no server error, and invalid input must be refused.

The app is called through its WSGI handler (lgdss.wsgi), in this test's database
transaction, after a peer-reviewed, a self-assessed and a withdrawn publication are
made, so that the answers are not all empty. Few examples, derived from the test's
name (derandomize), so that every run tries the same ones and `make test` stays quick.
"""

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from lgdss.wsgi import application
from tests.factories_publications import public_record

# Read from the app, as a client would; the description needs no database.
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@pytest.fixture
def published(standard, coventry, leeds, coventry_lead, leeds_lead, peer_reviewer, coordinator):
    public_record(
        coventry=coventry,
        leeds=leeds,
        coventry_lead=coventry_lead,
        leeds_lead=leeds_lead,
        peer_reviewer=peer_reviewer,
        coordinator=coordinator,
    )
    # As Django's test client does: a request through the WSGI handler would otherwise
    # close the database connection at its end, and with it this test's transaction.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=15,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_keeps_to_its_openapi_description(published, case):
    # Schemathesis asks for gzip as HTTP clients do, but its WSGI transport hands over the
    # bytes as sent, still compressed: ask for them plain (gzip is tested in
    # tests/test_request_path.py).
    case.call_and_validate(headers={"Accept-Encoding": "identity"})
