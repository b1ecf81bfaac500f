"""Browser tests: Playwright driving the system's Chromium, with axe-core.

Playwright cannot download its own browsers here, so it launches Debian's
Chromium. Without Chromium these tests skip with the reason, except under
CI=true, where a missing browser is a failure.

Every test's `page` runs under the site's Content Security Policy, and fails if
the browser blocks anything on any page it visits. It also checks every page it
loads: axe-core for WCAG 2.2 A and AA, and the Nu HTML Checker (vnu.jar, run once as
a local service for the whole session) for valid HTML. Tests still call
`assert_accessible` after changing a page with JavaScript, which no load reports.
"""

import json
import os
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command

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


CHECKED = {"axe": 0, "left": 0, "html": 0, "admin": 0}


def pytest_terminal_summary(terminalreporter):
    if CHECKED["axe"] or CHECKED["html"]:
        terminalreporter.write_line(
            f"Pages loaded and checked: {CHECKED['axe']} with axe-core "
            f"({CHECKED['left']} left before axe could run, {CHECKED['admin']} of Django's "
            "admin not checked), "
            f"{CHECKED['html']} with the Nu HTML Checker"
        )


# Django's own admin, used by coordinators, is not checked on load: its own markup and
# widgets have gaps we do not control (the select2 search box and the inline "delete"
# checkboxes have no labels; a <div> with `disabled`). Our pages are all checked.
DJANGO_ADMIN = "/admin/"


def check_every_page(page, checker):
    """Checks each page the browser loads: axe-core on the page as drawn, and the HTML
    the server sent through the Nu HTML Checker. Returns the list of problems, which
    fills as the test goes on."""
    problems = []

    def on_response(response):
        if response.request.resource_type != "document" or checker is None:
            return
        if urlsplit(response.url).path.startswith(DJANGO_ADMIN):
            return
        if "text/html" not in (response.headers.get("content-type") or ""):
            return
        try:
            html = response.text()
        except Exception:  # the browser has already let go of a redirect's body
            return
        errors = html_errors(checker, html)
        CHECKED["html"] += 1
        if errors:
            problems.append(f"Invalid HTML on {response.url}:\n- " + "\n- ".join(errors))

    # axe-core runs when a page has loaded, while the test carries on. A test that moves
    # on at once may leave the page first: that page goes unchecked (counted apart), so
    # tests still call `assert_accessible` on each page they mean to prove.
    def on_load(loaded):
        if urlsplit(loaded.url).path.startswith(DJANGO_ADMIN):
            CHECKED["admin"] += 1
            return
        try:
            violations = _axe_violations(loaded)
        except Exception:  # the test moved on to another page first
            CHECKED["left"] += 1
            return
        CHECKED["axe"] += 1
        if violations:
            problems.append(f"axe found violations on {loaded.url}:\n{_described(violations)}")

    page.on("response", on_response)
    page.on("load", on_load)
    return problems


@pytest.fixture
def page(browser, live_server, html_checker):
    context = browser.new_context(base_url=live_server.url)
    context.set_default_timeout(10_000)
    violations = policy_violations(context)
    page = context.new_page()
    problems = check_every_page(page, html_checker)
    yield page
    context.close()
    found = "\n".join(violations)
    assert not violations, f"Policy violations (or a Permissions-Policy not understood):\n{found}"
    assert not problems, "\n".join(problems)


@pytest.fixture
def live_standard(transactional_db):
    """The Standard loaded into the database the live server reads."""
    call_command("loaddata", "standard_lgdss_1_0", verbosity=0)


def assert_accessible(page):
    """Run axe-core on the page and fail with a readable list of any WCAG A/AA violations."""
    violations = _axe_violations(page)
    assert violations == [], f"axe found violations on {page.url}:\n" + _described(violations)
