"""A coordinator sets up two-factor authentication when they first sign in, then signs in
with a code from their app, and once with a recovery code.

The test plays the authenticator app: it reads the key the page shows as text and
works out the codes from it, as an app would.
"""

import re
import time
from base64 import b32decode

from django_otp.oath import TOTP
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible
from tests.browser.test_invitation_journey import sign_in


def code_from(key, steps=0):
    """The code an app set up with `key` shows now, or `steps` periods of 30 seconds on."""
    totp = TOTP(b32decode(key.replace(" ", "")))
    totp.time = time.time() + steps * 30
    return f"{totp.token():06d}"


def sign_out(page):
    page.get_by_role("link", name="Sign out").click()
    page.get_by_role("button", name="Sign out").click()


def test_coordinator_sets_up_two_factor_authentication_and_signs_in_with_a_code(
    browser, live_server, page, coordinator
):
    sign_in(page, "coordinator@lgdss.example")
    expect(page.locator("h1")).to_have_text("Set up two-factor authentication")
    expect(page.get_by_role("img", name="QR code to scan with your app")).to_be_visible()
    assert_accessible(page)

    # They try to go elsewhere first: only set-up is open to them.
    page.goto("/account/")
    expect(page.locator("h1")).to_have_text("Set up two-factor authentication")

    key = page.locator("#secret-key").inner_text()
    assert re.fullmatch(r"([A-Z2-7]{4} ){7}[A-Z2-7]{4}", key)
    page.get_by_label("Security code").fill("12345")
    page.get_by_role("button", name="Turn on two-factor authentication").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "The security code must be 6 digits"
    )
    assert_accessible(page)
    page.get_by_label("Security code").fill(code_from(key))
    page.get_by_role("button", name="Turn on two-factor authentication").click()

    expect(page.locator("h1")).to_have_text("Save your recovery codes")
    assert_accessible(page)
    recovery_codes = page.locator(".app-recovery-codes code").all_inner_texts()
    assert len(recovery_codes) == 10
    page.get_by_role("button", name="I have saved my recovery codes").click()
    expect(page.locator("h1")).to_have_text("Your account")
    page.get_by_role("link", name="Change two-factor authentication").click()
    expect(page.locator("h1")).to_have_text("Two-factor authentication")
    assert_accessible(page)
    page.get_by_role("link", name="Make new codes").click()
    expect(page.locator("h1")).to_have_text("Make new recovery codes")
    assert_accessible(page)
    page.get_by_role("link", name="Back", exact=True).click()
    page.get_by_role("button", name="Turn off two-factor authentication").click()
    expect(page.locator("h1")).to_have_text("Turn off two-factor authentication")
    assert_accessible(page)
    sign_out(page)

    # Next time: the password, then the code from the app.
    sign_in(page, "coordinator@lgdss.example")
    expect(page.locator("h1")).to_have_text("Enter the security code from your app")
    code_field = page.get_by_label("Security code")
    expect(code_field).to_have_attribute("autocomplete", "one-time-code")
    expect(code_field).to_have_attribute("inputmode", "numeric")
    assert_accessible(page)
    right = {code_from(key, steps) for steps in (-1, 0, 1)}
    code_field.fill(next(c for c in ("111111", "222222", "333333") if c not in right))
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("The security code is not correct")
    expect(page).to_have_title(re.compile(r"^Error: "))
    assert_accessible(page)
    # The code of the set-up was used: the app's next one.
    page.get_by_label("Security code").fill(code_from(key, steps=1))
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("h1")).to_have_text("Your work")
    # The admin lets them in (asked for, not shown: its pages are Django's, not checked here).
    admin = page.request.get("/admin/")
    assert admin.ok
    assert "Councils, peer groups and people" in admin.text()
    page.goto("/account/")
    sign_out(page)

    # Without the app: a recovery code, once.
    sign_in(page, "coordinator@lgdss.example")
    page.get_by_role("link", name="Use a recovery code instead").click()
    expect(page.locator("h1")).to_have_text("Enter a recovery code")
    assert_accessible(page)
    page.get_by_label("Recovery code").fill(recovery_codes[0])
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("h1")).to_have_text("Your work")
    expect(page.get_by_text("You have 9 recovery codes left")).to_be_visible()
    assert_accessible(page)
