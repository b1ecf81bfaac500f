"""The timeout warning's dialog and its two addresses: staying signed in, and signing out
when the time runs out with what was typed kept. (tests/browser/test_timeout_warning.py
drives the dialog itself.)"""

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from assessments import services
from assessments.models import Service
from lgdss import unsaved
from tests.test_unsaved_text import NOTICE, TYPED, sign_in_again, textarea, typed

EXTEND = "/session/extend/"
END = "/session/end/"


@pytest.fixture
def point(coventry, coventry_lead, standard):
    bins = Service.objects.create(council=coventry, name="Report a missed bin", phase="beta")
    draft = services.start_assessment(bins, by=coventry_lead, phase="beta")
    return reverse("assessments:edit_point", args=["cov", draft.pk, 1])


def session_row(client):
    return Session.objects.get(session_key=client.cookies["sessionid"].value)


@override_settings(SESSION_COOKIE_AGE=900, SESSION_WARNING_SECONDS=120)
def test_signed_in_pages_carry_the_closed_dialog_with_the_sessions_length(
    client_for, coventry_lead
):
    html = client_for(coventry_lead).get("/account/").content.decode()
    assert '<dialog class="app-timeout-warning"' in html
    assert " open" not in html.split("<dialog", 1)[1].split(">", 1)[0]
    assert 'data-session-seconds="900" data-warning-seconds="120"' in html
    assert "Anything you have typed on this page and not saved will be lost." in html


def test_on_a_page_that_keeps_text_the_dialog_says_so(client_for, coventry_lead, point):
    html = client_for(coventry_lead).get(point).content.decode()
    assert "Anything you have typed on this page will be kept" in html


def test_visitors_and_a_read_only_service_have_no_dialog(client, client_for, coventry_lead):
    assert "app-timeout-warning" not in client.get("/").content.decode()
    with override_settings(READ_ONLY=True):
        html = client_for(coventry_lead).get("/account/").content.decode()
    assert "app-timeout-warning" not in html


def test_staying_signed_in_moves_the_sessions_end_on(client_for, coventry_lead):
    client = client_for(coventry_lead)
    Session.objects.update(expire_date=timezone.now() + timedelta(minutes=3))

    response = client.post(EXTEND)

    assert response.status_code == 204
    assert "no-cache" in response["Cache-Control"]
    assert session_row(client).expire_date > timezone.now() + timedelta(minutes=119)


@override_settings(SESSION_SAVE_EVERY_REQUEST=False)
def test_staying_signed_in_saves_the_session_even_when_requests_do_not(client_for, coventry_lead):
    client = client_for(coventry_lead)
    Session.objects.update(expire_date=timezone.now() + timedelta(minutes=3))
    client.post(EXTEND)
    assert session_row(client).expire_date > timezone.now() + timedelta(minutes=119)


def test_staying_signed_in_after_the_session_ended_says_so(client):
    assert client.post(EXTEND).status_code == 401


def test_staying_signed_in_needs_a_post_with_the_csrf_token(client_for, coventry_lead):
    client = client_for(coventry_lead)
    assert client.get(EXTEND).status_code == 405
    client.handler.enforce_csrf_checks = True
    assert client.post(EXTEND).status_code == 403


def test_when_time_runs_out_they_are_signed_out_and_their_typing_is_kept(
    client_for, coventry_lead, point
):
    browser = client_for(coventry_lead)

    response = browser.post(f"{END}?next={point}", typed())

    assert response.status_code == 302
    assert response["Location"] == f"/sign-in/?next={point}"
    assert "_auth_user_id" not in browser.session
    sign_in_page = browser.get(response["Location"]).content.decode()
    assert "For your security, we signed you out" in sign_in_page
    assert "they have not been saved yet" in sign_in_page

    sign_in_again(browser, "lead@coventry.example", point)
    html = browser.get(point).content.decode()
    assert NOTICE in html
    assert textarea(html, "evidence") == TYPED.replace("&", "&amp;")


def test_when_time_runs_out_with_nothing_typed_they_are_just_signed_out(client_for, coventry_lead):
    browser = client_for(coventry_lead)
    response = browser.post(f"{END}?next=/account/")

    assert response["Location"] == "/sign-in/?next=/account/"
    assert "_auth_user_id" not in browser.session
    assert unsaved.SESSION_FIELD not in browser.session


@pytest.mark.parametrize(
    "next_page",
    ["https://evil.example/councils/", "//evil.example/councils/", "/account/"],
    ids=["another site", "another site without scheme", "a page that keeps nothing"],
)
def test_typing_is_only_kept_for_our_own_pages_that_keep_it(client_for, coventry_lead, next_page):
    browser = client_for(coventry_lead)
    response = browser.post(f"{END}?next={next_page}", typed())

    assert "evil" not in response["Location"]
    assert "_auth_user_id" not in browser.session
    assert unsaved.SESSION_FIELD not in browser.session
