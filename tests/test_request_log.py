"""Each request is logged in one line, without anything that identifies a person."""

import io
import logging
import re
import runpy
import secrets
from pathlib import Path

import pytest
from django.test import override_settings

from tests.conftest import PASSWORD

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def log():
    """What the service's configured log handler writes, as text.

    The handler is the real one from settings.LOGGING (with its filters), writing to a
    buffer for the test, so Django's own warnings are seen as they would be in production.
    """
    handler = next(h for h in logging.getLogger().handlers if h.name == "console")
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    yield buffer
    handler.setStream(previous)


def request_lines(log):
    return [line for line in log.getvalue().splitlines() if line.startswith("INFO lgdss.requests")]


def test_a_request_is_logged_in_one_line_with_what_happened(client, db, log):
    response = client.get("/councils/?nation=W&page=2&q=Cardiff")

    [line] = request_lines(log)
    assert re.fullmatch(
        r"INFO lgdss\.requests request method=GET path=/councils/\?nation=W&page=2 status=200 "
        r"duration_ms=\d+ request_id=[0-9a-f]{32}",
        line,
    ), line
    assert "Cardiff" not in log.getvalue(), "a search someone typed is not logged"
    assert line.endswith(f"request_id={response['X-Request-ID']}")


def test_the_load_balancers_request_id_is_used_when_it_looks_like_one(client, db, log):
    client.get("/councils/", HTTP_X_REQUEST_ID="lb-7f3a9c21")
    client.get("/councils/", HTTP_X_REQUEST_ID="jo@example.com")

    first, second = request_lines(log)
    assert first.endswith("request_id=lb-7f3a9c21")
    assert "jo@example.com" not in second


def test_invitation_tokens_in_addresses_are_hidden_everywhere_in_the_log(client, db, log):
    token = secrets.token_urlsafe(32)
    response = client.get(f"/invitations/accept/{token}/")  # no such invitation: 404
    assert response.status_code == 404
    client.get(f"/sign-in/?next=/invitations/accept/{token}/")

    text = log.getvalue()
    assert token not in text
    assert "path=/invitations/accept/[hidden]/ status=404" in text
    # Django's own warning about the 404 hides it too.
    assert "Not Found: /invitations/accept/[hidden]/" in text
    assert "path=/sign-in/ status=200" in text


def test_password_reset_links_are_hidden(client, db, log):
    client.get("/password-reset/MTIz/c8x2f0-0123456789abcdef0123456789abcdef/")

    text = log.getvalue()
    assert "MTIz" not in text
    assert "0123456789abcdef" not in text
    assert "path=/password-reset/[hidden]/[hidden]/" in text


def test_an_unknown_address_with_an_email_address_in_it_is_hidden(client, db, log):
    client.get("/people/jo.bloggs@example.com/")

    text = log.getvalue()
    assert "jo.bloggs" not in text
    assert "path=/people/[hidden]/ status=404" in text
    assert "Not Found: /people/[hidden]/" in text


def test_signing_in_logs_no_email_password_cookie_or_ip_address(client, coventry_lead, log):
    response = client.post(
        "/sign-in/",
        {"email": "lead@coventry.example", "password": PASSWORD},
        REMOTE_ADDR="203.0.113.9",
    )
    assert response.status_code == 302
    client.get("/account/", REMOTE_ADDR="203.0.113.9")

    text = log.getvalue()
    assert "path=/sign-in/ status=302" in text
    assert "path=/account/ status=200" in text
    for personal in ["lead@coventry.example", PASSWORD, "Cara", "203.0.113.9"]:
        assert personal not in text
    assert client.cookies["sessionid"].value not in text
    assert client.cookies["csrftoken"].value not in text


@override_settings(LOG_IP_ADDRESSES=True)
def test_ip_addresses_are_logged_only_when_configured(client, db, log):
    client.get("/councils/", REMOTE_ADDR="203.0.113.9")

    [line] = request_lines(log)
    assert line.endswith("ip=203.0.113.9")


def test_gunicorn_keeps_no_access_log_of_its_own():
    """gunicorn's access log would record IP addresses and whole addresses with their secrets."""
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert config["accesslog"] is None
