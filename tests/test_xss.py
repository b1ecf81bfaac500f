"""Every payload of tests/xss.py, typed into every field that is shown back, and every
page (and email) that shows it: none may carry markup that runs.

For each payload, in a savepoint rolled back afterwards (so each payload is checked on
its own), one small world is built with the payload in every field at once, each
field saved through its real view as a person would type it: a newcomer accepts an
invitation under that name, adds a service with that name, description, address,
owner, supplier and product, assesses it (evidence, a not-applicable reason, a link's
title and a link's address), withdraws it with that reason and invites someone at an
address made of it. Every page that shows any of this is then read once: the check
finds no executable markup, and finds each saved field that the page should show,
escaped, so a page that stopped showing a field cannot pass for a safe one. A field
that refuses the payload is checked where it refuses it: the form says why and shows
back what was typed. Reading each page once for all the fields it shows keeps the
number of requests to about forty a payload; still, locally the sweep types every
third payload of each group, and CI all of them (see `payloads_for_pages`).
"""

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from assessments import services
from assessments.models import Council, Invitation, InvitationRole, Service, StatusChange, User
from assessments.notifications import KINDS
from lgdss.public_pages import recent
from tests.conftest import PASSWORD
from tests.test_markdown import assert_safe
from tests.xss import (
    ADDRESSES,
    BREAKOUTS,
    MARKDOWN,
    MARKUP,
    PARSER_TRICKS,
    PAYLOADS,
    TEMPLATES,
    as_email,
    executable_markup,
    payloads_for_pages,
    styles_in,
)

_EMAILS = Path(settings.BASE_DIR, "assessments", "templates", "assessments", "emails")
# The inline styles our email templates give their own markup.
EMAIL_STYLES = frozenset().union(*(styles_in(path.read_text()) for path in _EMAILS.glob("*.html")))


def url(name, *args):
    return reverse(f"assessments:{name}", args=args)


# --- checking pages ------------------------------------------------------------------


def shows(html, value):
    """Whether `html` shows `value` escaped: its longest line, as the templates write it."""
    line = max((line.strip() for line in value.splitlines()), key=len, default="")
    return escape(line) in html


@dataclass
class Report:
    """What the pages showed, for every payload: the numbers, and any problem found."""

    name: str
    payloads: int = 0
    requests: int = 0  # pages and emails read
    seen: set = field(default_factory=set)  # their names
    checks: Counter = field(default_factory=Counter)  # field -> (payload, page) pairs read
    pages: dict = field(default_factory=dict)  # field -> the pages and emails showing it
    saved: Counter = field(default_factory=Counter)
    refused: Counter = field(default_factory=Counter)
    problems: list = field(default_factory=list)
    payload: str = ""

    def page(self, name, response, fields=None):
        """Check one page: no executable markup, and each of `fields` ({field: value
        saved}) on it. A field whose value was not saved (None) is not looked for."""
        assert response.status_code < 500, (name, self.payload)
        self._html(name, response.content.decode(), fields or {})

    def email(self, name, message, fields=None):
        """Check the HTML part of an email as a page (with our own inline styles)."""
        html = next(
            content for content, mimetype in message.alternatives if mimetype == "text/html"
        )
        self._html(name, html, fields or {}, allowed_styles=EMAIL_STYLES)

    def _html(self, name, html, fields, allowed_styles=frozenset()):
        self.requests += 1
        self.seen.add(name)
        found = executable_markup(html, allowed_styles=allowed_styles)
        for field_name, value in fields.items():
            if value is None:
                continue
            self.checks[field_name] += 1
            self.pages.setdefault(field_name, set()).add(name)
            if not shows(html, value):
                found.append(f"{field_name} is not on the page")
        self.problems += [f"{name}: {problem} (payload {self.payload[:60]!r})" for problem in found]

    def save(self, field_name, value, page, response, typed):
        """Note whether `field_name` took the payload: `value` as saved, or None when the
        form refused it, which it must say, showing back what was typed. Returns `value`."""
        if value is not None:
            self.saved[field_name] += 1
            return value
        self.refused[field_name] += 1
        assert 'class="govuk-error-summary"' in response.content.decode(), (page, self.payload)
        self.page(f"{page}, refused", response, {field_name: typed})
        return None

    def summary(self):
        lines = [
            f"{self.name}: {self.payloads} payloads, {len(self.seen)} different pages and "
            f"emails, {self.requests} read"
        ]
        for field_name in sorted(self.saved.keys() | self.refused.keys() | self.checks.keys()):
            lines.append(
                f"  {field_name}: saved {self.saved[field_name]}, refused "
                f"{self.refused[field_name]}; shown on {len(self.pages.get(field_name, ()))} "
                f"pages and emails, {self.checks[field_name]} checks"
            )
        return "\n".join(lines)


