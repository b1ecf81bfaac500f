"""Nothing typed is lost: a point's evidence survives the session ending or a failed CSRF check.

The person signs in again and is back on the point with what they typed in the form and
a notice that it is not saved yet. Only they see it, only there, for two hours.
"""

import re
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assessments import services
from assessments.models import ReviewerPoint, Service
from lgdss import unsaved
from tests.conftest import PASSWORD
from tests.html import outline

TYPED = "We interviewed 12 residents & watched 5 use the form."
NOTICE = "Your changes have not been saved yet"
ORIGIN = "http://testserver"


@pytest.fixture
def draft(coventry, coventry_lead, standard):
    bins = Service.objects.create(council=coventry, name="Report a missed bin", phase="beta")
    return services.start_assessment(bins, by=coventry_lead, phase="beta")


@pytest.fixture
def point(draft):
    return reverse("assessments:edit_point", args=["cov", draft.pk, 1])


def typed(**changes):
    return {
        "revision": "0",
        "answer": "4",
        "evidence": TYPED,
        "not_applicable_reason": "",
        "action": "later",
        "links-TOTAL_FORMS": "1",
        "links-INITIAL_FORMS": "0",
        "links-0-title": "Research notes",
        "links-0-url": "https://example.com/notes",
        **changes,
    }


def signed_in(email, **client_options):
    client = Client(**client_options)
    client.get(reverse("assessments:sign_in"))  # the CSRF cookie, as a browser gets it
    response = client.post(
        reverse("assessments:sign_in"), with_token(client, {"email": email, "password": PASSWORD})
    )
    assert response.status_code == 302
    return client


def with_token(client, data):
    """The form's CSRF token, as the page would have it."""
    return {"csrfmiddlewaretoken": client.cookies["csrftoken"].value, **data}


def end_session(client, ago=timedelta(minutes=1)):
    """The session ends on the server as it does after 120 idle minutes; the browser
    still sends its cookie."""
    Session.objects.filter(session_key=client.cookies["sessionid"].value).update(
        expire_date=timezone.now() - ago
    )


def sign_in_again(client, email, next_page):
    client.get(f"{reverse('assessments:sign_in')}?next={next_page}")
    response = client.post(
        reverse("assessments:sign_in"),
        with_token(client, {"email": email, "password": PASSWORD, "next": next_page}),
    )
    assert response.status_code == 302
    assert response["Location"] == next_page


def textarea(html, name):
    found = re.search(rf'<textarea[^>]* name="{name}"[^>]*>(.*?)</textarea>', html, re.S)
    return found and found.group(1)


def evidence_saved(draft):
    return draft.points.get(point__number=1).evidence


# --- The session ended while they typed ----------------------------------------------


def test_text_typed_when_the_session_ended_is_back_in_the_form_after_signing_in(
    draft, point, coventry_lead
):
    browser = signed_in("lead@coventry.example")
    browser.get(point)
    end_session(browser)

    response = browser.post(point, typed())

    assert response.status_code == 302
    assert response["Location"] == f"/sign-in/?next={point}"
    assert evidence_saved(draft) == ""
    sign_in_page = browser.get(response["Location"]).content.decode()
    assert "Sign in again to get back to them: they have not been saved yet" in sign_in_page

    sign_in_again(browser, "lead@coventry.example", point)
    page = browser.get(point)
    html = page.content.decode()
    assert NOTICE in html
    assert textarea(html, "evidence") == "We interviewed 12 residents &amp; watched 5 use the form."
    assert 'value="Research notes"' in html
    assert 'value="https://example.com/notes"' in html
    assert re.search(r'value="4"[^>]* checked', html)
    assert outline(page)[0] == 1
    assert evidence_saved(draft) == "", "shown, not saved"

    # Still there after a reload; gone once they save.
    assert NOTICE in browser.get(point).content.decode()
    browser.post(point, typed())
    assert evidence_saved(draft) == TYPED
    assert NOTICE not in browser.get(point).content.decode()


def test_someone_else_signing_in_on_that_browser_does_not_see_the_text(
    draft, point, coventry_lead, coventry_contributor
):
    browser = signed_in("lead@coventry.example")
    end_session(browser)
    browser.post(point, typed())

    sign_in_again(browser, "editor@coventry.example", point)
    html = browser.get(point).content.decode()
    assert TYPED not in html
    assert "12 residents" not in html
    assert NOTICE not in html
    assert unsaved.SESSION_FIELD not in browser.session


def test_kept_text_is_only_shown_on_the_page_it_was_typed_on(draft, point, coventry_lead):
    browser = signed_in("lead@coventry.example")
    end_session(browser)
    browser.post(point, typed())
    sign_in_again(browser, "lead@coventry.example", point)

    other_point = reverse("assessments:edit_point", args=["cov", draft.pk, 2])
    assert NOTICE not in browser.get(other_point).content.decode()
    assert NOTICE in browser.get(point).content.decode()


def test_kept_text_is_forgotten_after_two_hours(draft, point, coventry_lead):
    browser = signed_in("lead@coventry.example")
    end_session(browser)
    browser.post(point, typed())
    sign_in_again(browser, "lead@coventry.example", point)

    session = browser.session  # as if it had been kept two hours and a minute ago
    session[unsaved.SESSION_FIELD]["kept_at"] = (
        timezone.now() - unsaved.KEEP_FOR - timedelta(minutes=1)
    ).isoformat()
    session.save()
    response = browser.get(point)
    assert response.status_code == 200
    html = response.content.decode()
    assert NOTICE not in html
    assert "12 residents" not in html
    assert unsaved.SESSION_FIELD not in browser.session


