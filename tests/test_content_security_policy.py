"""The Content Security Policy and the other security headers, on every kind of page.

Every page is sent with a strict policy (no 'unsafe-inline', no 'unsafe-eval'). The only
inline code in the site's pages, GOV.UK Frontend's js-enabled snippet, is allowed by the
hash of its text, so their policy is the same on every response and they carry no nonce;
the admin's inline scripts and styles carry a nonce the header names, new for each request.
The browser side, that nothing is blocked and GOV.UK Frontend still starts, is in
tests/browser/test_content_security_policy.py.
"""

import base64
import hashlib
import json
import re
from html.parser import HTMLParser
from unittest import mock

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import SuspiciousOperation
from django.db import OperationalError
from django.test import Client, override_settings
from django.urls import include, path, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from lgdss.inline_script import JS_ENABLED, csp_hash
from tests.html import outline

POLICY = "Content-Security-Policy"


class _InlineCode(HTMLParser):
    """What in a page would need 'unsafe-inline': inline <script> and <style> elements
    (with their nonce and text), style="" and on...="" attributes, and javascript: addresses."""

    def __init__(self):
        super().__init__()
        self.nonces = []  # of each inline <script> or <style>, None if it has none
        self.scripts = []  # the text of each inline <script>, as served
        self.attributes = []
        self._script = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "style" or (tag == "script" and "src" not in attrs):
            self.nonces.append(attrs.get("nonce"))
        if tag == "script" and "src" not in attrs:
            self._script = ""
        for name, value in attrs.items():
            if name == "style" or name.startswith("on"):
                self.attributes.append(f"<{tag} {name}>")
            elif (value or "").strip().lower().startswith("javascript:"):
                self.attributes.append(f"<{tag} {name}={value}>")

    def handle_data(self, data):
        if self._script is not None:
            self._script += data

    def handle_endtag(self, tag):
        if tag == "script" and self._script is not None:
            self.scripts.append(self._script)
            self._script = None


def inline_code(response):
    parser = _InlineCode()
    parser.feed(response.content.decode())
    return parser


def directives(response):
    """The policy the response was sent with, as {directive: value}."""
    policy = {}
    for part in response.headers[POLICY].split(";"):
        name, _, value = part.strip().partition(" ")
        policy[name] = value
    return policy


def nonce(response):
    found = re.search(r"'nonce-([^']+)'", directives(response)["script-src"])
    return found and found[1]


def hashes(response):
    return re.findall(r"'sha256-([^']+)'", directives(response)["script-src"])


def sha256(text):
    """What a browser compares with the policy's hashes: the script's text as served."""
    return base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()