def each_payload(report, scenario):
    """Run `scenario(payload)` for each payload of `payloads_for_pages`, undoing what it
    saved each time."""
    for payload in payloads_for_pages():
        report.payload = payload
        report.payloads += 1
        with transaction.atomic():
            scenario(payload)
            transaction.set_rollback(True)
    print("\n" + report.summary())
    assert not report.problems, "\n".join(report.problems)


@pytest.fixture
def team(standard, coventry, coventry_lead, coventry_contributor, coordinator, client_for):
    return SimpleNamespace(
        council=coventry,
        lead_user=coventry_lead,
        lead=client_for(coventry_lead),
        contributor=client_for(coventry_contributor),
        coordinator_user=coordinator,
        coordinator=client_for(coordinator),
    )


# --- what people type -------------------------------------------------------------------


def service_answers(service=None, **typed):
    """The service form as opened for `service` (or empty), with `typed` typed in."""
    data = {
        "name": "Apply for a parking permit",
        "description": "",
        "url": "",
        "phase": "beta",
        "owner": "",
        "sourcing": "in_house",
        "product": "",
        "suggested_supplier": "",
        "suggested_product": "",
    }
    if service is not None:
        data = {name: getattr(service, name) for name in data} | {"revision": service.revision}
        data["product"] = "not-listed" if service.sourcing == "bought" else ""
    return data | typed


def point_answers(*, revision=0, answer="3", evidence="", reason="", links=()):
    data = {
        "revision": str(revision),
        "answer": answer,
        "evidence": evidence,
        "not_applicable_reason": reason,
        "action": "later",
        "links-TOTAL_FORMS": str(len(links)),
        "links-INITIAL_FORMS": "0",
    }
    for number, (title, address) in enumerate(links):
        data[f"links-{number}-title"] = title
        data[f"links-{number}-url"] = address
    return data


def complete_and_submit(assessment, by):
    """Score the points not yet answered, with evidence where there is none (directly:
    they are not what is tested), then submit."""
    assessment.points.filter(score__isnull=True, not_applicable=False).update(score=3)
    assessment.points.filter(not_applicable=False, evidence="").update(evidence="Interviews.")
    return services.submit(assessment, by=by)


def email(kind, about, to="someone@example.com", recipient=None):
    return KINDS[kind].message(about, to, recipient)


# --- the fields --------------------------------------------------------------------------

NEWCOMER = "new.lead@coventry.example"
SERVICE_DETAILS = ["description", "owner", "suggested_supplier", "suggested_product"]
SERVICE_FIELDS = ["service name", "url", *SERVICE_DETAILS]
# What a point's form takes for each field, and what of the saved answer to read back.
POINT_FIELDS = {
    "evidence": ({"evidence"}, lambda answer: answer.evidence),
    "not-applicable reason": ({"answer", "reason"}, lambda answer: answer.not_applicable_reason),
    "link title": ({"links"}, lambda answer: answer.links.get().title),
    "link address": ({"links"}, lambda answer: answer.links.get().url),
}


def typed_into_point(payload, names):
    typed = {}
    for name in names:
        if name == "evidence":
            typed["evidence"] = payload
        elif name == "not-applicable reason":
            typed |= {"answer": "na", "reason": payload}
        elif name == "link title":
            typed["links"] = [(payload, "https://example.com/report")]
        else:
            typed["links"] = [("Report", payload)]
    return typed


def typed_into_service(service, payload, names):
    typed = {"name" if name == "service name" else name: payload for name in names}
    if {"suggested_supplier", "suggested_product"} & set(names):
        # A product not listed needs both names: the one saved, or an example.
        typed = {
            "suggested_supplier": service.suggested_supplier or "Bartec",
            "suggested_product": service.suggested_product or "Bins",
            **typed,
        }
        typed |= {"sourcing": "bought", "product": "not-listed"}
    return service_answers(service, **typed)


