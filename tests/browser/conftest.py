"""Browser tests: Playwright driving the system's Chromium, with axe-core.

Playwright cannot download its own browsers here, so it launches Debian's
Chromium. Without Chromium these tests skip with the reason, except under
CI=true, where a missing browser is a failure.

Every test's `page` runs under the site's Content Security Policy, and fails if
the browser blocks anything on any page it visits.
"""

import os
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
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


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url)
    context.set_default_timeout(10_000)
    violations = policy_violations(context)
    page = context.new_page()
    yield page
    context.close()
    found = "\n".join(violations)
    assert not violations, f"Policy violations (or a Permissions-Policy not understood):\n{found}"


@pytest.fixture
def live_standard(transactional_db):
    """The Standard loaded into the database the live server reads."""
    call_command("loaddata", "standard_lgdss_1_0", verbosity=0)


def assert_accessible(page):
    """Run axe-core on the page and fail with a readable list of any WCAG A/AA violations."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # Evaluated, not added as a <script>, which the page's policy would block.
        page.evaluate(AXE.read_text())
    violations = page.evaluate(
        "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}}))"
        ".violations.map(v => ({id: v.id, help: v.help, nodes: v.nodes.map(n => n.target.join(' '))}))",
        WCAG_TAGS,
    )
    assert violations == [], f"axe found violations on {page.url}:\n" + "\n".join(
        f"- {v['id']}: {v['help']} ({', '.join(v['nodes'][:5])})" for v in violations
    )