def test_nothing_is_kept_from_a_session_that_ended_more_than_two_hours_ago(
    draft, point, coventry_lead
):
    browser = signed_in("lead@coventry.example")
    end_session(browser, ago=unsaved.KEEP_FOR + timedelta(minutes=1))
    response = browser.post(point, typed())

    assert response["Location"] == f"/sign-in/?next={point}"
    assert unsaved.SESSION_FIELD not in browser.session


def test_a_visitor_who_never_signed_in_has_nothing_kept(client, draft, point):
    response = client.post(point, typed())

    assert response["Location"] == f"/sign-in/?next={point}"
    assert unsaved.SESSION_FIELD not in client.session
    assert evidence_saved(draft) == ""


def test_passwords_and_the_csrf_token_are_never_kept(draft, point, coventry_lead):
    browser = signed_in("lead@coventry.example")
    end_session(browser)
    browser.post(
        point,
        typed(password="hunter2-secret", new_Password1="x", csrfmiddlewaretoken="a" * 64),
    )

    kept = dict(browser.session[unsaved.SESSION_FIELD]["fields"])
    assert kept["evidence"] == [TYPED]
    assert not {"password", "new_Password1", "csrfmiddlewaretoken"} & kept.keys()


def test_too_much_text_is_not_kept_and_the_person_is_told(draft, point, coventry_lead):
    browser = signed_in("lead@coventry.example")
    end_session(browser)
    response = browser.post(point, typed(evidence="x" * unsaved.LIMIT), follow=True)

    assert unsaved.SESSION_FIELD not in browser.session
    assert "they were too long to keep" in response.content.decode()


# --- The CSRF check failed -----------------------------------------------------------


@pytest.mark.parametrize(
    "token",
    [pytest.param(None, id="token missing"), pytest.param("x" * 32, id="token wrong")],
)
def test_text_sent_with_a_bad_csrf_token_is_kept_and_shown_again(
    draft, point, coventry_lead, token
):
    browser = signed_in("lead@coventry.example", enforce_csrf_checks=True)
    browser.get(point)
    data = typed() if token is None else typed(csrfmiddlewaretoken=token)

    response = browser.post(point, data, HTTP_ORIGIN=ORIGIN)

    assert response.status_code == 403
    assert outline(response) == (1, f"{NOTICE} – Council digital service assessments")
    html = response.content.decode()
    assert "We have kept what you typed" in html
    assert f'href="{point}">Go back to the page with what you typed' in html
    assert evidence_saved(draft) == ""

    page = browser.get(point).content.decode()
    assert NOTICE in page
    assert textarea(page, "evidence") == "We interviewed 12 residents &amp; watched 5 use the form."
    assert evidence_saved(draft) == ""


def test_a_bad_csrf_token_after_the_session_ended_sends_them_to_sign_in(
    draft, point, coventry_lead
):
    browser = signed_in("lead@coventry.example", enforce_csrf_checks=True)
    end_session(browser)

    response = browser.post(point, typed(csrfmiddlewaretoken="x" * 32), HTTP_ORIGIN=ORIGIN)

    assert response.status_code == 403
    assert f'href="/sign-in/?next={point.replace("/", "%2F")}"' in response.content.decode()
    sign_in_again(browser, "lead@coventry.example", point)
    assert NOTICE in browser.get(point).content.decode()


def test_a_form_forged_by_another_site_keeps_nothing(draft, point, coventry_lead):
    browser = signed_in("lead@coventry.example", enforce_csrf_checks=True)

    response = browser.post(point, typed(), HTTP_ORIGIN="https://evil.example")

    assert response.status_code == 403
    assert outline(response) == (
        1,
        "Sorry, we could not accept that form – Council digital service assessments",
    )
    assert unsaved.SESSION_FIELD not in browser.session
    assert NOTICE not in browser.get(point).content.decode()


def test_csrf_failure_elsewhere_gets_our_page_with_a_way_back(client, db):
    browser = Client(enforce_csrf_checks=True)
    response = browser.post(
        reverse("assessments:sign_in"),
        {"email": "lead@coventry.example", "password": PASSWORD},
        HTTP_ORIGIN=ORIGIN,
        HTTP_REFERER=f"{ORIGIN}/sign-in/",
    )

    assert response.status_code == 403
    assert outline(response) == (
        1,
        "Sorry, we could not accept that form – Council digital service assessments",
    )
    html = response.content.decode()
    assert f'href="{ORIGIN}/sign-in/">Go back to the page' in html
    assert unsaved.SESSION_FIELD not in browser.session
    assert PASSWORD not in html


def test_a_new_services_description_survives_the_session_ending(coventry, coventry_lead):
    add = reverse("assessments:add_service", args=["cov"])
    browser = signed_in("lead@coventry.example")
    end_session(browser)
    description = "Residents apply for a permit and renew it every year."
    browser.post(add, {"name": "Parking permits", "description": description, "phase": "alpha"})

    sign_in_again(browser, "lead@coventry.example", add)
    html = browser.get(add).content.decode()
    assert NOTICE in html
    assert textarea(html, "description").strip() == description
    assert not Service.objects.exists()


def test_a_reviewers_comments_survive_the_session_ending(in_review, peer_reviewer):
    page = reverse("assessments:review_point", args=["cov", in_review.pk, 1])
    browser = signed_in(peer_reviewer.email)
    browser.get(page)
    end_session(browser)
    typed_comment = {"answer": "4", "done_well": "Residents & staff.", "revision": "0"}
    assert browser.post(page, typed_comment).status_code == 302
    assert not ReviewerPoint.objects.exists()

    sign_in_again(browser, peer_reviewer.email, page)
    html = browser.get(page).content.decode()
    assert NOTICE in html
    assert textarea(html, "done_well") == "Residents &amp; staff."
    assert re.search(r'value="4"[^>]* checked', html)
    assert not ReviewerPoint.objects.exists(), "shown, not saved"