def test_no_payload_runs_from_a_service_its_assessment_or_the_people_on_it(team):
    report = Report("A service, its assessment and the people working on it")
    council = team.council

    def scenario(payload):
        saved = {}  # field -> its value as saved, or None if the form refused the payload

        def show(*names, **values):
            """The saved values of these fields, for a page that shows them."""
            return {name: saved.get(name) for name in names} | values

        def save_together(names, post, read_back, page):
            """Type the payload into the fields `names` and send the form once; if it is
            refused, try each field on its own, so each is judged by itself. Returns the
            groups of fields saved together (each group's `post` answer)."""
            groups = [names] if len(names) == 1 else [names, *([name] for name in names)]
            for group in groups:
                response, target = post(group)
                values = read_back(target) if response.status_code == 302 else None
                if values is None and len(group) > 1:
                    continue  # one of them refused it: try each on its own
                for name in group:
                    value = values and values[name]
                    saved[name] = report.save(name, value, page, response, payload)
                if values is not None and len(group) > 1:
                    return [group]
            return [[name] for name in names]

        # A newcomer accepts an invitation, under the payload as their name.
        invitation = services.invite(
            by=team.lead_user, email=NEWCOMER, role=InvitationRole.LEAD, council=council
        )
        accept = url("accept_invitation", invitation.issue_token())
        newcomer = Client()
        typed = {"full_name": payload, "new_password1": PASSWORD, "new_password2": PASSWORD}
        response = newcomer.post(accept, typed, follow=True)
        user = User.objects.filter(email=NEWCOMER).first()
        name = user and user.full_name
        saved["full name"] = report.save(
            "full name", name, "Set up your account", response, payload
        )
        if user is None:
            newcomer.post(accept, {**typed, "full_name": "Nia Newcomer"})
            user = User.objects.get(email=NEWCOMER)
        else:
            report.page("Members, just joined", response, show("full name"))

        # They add a service with the payload as its name, its address and its details.
        response = newcomer.post(
            url("add_service", council), service_answers(name=payload), follow=True
        )
        service = Service.objects.filter(council=council).first()
        value = service and service.name
        saved["service name"] = report.save(
            "service name", value, "Add a service", response, payload
        )
        if service is None:
            newcomer.post(url("add_service", council), service_answers())
            service = Service.objects.get(council=council)
        else:
            report.page("Service, just added", response, show("service name"))
        edit = url("edit_service", council, service.pk)

        def post_service(names):
            service.refresh_from_db()
            return newcomer.post(edit, typed_into_service(service, payload, names)), service

        def read_service(service):
            service.refresh_from_db()
            return {name: getattr(service, name) for name in ["url", *SERVICE_DETAILS]}

        for names in (["url"], SERVICE_DETAILS):
            save_together(names, post_service, read_service, "Change the service")
        service.refresh_from_db()
        response = team.lead.get(service.get_absolute_url())
        report.page("Service", response, show(*SERVICE_FIELDS))
        response = team.lead.get(url("service_list", council))
        shown = show("service name", "suggested_supplier", "suggested_product")
        report.page("Digital services", response, shown)
        report.page("Change the service", team.lead.get(edit), show(*SERVICE_FIELDS))
        # Someone else saved first: the page shows what is saved now beside what was typed.
        response = team.lead.post(edit, {**service_answers(service), "revision": "-1"})
        page = "Change the service, after someone else saved"
        report.page(page, response, show(*SERVICE_FIELDS))
        for page, view in [
            ("Retire the service", "retire_service"),
            ("Start an assessment", "start_assessment"),
        ]:
            response = team.lead.get(url(view, council, service.pk))
            report.page(page, response, show("service name"))

        # They assess it, with the payload in every field of a point's answer.
        response = newcomer.post(
            url("start_assessment", council, service.pk), {"phase": "beta"}, follow=True
        )
        report.page("Assessment, just started", response, show("service name", "full name"))
        assessment = service.assessments.get()
        free_points = iter(range(1, 16))
        points = {}  # point number -> the fields typed into it

        def post_point(names):
            number = next(free_points)
            points[number] = names
            address = url("edit_point", council, assessment.pk, number)
            return newcomer.post(address, point_answers(**typed_into_point(payload, names))), number

        def read_point(number):
            answer = assessment.points.get(point__number=number)
            return {
                name: read(answer) for name in points[number] for read in [POINT_FIELDS[name][1]]
            }

        # A link's address is refused more often than not, so it has a point of its own.
        together = ["evidence", "not-applicable reason", "link title"]
        save_together(together, post_point, read_point, "Point")
        save_together(["link address"], post_point, read_point, "Point")
        for number, names in points.items():
            if not assessment.points.get(point__number=number).revision:
                continue  # refused
            address = url("edit_point", council, assessment.pk, number)
            shown = show("service name", "full name", *names)
            report.page(f"Point {number}", team.lead.get(address), shown)
            # Evidence is rendered from Markdown where it is read: not the text typed.
            read = show("service name", "full name", *(n for n in names if n != "evidence"))
            report.page(f"Point {number}, to read", team.coordinator.get(address), read)
            # Someone else saved first: their version is shown beside what this person typed.
            typed = point_answers(**typed_into_point(payload, names))
            response = team.lead.post(address, typed)
            report.page(f"Point {number}, after someone else saved", response, shown)
        point_fields = ["not-applicable reason", "link title", "link address"]
        for page, view, names in [
            ("Assessment", "assessment", ["service name", "full name"]),
            ("Check answers", "check_answers", ["service name", *point_fields]),
            ("History", "assessment_history", ["service name", "full name", *point_fields]),
            ("Delete the draft", "delete_assessment", ["service name"]),
        ]:
            response = team.lead.get(url(view, council, assessment.pk))
            report.page(page, response, show(*names))

        # Submitted while someone was typing: what they typed comes back, not saved.
        complete_and_submit(assessment, user)
        typed = point_answers(revision=1, answer="na", evidence=payload, reason=payload)
        response = team.lead.post(url("edit_point", council, assessment.pk, 1), typed)
        shown = show("service name", evidence=payload, **{"not-applicable reason": payload})
        report.page("Point 1, not saved after submission", response, shown)
        message = email("assessment_submitted", assessment)
        report.email("Email: assessment submitted", message, show("service name", "full name"))
        for page, view in [
            ("Assessment submitted", "assessment_submitted"),
            ("Withdraw the assessment", "withdraw_assessment"),
        ]:
            response = team.lead.get(url(view, council, assessment.pk))
            report.page(page, response, show("service name"))

        # They withdraw it, with the payload as the reason.
        response = newcomer.post(
            url("withdraw_assessment", council, assessment.pk), {"reason": payload}, follow=True
        )
        change = StatusChange.objects.filter(assessment=assessment, to_status="withdrawn").first()
        value = change and change.reason
        page = "Withdraw the assessment"
        saved["withdrawal reason"] = report.save(
            "withdrawal reason", value, page, response, payload
        )
        if change is None:
            services.withdraw(assessment, by=user, reason="Started again")
        else:
            shown = show("service name", "full name", "withdrawal reason")
            report.page("Assessment, just withdrawn", response, shown)
        response = team.lead.get(url("assessment_history", council, assessment.pk))
        report.page("History, withdrawn", response, show("full name", "withdrawal reason"))
        message = email("assessment_withdrawn", assessment, recipient=team.lead_user)
        shown = show("service name", "full name", "withdrawal reason")
        report.email("Email: assessment withdrawn", message, shown)

        # They invite a colleague at the payload as typed, then at an address made of it
        # ("<payload>"@example.com); a coordinator invites a peer reviewer at that address.
        invite = url("invite_member", council)
        for name, address in [
            ("invitation email, typed", payload),
            ("invitation email", as_email(payload)),
        ]:
            typed = {"email": address, "role": "contributor"}
            response = newcomer.post(invite, typed, follow=True)
            invitation = Invitation.objects.filter(invited_by=user).first()
            value = invitation and invitation.email
            saved[name] = report.save(name, value, "Invite someone", response, address)
            if invitation is not None:
                report.page("Members, just invited", response, show("full name", name))
        if invitation is None:
            invitation = services.invite(
                by=user, email="colleague@coventry.example", role="contributor", council=council
            )
        typed = {"email": as_email(payload), "role": "reviewer", "peer_group": "midlands"}
        response = team.coordinator.post(url("invite_anyone"), typed, follow=True)
        reviewer = Invitation.objects.filter(role="reviewer").first()
        value = reviewer and reviewer.email
        name = "reviewer invitation email"
        saved[name] = report.save(name, value, "Invite someone", response, as_email(payload))
        invited = ["invitation email, typed", "invitation email", "reviewer invitation email"]
        response = team.lead.get(url("member_list", council))
        report.page("Members", response, show("full name", *invited[:2]))
        response = team.coordinator.get(url("invitation_list"))
        report.page("Invitations", response, show("full name", *invited))
        response = team.coordinator.get(url("email_list"))
        report.page("Emails not sent", response, show(*invited))
        message = email("invitation", invitation, to=invitation.email)
        report.email("Email: invitation", message, show("full name"))
        token = invitation.issue_token()  # after the email's, which replaced the link's token
        response = Client().get(url("accept_invitation", token))
        report.page("Accept the invitation", response, show("full name", *invited[:2]))
        Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now())
        response = Client().get(url("accept_invitation", token))
        report.page("The invitation, expired", response, show("full name"))

        # Their own pages, and their council lead's.
        report.page("Your account", newcomer.get(url("account")), show("full name"))
        membership = user.memberships.get()
        response = team.lead.get(url("remove_member", council, membership.pk))
        report.page("Remove a member", response, show("full name"))
        response = newcomer.post(
            url("retire_service", council, service.pk), {"action": "retire"}, follow=True
        )
        report.page("Service, just retired", response, show("service name"))

    each_payload(report, scenario)


