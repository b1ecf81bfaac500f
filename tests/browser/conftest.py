"""Browser tests: Playwright driving the system's Chromium, with axe-core.

Playwright cannot download its own browsers here, so it launches Debian's
Chromium. Without Chromium these tests skip with the reason, except under
CI=true, where a missing browser is a failure.

Every test's `page`, and every page opened with `pages.new_page()` (another person's
browser, or one without JavaScript), runs under the site's Content Security Policy,
and fails if the browser blocks anything on any page it visits. It also checks every
page it shows: the HTML through the Nu HTML Checker (vnu.jar, run once as a local
service for the whole session), and the page as drawn with axe-core for WCAG 2.2 A
and AA, drawn again from that HTML when the test ends (see check_every_page and
tests/browser/test_page_checks.py). Tests still call `assert_accessible` on a page
that JavaScript or the test has changed.
"""

import contextlib
import json
import os
import re
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import Error as PlaywrightError

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
VNU = Path(
    os.environ.get("VNU_JAR") or ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
)
CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
# axe-core rule tags for WCAG 2.0, 2.1 and 2.2 at levels A and AA.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


def _unavailable(reason):
    if os.environ.get("CI") == "true":
        pytest.fail(f"Browser tests must run in CI: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        _unavailable(f"Chromium not found at {CHROMIUM} (install Debian's chromium package)")
    if not AXE.exists():
        _unavailable("axe-core not installed (run npm ci)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


# Playwright's init scripts run before the page's own and are not subject to its policy.
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => window.reportViolation(
  `${event.disposition}: ${event.effectiveDirective} blocked ${event.blockedURI} ` +
  `(${event.sourceFile}:${event.lineNumber}) on ${document.location.pathname}`
));
"""


def policy_violations(context):
    """A list that fills with every Content Security Policy violation in the context's
    pages, from the browser's `securitypolicyviolation` events and from its console,
    which also reports a Permissions-Policy header it cannot read."""
    violations = []

    def from_event(text):
        violations.append(text)

    def from_console(message):
        if "Content Security Policy" in message.text or "Permissions-Policy" in message.text:
            violations.append(f"console: {message.text}")

    context.expose_function("reportViolation", from_event)
    context.add_init_script(REPORT_VIOLATIONS)
    context.on("console", from_console)
    return violations


@pytest.fixture(scope="session")
def html_checker():
    """The address of the Nu HTML Checker, run from vnu.jar as a local service for the
    session (one Java start instead of one a page)."""
    java = shutil.which("java")
    if not VNU.exists() or not java:
        if os.environ.get("CI") == "true":
            pytest.fail("The Nu HTML Checker needs Java and vnu.jar (npm ci)", pytrace=False)
        yield None  # on a machine without them, pages are not validated
        return
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(
        [
            java,
            "-Xss1024k",
            "-cp",
            str(VNU),
            "-Dnu.validator.servlet.bind-address=127.0.0.1",
            "nu.validator.servlet.Main",
            str(port),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    address = f"http://127.0.0.1:{port}/?out=json"
    deadline = time.monotonic() + 60
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.kill()
                pytest.fail("The Nu HTML Checker did not start", pytrace=False)
            time.sleep(0.2)
    yield address
    server.terminate()
    server.wait(10)


def html_errors(checker, html):
    """The Nu HTML Checker's errors for a page's HTML (its warnings are left out)."""
    request = urllib.request.Request(
        checker, data=html.encode(), headers={"Content-Type": "text/html; charset=utf-8"}
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        messages = json.load(response)["messages"]
    return [
        f"line {m.get('lastLine', '?')}: {m['message']}"
        for m in messages
        if m["type"] == "error" or m.get("subType") == "fatal"
    ]


# One run at a time: the check on load and a test's own check may overlap, and axe
# refuses to start while it is running.
RUN_AXE = """async (tags) => {
  const run = (window.axeRuns || Promise.resolve()).catch(() => null).then(
    () => axe.run(document, {runOnly: {type: "tag", values: tags}}));
  window.axeRuns = run;
  return (await run).violations.map(
    (v) => ({id: v.id, help: v.help, nodes: v.nodes.map((n) => n.target.join(" "))}));
}"""


def _axe_violations(page):
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # Evaluated, not added as a <script>, which the page's policy would block.
        page.evaluate(AXE.read_text())
    return page.evaluate(RUN_AXE, WCAG_TAGS)


def _described(violations):
    return "\n".join(f"- {v['id']}: {v['help']} ({', '.join(v['nodes'][:5])})" for v in violations)


CHECKED = {"axe": 0, "html": 0}


def pytest_terminal_summary(terminalreporter):
    if CHECKED["axe"] or CHECKED["html"]:
        terminalreporter.write_line(
            f"Pages loaded and checked: {CHECKED['axe']} with axe-core, "
            f"{CHECKED['html']} with the Nu HTML Checker"
        )


def _without_scripts(html):
    return re.sub(r"<script\b[^>]*>.*?</script>", "", html, flags=re.S | re.I)


class Redrawer:
    """Draws a page again from the HTML the server sent, in a browser page of its own with
    JavaScript, and runs axe there: for a page drawn without JavaScript, where axe cannot
    run (its timers never fire), and for a page the test left before axe could run on it.

    A page shown without JavaScript is drawn again without its scripts: the same styles and
    classes on <body>, nothing to change them. Otherwise it is drawn with its headers (so
    under its policy) and its scripts, as the browser first drew it.
    """

    def __init__(self, browser, base_url):
        self.browser, self.base_url = browser, base_url
        self.context = None

    def violations(self, sent, javascript):
        url, html, headers = sent
        if self.context is None:
            self.context = self.browser.new_context(base_url=self.base_url)
        page = self.context.new_page()
        if javascript:
            served = {"status": 200, "body": html, "headers": headers}
        else:
            served = {"body": _without_scripts(html), "content_type": "text/html; charset=utf-8"}
        page.route(lambda address: address == url, lambda route: route.fulfill(**served))
        try:
            page.goto(url)
            return _axe_violations(page)
        finally:
            page.close()

    def fetch_again(self, url, cookies):
        """A page asked for again (a GET), with the test browser's cookies but in a browser
        of its own, so that nothing the server sends back, such as a new cookie, reaches
        the test's browser."""
        context = self.browser.new_context(base_url=self.base_url, storage_state=cookies)
        try:
            return context.request.get(url).text()
        finally:
            context.close()

    def close(self):
        if self.context is not None:
            self.context.close()


class Problems(list):
    """What the checks found on a browser page's pages, as readable lines; `finish()`
    checks what is left to check."""

    finish = None


def check_every_page(page, checker, redrawer, javascript=True, routed=True):
    """Checks every page the browser is sent: its HTML through the Nu HTML Checker, and the
    page as drawn with axe-core. Returns the problems found, a list that fills as the test
    goes on.

    Each page's HTML is read as it arrives (the request goes through Playwright, which
    keeps the body even if the test leaves the page at once; a page a redirect leads to,
    which Playwright does not route, is asked for again if its body has gone) and is
    validated when the test ends, so as not to slow the pages down. When the test ends,
    each page is also drawn again from that HTML in a browser page of its own (Redrawer)
    and checked with axe there: the page as the server sent it, whatever the test did to
    it since (a focused link is styled differently) and however quickly the test left it.
    """
    problems = Problems()
    left = []  # pages to draw again and check when the test ends: (address, HTML, headers)
    to_validate = []  # pages' HTML for the Nu HTML Checker: (address, HTML)

    def report(url, violations):
        CHECKED["axe"] += 1
        if violations:
            problems.append(f"axe found violations on {url}:\n{_described(violations)}")

    def arrived(url, html, headers):
        left.append((url, html, headers))
        if checker is not None:  # without Java or vnu.jar, pages are not validated
            to_validate.append((url, html))  # when the test ends, not in the page's way

    def is_page(request):
        return request.resource_type == "document" and request.frame == page.main_frame

    def is_html(response):
        content_type = response.headers.get("content-type") or ""
        return "text/html" in content_type and not 300 <= response.status < 400

    def read(route):
        """Every page the browser asks for, as it arrives (not the page a redirect leads
        to, which Playwright does not route: see on_response)."""
        request = route.request
        if not is_page(request) or request.redirected_from is not None:
            route.fallback()
            return
        # Redirects are left to the browser, which follows them as it would have.
        response = route.fetch(max_redirects=0)
        if is_html(response):
            arrived(response.url, response.text(), response.headers)
        route.fulfill(response=response)

    def on_response(response):
        """The page a redirect leads to (after a form is sent, or signing in)."""
        request = response.request
        if routed and request.redirected_from is None:
            return  # read as it arrived
        if not is_page(request) or not is_html(response):
            return
        try:
            html = response.text()
        except Exception:  # the test left the page at once, and the browser let go of it
            html = redrawer.fetch_again(response.url, page.context.storage_state())
        arrived(response.url, html, response.headers)

    def finish():
        # A page may still arrive while this runs (Playwright hands over events during
        # any of its calls, such as drawing a page again): go on until both lists stay
        # empty, so that each page is both validated and drawn. Waiting for the page in
        # the browser to load first lets the last page's arrival be handed over.
        if not page.is_closed():
            # If its browser has gone, what arrived is all there is.
            with contextlib.suppress(PlaywrightError):
                page.wait_for_load_state()
        while to_validate or left:
            while to_validate:
                url, html = to_validate.pop(0)
                errors = html_errors(checker, html)
                CHECKED["html"] += 1
                if errors:
                    problems.append(f"Invalid HTML on {url}:\n- " + "\n- ".join(errors))
            if left:
                sent = left.pop(0)
                report(sent[0], redrawer.violations(sent, javascript))

    # Not static files: only a page's own address can be a page.
    if routed:
        page.route(lambda address: "/static/" not in address, read)
    page.on("response", on_response)
    problems.finish = finish
    return problems


class CheckedPages:
    """Opens browser pages that are checked as the test's `page` is, each in a context of
    its own (another person's browser, or one without JavaScript), under the same policy."""

    def __init__(self, browser, base_url, checker, routed=True):
        self.browser, self.base_url, self.checker = browser, base_url, checker
        self.routed = routed
        self.redrawer = Redrawer(browser, base_url)
        self.opened = []

    def new_page(self, javascript=True, violations_expected=False):
        """A page in a new context. With `violations_expected`, a test that breaks the
        policy on purpose reads `violations(page)` itself; the pages are still checked."""
        context = self.browser.new_context(base_url=self.base_url, java_script_enabled=javascript)
        context.set_default_timeout(10_000)
        violations = policy_violations(context)
        page = context.new_page()
        problems = check_every_page(
            page, self.checker, self.redrawer, javascript, routed=self.routed
        )
        self.opened.append((context, page, violations, problems, violations_expected))
        return page

    def violations(self, page):
        """The policy violations reported so far in a page's context."""
        return next(entry[2] for entry in self.opened if entry[1] is page)

    def close(self, page):
        """Closes a page's browser before the test ends, checking its last page first."""
        for opened in [entry for entry in self.opened if entry[1] is page]:
            self.opened.remove(opened)
            self._close(*opened)

    def _close(self, context, page, violations, problems, violations_expected):
        problems.finish()
        context.close()
        found = "\n".join(violations)
        assert violations_expected or not violations, (
            f"Policy violations (or a Permissions-Policy not understood):\n{found}"
        )
        assert not problems, "\n".join(problems)

    def close_all(self):
        try:
            while self.opened:
                self._close(*self.opened.pop(0))
        finally:
            self.redrawer.close()


@pytest.fixture
def pages(request, browser, live_server, html_checker):
    """Opens more checked pages: `pages.new_page()`, `pages.new_page(javascript=False)`.

    A test marked `not_routed` has its pages read as they arrive rather than routed
    through Playwright: with a route on the page, the form Chromium posts as the session
    ends (tests/browser/test_timeout_warning.py) reached the server without what was
    typed. A page such a test leaves at once may then go unchecked."""
    routed = request.node.get_closest_marker("not_routed") is None
    opened = CheckedPages(browser, live_server.url, html_checker, routed=routed)
    yield opened
    opened.close_all()


@pytest.fixture
def page(pages):
    return pages.new_page()


@pytest.fixture
def live_standard(transactional_db):
    """The Standard loaded into the database the live server reads."""
    call_command("loaddata", "standard_lgdss_1_0", verbosity=0)


def assert_accessible(page):
    """Run axe-core on the page and fail with a readable list of any WCAG A/AA violations."""
    violations = _axe_violations(page)
    assert violations == [], f"axe found violations on {page.url}:\n" + _described(violations)
