"""The health checks: /healthz (the process answers) and /healthz/ready (so does the database)."""

from unittest import mock

import pytest
from django.db import OperationalError
from django.test import override_settings


def database_down():
    return mock.patch(
        "lgdss.middleware.connection.cursor", side_effect=OperationalError("connection refused")
    )


def test_healthz_answers_without_touching_the_database(client):
    # No `db` fixture: any query would fail the test.
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert "no-store" in response["Cache-Control"]


def test_healthz_stays_up_when_the_database_is_down(client, db):
    with database_down():
        assert client.get("/healthz").status_code == 200


def test_ready_answers_ok_after_a_database_query(client, db, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = client.get("/healthz/ready")
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert "no-store" in response["Cache-Control"]


def test_ready_answers_503_when_the_database_is_unreachable(client, db):
    with database_down():
        response = client.get("/healthz/ready")
    assert response.status_code == 503
    assert response.content == b"database unavailable\n"


@pytest.mark.parametrize("path", ["/healthz", "/healthz/ready"])
def test_health_checks_answer_whatever_host_name_the_load_balancer_uses(client, db, path):
    assert client.get(path, HTTP_HOST="10.0.0.7:8000").status_code == 200


@pytest.mark.parametrize("path", ["/healthz", "/healthz/ready"])
@override_settings(SECURE_SSL_REDIRECT=True)
def test_health_checks_answer_over_plain_http_when_https_is_enforced(client, db, path):
    assert client.get(path).status_code == 200


def test_other_paths_still_need_a_known_host_name(client, db):
    assert client.get("/healthz/other", HTTP_HOST="10.0.0.7:8000").status_code == 400