def test_no_payload_runs_from_a_councils_sign_up_details(team):
    report = Report("A council signing up")
    council = team.council

    def scenario(payload):
        date = {"adopted_on_0": "7", "adopted_on_1": "4", "adopted_on_2": "2020"}
        response = team.lead.post(
            url("record_adoption", council), {**date, "sponsor_role": payload}, follow=True
        )
        role = Council.objects.get(pk=council.pk).adoption_sponsor_role or None
        report.save("sponsor role", role, "Record signing up", response, payload)
        if role is not None:
            report.page("Council, just recorded", response, {"sponsor role": role})
            # A sign-up reaches the page cached for visitors who are not signed in within
            # PUBLIC_CACHE_SECONDS (docs/decisions/0022): read it as drawn now.
            caches["default"].clear()
            recent.clear()  # and this process's own copies of stored pages
            response = Client().get(council.get_absolute_url())
            report.page("Council", response, {"sponsor role": role})
            response = team.lead.get(url("record_adoption", council))
            report.page("Change the sign-up details", response, {"sponsor role": role})

    each_payload(report, scenario)


def test_no_payload_runs_from_what_is_typed_but_never_saved(team):
    """Values that come back on the page without being saved: the sign-in and password
    reset forms, the address to return to after signing in, and the council search."""
    report = Report("Typed but never saved")

    def scenario(payload):
        response = Client().post(url("sign_in"), {"email": payload, "password": "not-it"})
        report.page("Sign in", response, {"sign-in email": payload})
        response = Client().post(url("password_reset"), {"email": payload}, follow=True)
        report.page("Reset your password", response)
        response = Client().get(url("sign_in"), {"next": payload})
        report.page("Sign in, then go back", response)
        response = Client().get(url("council_directory"), {"q": payload})
        report.page("Councils, searched", response)

    each_payload(report, scenario)


