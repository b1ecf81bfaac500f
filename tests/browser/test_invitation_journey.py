"""A council lead invites a colleague, who sets up an account and lands in their council."""

import re

from django.core import mail
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible
from tests.conftest import PASSWORD
from tests.worker import run_tasks


def sign_in(page, email, password=PASSWORD):
    page.goto("/")
    page.get_by_role("link", name="Sign in").click()
    assert_accessible(page)
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_lead_invites_a_colleague_who_sets_a_password_and_is_signed_in_as_a_member(
    page, pages, coventry_lead
):
    sign_in(page, "lead@coventry.example")
    expect(page.locator("h1")).to_have_text("Your work")
    assert_accessible(page)
    page.get_by_role("link", name="Your account").click()
    expect(page.locator("h1")).to_have_text("Your account")

    page.get_by_role("link", name="Manage members of Coventry").click()
    expect(page.locator("h1")).to_have_text("Members")
    assert_accessible(page)

    page.get_by_role("button", name="Invite someone").click()
    assert_accessible(page)
    page.get_by_role("button", name="Send invitation").click()  # nothing filled in
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter your email address")
    expect(page).to_have_title(re.compile(r"^Error: "))
    assert_accessible(page)

    page.get_by_label("Their work email address").fill("Priya.Patel@coventry.example")
    page.get_by_role("radio", name=re.compile(r"^Contributor")).check()
    page.get_by_role("button", name="Send invitation").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Invitation sent to priya.patel@coventry.example"
    )
    expect(page.locator("table").nth(1)).to_contain_text("priya.patel@coventry.example")
    assert_accessible(page)

    run_tasks()  # the worker sends the email
    assert len(mail.outbox) == 1
    link = re.search(r"http://\S+(/invitations/accept/\S+/)", mail.outbox[0].body).group(1)

    # The colleague opens the link in their own browser.
    colleague = pages.new_page()
    colleague.goto(link)
    expect(colleague.locator("h1")).to_have_text("Set up your account")
    assert_accessible(colleague)
    colleague.get_by_label("Full name").fill("Priya Patel")
    colleague.get_by_label("Create a password").fill("short")
    colleague.get_by_label("Confirm password").fill("short")
    colleague.get_by_role("button", name="Create account").click()
    expect(colleague.locator(".govuk-error-summary")).to_contain_text("This password is too short")
    expect(colleague.get_by_label("Full name")).to_have_value("Priya Patel")
    assert_accessible(colleague)

    colleague.get_by_label("Create a password").fill("a-good-long-passphrase-2026")
    colleague.get_by_label("Confirm password").fill("a-good-long-passphrase-2026")
    colleague.get_by_role("button", name="Create account").click()

    expect(colleague.locator(".govuk-notification-banner")).to_contain_text(
        "You are now a contributor for Coventry"
    )
    expect(colleague.locator("h1")).to_have_text("Members")
    expect(colleague.get_by_role("link", name="Your account")).to_be_visible()
    expect(colleague.get_by_role("button", name="Invite someone")).to_have_count(0)
    assert_accessible(colleague)

    # The link is used up.
    colleague.goto(link)
    expect(colleague.locator("h1")).to_have_text("This invitation has already been used")
    pages.close(colleague)