def assert_sent_under_the_policy(response):
    """The response carries the strict policy and the other security headers, and the
    page has no inline code the policy would block: each inline script has the header's
    nonce or a hash in it, each inline style the nonce."""
    policy = directives(response)
    assert policy["default-src"] == "'self'"
    assert re.fullmatch(r"'self' 'sha256-[\w+/=]+'( 'nonce-[\w-]+')?", policy["script-src"])
    assert re.fullmatch(r"'self'( 'nonce-[\w-]+')?", policy["style-src"])
    assert policy["object-src"] == "'none'"
    assert policy["base-uri"] == "'none'"
    assert policy["form-action"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    for weakness in ("unsafe-inline", "unsafe-eval", "unsafe-hashes", "*", "data:", "http:"):
        assert weakness not in response.headers[POLICY]

    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "camera=()" in response.headers["Permissions-Policy"]
    assert "geolocation=()" in response.headers["Permissions-Policy"]

    code = inline_code(response)
    assert code.attributes == []
    for script in code.scripts:
        assert sha256(script) in hashes(response) or nonce(response), script
    assert all(each == nonce(response) for each in code.nonces if each), code.nonces


def assert_snippet_is_allowed_by_its_hash(response):
    """GOV.UK Frontend's js-enabled snippet, on every page of the service, with no nonce:
    the hash of its text as served is the one the header names, and the only one."""
    code = inline_code(response)
    snippets = [script for script in code.scripts if "js-enabled" in script]
    assert len(snippets) == 1
    assert hashes(response) == [sha256(snippets[0])]
    assert nonce(response) is None
    assert "<script>document.body.className += " in response.content.decode()


def _raise(request):
    raise RuntimeError("boom")


def _bad(request):
    raise SuspiciousOperation("bad")


urlpatterns = [path("boom/", _raise), path("bad/", _bad), path("", include("lgdss.urls"))]
handler400 = "lgdss.views.bad_request"
handler500 = "lgdss.views.server_error"


def test_public_pages_are_sent_under_the_policy(client, standard, coventry):
    for url in ["/", "/standard/", "/standard/1/", "/councils/cov/", "/sign-in/"]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_sent_under_the_policy(response)
        assert_snippet_is_allowed_by_its_hash(response)


def test_signed_in_pages_are_sent_under_the_policy(client_for, coventry_lead):
    lead = client_for(coventry_lead)
    for url in ["/account/", "/councils/cov/services/", "/councils/cov/members/"]:
        response = lead.get(url)
        assert response.status_code == 200, url
        assert_sent_under_the_policy(response)
        assert_snippet_is_allowed_by_its_hash(response)


def test_error_pages_are_sent_under_the_policy(client, client_for, coventry_contributor):
    refused = client_for(coventry_contributor).get("/councils/cov/sign-up/")
    assert refused.status_code == 403
    assert_sent_under_the_policy(refused)
    assert_snippet_is_allowed_by_its_hash(refused)

    not_found = client.get("/no-such-page/")
    assert not_found.status_code == 404
    assert_sent_under_the_policy(not_found)
    assert_snippet_is_allowed_by_its_hash(not_found)

    with override_settings(ROOT_URLCONF=__name__):
        client.raise_request_exception = False
        bad = client.get("/bad/")
        failed = client.get("/boom/")
    assert bad.status_code == 400
    assert failed.status_code == 500
    for response in (bad, failed):
        assert_sent_under_the_policy(response)
        assert_snippet_is_allowed_by_its_hash(response)


@override_settings(ROOT_URLCONF=__name__)
def test_500_page_rendered_without_the_request_still_allows_the_snippet(client, db):
    client.raise_request_exception = False
    client.cookies["sessionid"] = "a-session-the-database-cannot-load"
    with mock.patch(
        "django.contrib.sessions.backends.db.SessionStore.load",
        side_effect=OperationalError("database is down"),
    ):
        response = client.get("/boom/")
    assert response.status_code == 500
    assert_sent_under_the_policy(response)
    assert_snippet_is_allowed_by_its_hash(response)


def test_form_sent_without_its_csrf_token_is_refused_on_a_page_under_the_policy(db):
    """The service's own CSRF failure page (settings.CSRF_FAILURE_VIEW) is sent under the
    policy, with GOV.UK's snippet allowed by its hash."""
    response = Client(enforce_csrf_checks=True).post("/sign-in/", {"email": "a@b.example"})
    assert response.status_code == 403
    assert outline(response)[1].startswith("Sorry, we could not")
    assert_sent_under_the_policy(response)
    assert_snippet_is_allowed_by_its_hash(response)


def test_admin_pages_are_sent_under_the_policy_with_a_nonce_of_their_own(
    client, client_for, coordinator, coventry
):
    sign_in = client.get(reverse("assessments:sign_in"))  # the admin's sign-in page too
    assert sign_in.status_code == 200
    assert_sent_under_the_policy(sign_in)

    admin = client_for(coordinator)
    nonces = set()
    for url in [
        reverse("admin:index"),
        reverse("admin:assessments_council_changelist"),
        reverse("admin:assessments_council_change", args=[coventry.pk]),
        reverse("admin:assessments_peergroup_add"),
        reverse("admin:assessments_user_change", args=[coordinator.pk]),
    ]:
        response = admin.get(url)
        assert response.status_code == 200, url
        assert_sent_under_the_policy(response)
        # The admin's scripts and styles carry the header's nonce, new for each request.
        assert f'nonce="{nonce(response)}"' in response.text, url
        nonces.add(nonce(response))
    assert len(nonces) == 5


def test_a_public_page_has_the_same_policy_on_every_response_and_no_nonce(client, standard):
    first, second = client.get("/standard/"), client.get("/standard/")
    assert first.headers[POLICY] == second.headers[POLICY]
    assert "nonce" not in first.headers[POLICY]
    assert "nonce=" not in first.text
    assert first.content == second.content


def test_the_policy_allows_exactly_the_snippet_the_template_prints(client, standard):
    """The hash is made from the text kept in one place (lgdss/inline_script.py); a
    change to a byte of what is served would no longer match it."""
    response = client.get("/")
    assert hashes(response) == [sha256(JS_ENABLED)]
    # GOV.UK Frontend's documentation gives this hash for its snippet: the text is theirs.
    assert csp_hash(JS_ENABLED) == "'sha256-GUQ5ad8JK5KmEWmROf3LZd9ge94daqNvd8xy9YS1iDw='"
    assert f"<script>{JS_ENABLED}</script>" in response.text
    assert csp_hash(JS_ENABLED.replace("+=", "+= ")) not in response.headers[POLICY]


def test_static_files_are_sent_with_the_headers_too(client):
    response = client.get("/static/app.js")
    assert response.status_code == 200
    assert directives(response)["default-src"] == "'self'"
    assert "camera=()" in response.headers["Permissions-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


# --- Reports of violations --------------------------------------------------

REPORTS = reverse("csp_report")


def report(fields):
    return json.dumps({"csp-report": fields})


def test_a_report_is_logged_with_the_page_name_and_origin_but_no_token(db, caplog, coventry_lead):
    uid = urlsafe_base64_encode(force_bytes(coventry_lead.pk))
    token = default_token_generator.make_token(coventry_lead)
    reset_link = "https://lgdss.example" + reverse(
        "assessments:password_reset_confirm", args=[uid, token]
    )
    response = Client(enforce_csrf_checks=True).post(
        REPORTS,
        report(
            {
                "document-uri": reset_link,
                "effective-directive": "script-src-elem",
                "violated-directive": "script-src-elem",
                "blocked-uri": "https://tracker.example/collect.js?email=lead@coventry.example",
            }
        ),
        content_type="application/csp-report",
    )
    assert response.status_code == 204
    assert csp_messages(caplog) == [
        "Content Security Policy blocked https://tracker.example under script-src-elem "
        "on assessments:password_reset_confirm"
    ]
    assert token not in caplog.text
    assert "lead@coventry.example" not in caplog.text


def csp_messages(caplog):
    """What the report view logged (the request log writes a line of its own too)."""
    return [record.getMessage() for record in caplog.records if record.name == "lgdss.views"]


def test_an_inline_script_blocked_on_an_unknown_page_is_logged(client, db, caplog):
    client.post(
        REPORTS,
        report(
            {
                "document-uri": "https://lgdss.example/nowhere/?q=secret",
                "violated-directive": "script-src",
                "blocked-uri": "inline",
            }
        ),
        content_type="application/csp-report",
    )
    assert csp_messages(caplog) == [
        "Content Security Policy blocked inline under script-src on an unknown page"
    ]


@pytest.mark.parametrize(
    "body", ["not json", "[]", json.dumps({"csp-report": "x"}), json.dumps({"other": {}})]
)
def test_something_that_is_not_a_report_is_refused_and_not_logged(client, db, caplog, body):
    response = client.post(REPORTS, body, content_type="application/csp-report")
    assert response.status_code == 400
    assert [r for r in caplog.records if r.name == "lgdss.views"] == []


def test_reports_are_only_posted(client, db):
    assert client.get(REPORTS).status_code == 405