# --- the corpus itself -----------------------------------------------------------------------


def test_the_corpus_covers_each_kind_of_attack():
    assert len(PAYLOADS) >= 100
    assert len(set(PAYLOADS)) == len(PAYLOADS), "no payload twice"


@pytest.mark.parametrize("payload", MARKUP)
def test_each_markup_payload_would_run_unescaped(payload):
    assert executable_markup(payload)
    assert not executable_markup(escape(payload))


@pytest.mark.parametrize("payload", PARSER_TRICKS)
def test_each_parser_trick_would_run_after_a_naive_filter_or_in_a_browser(payload):
    stripped = payload.replace("<script>", "", 1).replace("</script>", "", 1)
    browser_view = payload.replace('<p title="', "").replace("//", ">").replace("<![CDATA[", "")
    assert executable_markup(stripped) or executable_markup(browser_view)


@pytest.mark.parametrize("payload", ADDRESSES)
def test_each_address_would_run_as_a_link(payload):
    assert executable_markup(f'<a href="{escape(payload)}">x</a>')


@pytest.mark.parametrize("payload", BREAKOUTS)
def test_each_breakout_would_escape_an_unescaped_attribute(payload):
    assert any(
        executable_markup(html)
        for html in (
            f'<input value="{payload}">',
            f"<input value='{payload}'>",
            f"<input value={payload}>",
        )
    )


def test_the_check_would_notice_the_secret_key():
    """Template syntax (TEMPLATES) must be shown as typed, which the pages above check;
    a template evaluated by mistake could also give away the secret key."""
    assert len(TEMPLATES) >= 5
    assert executable_markup(f"<p>{settings.SECRET_KEY}</p>") == ["the secret key"]


@pytest.mark.parametrize("payload", MARKDOWN)
def test_each_markdown_payload_would_run_through_a_careless_renderer(payload, monkeypatch):
    """Through markdown-it with raw HTML, every link allowed and no escaping."""
    import markdown_it.renderer
    from markdown_it import MarkdownIt

    monkeypatch.setattr(markdown_it.renderer, "escapeHtml", lambda text: text)
    careless = MarkdownIt("commonmark", {"html": True})
    careless.validateLink = lambda address: True
    careless.normalizeLink = careless.normalizeLinkText = lambda address: address
    assert executable_markup(careless.render(payload))


@pytest.mark.parametrize("payload", PAYLOADS)
def test_every_payload_renders_as_safe_evidence(payload):
    from assessments.markdown import render_evidence

    assert_safe(str(render_evidence(payload)))
