"""Site-wide checks: every public page, the health check, error pages, migrations."""

from io import StringIO
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import OperationalError
from django.test import override_settings
from django.urls import include, path, reverse

from tests.html import outline


def public_urls():
    urls = [
        reverse("home"),
        reverse("standard:point_list"),
        reverse("standard:about"),
        reverse("scoring"),
        reverse("accessibility"),
        reverse("privacy"),
        reverse("cookies"),
        reverse("assessments:council_directory"),
        reverse("assessments:council_detail", args=["cov"]),
        reverse("assessments:open_data"),
        reverse("assessments:sign_in"),
        reverse("assessments:password_reset"),
        reverse("assessments:password_reset_sent"),
        reverse("assessments:password_reset_done"),
    ]
    urls += [reverse("standard:point_detail", args=[n]) for n in range(1, 16)]
    return urls


def test_every_public_page_answers_with_one_h1_and_a_unique_title(client, standard, coventry):
    titles = {}
    for url in public_urls():
        response = client.get(url)
        assert response.status_code == 200, url
        h1_count, title = outline(response)
        assert h1_count == 1, url
        assert title.endswith(" – Council digital service assessments"), (url, title)
        assert title not in titles, f"{url} has the same title as {titles.get(title)}"
        titles[title] = url


def test_point_page_links_to_previous_and_next_points(client, standard):
    html = client.get(reverse("standard:point_detail", args=[7])).content.decode()
    assert 'href="/standard/6/" rel="prev"' in html
    assert 'href="/standard/8/" rel="next"' in html
    first = client.get(reverse("standard:point_detail", args=[1])).content.decode()
    assert 'rel="prev"' not in first
    last = client.get(reverse("standard:point_detail", args=[15])).content.decode()
    assert 'rel="next"' not in last


def test_pages_showing_statements_credit_localgov_digital_and_the_licence(client, standard):
    for url in [reverse("standard:point_list"), reverse("standard:point_detail", args=[3])]:
        html = client.get(url).content.decode()
        assert "LocalGov Digital" in html
        assert "Open Government Licence v3.0" in html


def test_header_has_no_crown_or_govuk_logotype(client, standard):
    html = client.get(reverse("home")).content.decode()
    assert "govuk-header__logotype" not in html
    assert "govuk-logo" not in html
    assert "GOV.UK" not in html


def test_no_model_changes_lack_a_migration(db):
    out = StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit:
        pytest.fail(f"Model changes without a migration:\n{out.getvalue()}")


def test_unknown_address_gets_our_404_page(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert outline(response) == (1, "Page not found – Council digital service assessments")


def test_point_that_does_not_exist_is_404(client, standard):
    assert client.get("/standard/16/").status_code == 404


def test_standard_pages_are_404_before_the_standard_is_loaded(client, db):
    assert client.get(reverse("standard:point_list")).status_code == 404


def test_post_to_a_read_only_page_is_refused(client, standard):
    assert client.post(reverse("standard:point_list")).status_code == 405


def _raise(request):
    raise RuntimeError("boom")


def _forbid(request):
    from django.core.exceptions import PermissionDenied

    raise PermissionDenied


def _bad(request):
    from django.core.exceptions import SuspiciousOperation

    raise SuspiciousOperation("bad")


urlpatterns = [
    path("boom/", _raise),
    path("forbidden/", _forbid),
    path("bad/", _bad),
    path("", include("lgdss.urls")),
]
handler400 = "lgdss.views.bad_request"
handler403 = "lgdss.views.permission_denied"
handler404 = "lgdss.views.page_not_found"
handler500 = "lgdss.views.server_error"


@pytest.mark.parametrize(
    ("url", "status", "heading"),
    [
        ("/boom/", 500, "Sorry, there is a problem with the service"),
        ("/forbidden/", 403, "You do not have permission to see this page"),
        ("/bad/", 400, "Sorry, there is a problem with your request"),
    ],
)
@override_settings(ROOT_URLCONF=__name__)
def test_error_pages_render_in_the_service_design(client, db, url, status, heading):
    client.raise_request_exception = False
    response = client.get(url)
    assert response.status_code == status
    html = response.content.decode()
    assert f">{heading}</h1>" in html
    assert "govuk-footer" in html


def test_suite_runs_on_the_database_that_database_url_names(db):
    import os

    from django.db import connection

    expected = "postgresql" if os.environ.get("DATABASE_URL", "").startswith("postg") else "sqlite"
    assert connection.vendor == expected


def test_error_summary_links_radios_to_their_first_option(client_for, coventry_lead):
    response = client_for(coventry_lead).post(
        reverse("assessments:invite_member", args=["cov"]), {"email": "someone@coventry.example"}
    )
    html = response.content.decode()
    assert '<a href="#id_role_1">Select their role</a>' in html
    assert 'id="id_role_1"' in html
    main = html.split("<main", 1)[1].split("</main>", 1)[0]  # not the timeout warning's form
    assert main.count('name="csrfmiddlewaretoken"') == 1


@override_settings(ROOT_URLCONF=__name__)
def test_500_page_still_renders_when_the_database_is_down(client, db):
    client.raise_request_exception = False
    client.cookies["sessionid"] = "a-session-the-database-cannot-load"
    with (
        mock.patch(
            "django.contrib.sessions.backends.db.SessionStore.load",
            side_effect=OperationalError("database is down"),
        ),
        mock.patch("lgdss.views.logger") as logger,
    ):
        response = client.get("/boom/")
    assert logger.exception.called  # the attempt with the request failed
    assert response.status_code == 500
    assert "Sorry, there is a problem with the service" in response.content.decode()


@override_settings(ROOT_URLCONF=__name__, SERVICE_NAME="Assess a digital service")
def test_500_page_without_the_request_has_a_whole_title_and_no_empty_links(client, db):
    import re
    from html import unescape

    client.raise_request_exception = False
    client.cookies["sessionid"] = "a-session-the-database-cannot-load"
    with (
        mock.patch(
            "django.contrib.sessions.backends.db.SessionStore.load",
            side_effect=OperationalError("database is down"),
        ),
        mock.patch("lgdss.views.logger"),
    ):
        html = client.get("/boom/").content.decode()

    assert " ".join(re.search(r"<title>(.*?)</title>", html, re.S).group(1).split()) == (
        "Sorry, there is a problem with the service – Assess a digital service"
    )
    links = re.findall(r"<a\b([^>]*)>(.*?)</a>", html, flags=re.S)
    assert links
    for attributes, text in links:
        href = re.search(r'href="([^"]*)"', attributes).group(1)
        assert href not in ("", "mailto:"), attributes
        assert unescape(re.sub(r"<[^>]+>", "", text)).strip(), attributes


@pytest.mark.parametrize(
    "address", ["/councils/c%00v/", "/councils/c%00v/members/", "/councils/%E2%80%AE/services/"]
)
def test_strange_council_codes_are_404_never_500(client_for, coordinator, address):
    assert client_for(coordinator).get(address).status_code == 404
