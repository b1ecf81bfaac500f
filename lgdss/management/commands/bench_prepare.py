"""The Django side of `make bench` (scripts/bench/bench.py): people, work, sessions and
the list of pages to load, written as JSON for the driver.

The benchmark signs in as a council member with a draft in progress and as a peer
reviewer with a review in progress. Signing in through the forms would measure the
password hash and need a code for anyone with an authenticator app, so their sessions are
made here, server-side, exactly as `django.contrib.auth.login` leaves them (the user's
id, backend and session hash). Neither persona is a coordinator or staff, and neither has
an authenticator app, so `TwoFactorMiddleware` lets an unverified session through, as it
does for them after a real sign-in.

The people and their work are made through the workflow (`assessments.services`), once:
a second run finds them and makes only new sessions. Everything made is named "Bench"
so that it is easy to find and to tell apart from real records.

Database queries per request are counted here, in this process, with Django's test
client against the same database and settings as the servers under load (see
docs/decisions/0026-benchmark.md): once with no cache, as the first visitor after a
publication meets a page, and once with the shared cache, as the load mostly does.
"""

import json
from html.parser import HTMLParser
from importlib import import_module
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.core.cache import caches
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.models import Count
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments import services
from assessments.models import (
    Council,
    Membership,
    Product,
    Publication,
    Role,
    Service,
    Sourcing,
    Status,
    User,
)
from assessments.services import reviewers
from lgdss.public_pages import recent

MEMBER_EMAIL = "bench.member@lgdss.example"
REVIEWER_EMAIL = "bench.reviewer@lgdss.example"
COORDINATOR_EMAIL = "bench.coordinator@lgdss.example"
DRAFT_SERVICE = "Bench: report a missed bin collection"
REVIEWED_SERVICE = "Bench: apply for a blue badge"
# The draft has this many of its points answered: a task list part done, part to do.
DRAFT_ANSWERED = 7
# The point page loaded and saved under load.
SAVED_POINT = 3
AUTH_BACKEND = "django.contrib.auth.backends.ModelBackend"
EVIDENCE = (
    "We tested the service with 12 residents, including 3 who use a screen reader, and "
    "changed the address step after what we saw.\n\n- Findings are in our research log\n"
    "- The next round is booked for the spring"
)


class Command(BaseCommand):
    help = (
        "Make the benchmark's people, work and sessions, and write the pages to load "
        "(with their database queries per request) as JSON. Used by `make bench`."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", required=True, help="where to write the JSON plan")
        parser.add_argument(
            "--host", default="127.0.0.1", help="the Host header the servers will be asked with"
        )

    def handle(self, *args, output, host, **options):
        if not Publication.objects.public().exists():
            raise CommandError(
                "There are no public publications to load: run generate_scale_data "
                "(or load_demo_data) first."
            )
        work = prepare_work()
        sessions = {
            "member": make_session(work["member"]),
            "reviewer": make_session(work["reviewer"]),
        }
        targets = settle_paths(choose_targets(work), sessions, host)
        save = point_save_request(work, sessions["member"], host)
        targets.append(save)
        count_queries(targets, sessions, host)
        plan = {
            "host": host,
            "session_cookie": settings.SESSION_COOKIE_NAME,
            "csrf_cookie": settings.CSRF_COOKIE_NAME,
            "sessions": sessions,
            "targets": targets,
            "public_publications": Publication.objects.public().count(),
        }
        with open(output, "w", encoding="utf-8") as file:
            json.dump(plan, file, indent=2)
        self.stdout.write(f"Wrote {len(targets)} pages to load to {output}.")


# --- people and work ----------------------------------------------------------------


def _council():
    """The council with the most public publications: the member's, so that their
    council's public page is a busy one too."""
    busiest = (
        Publication.objects.public()
        .values("council_code")
        .annotate(n=Count("pk"))
        .order_by("-n", "council_code")
        .first()
    )
    if busiest is None:
        return Council.objects.order_by("code").first()
    return Council.objects.get(code=busiest["council_code"])


def _user(email, full_name, **flags):
    user, made = User.objects.get_or_create(email=email, defaults={"full_name": full_name, **flags})
    if made:
        user.set_unusable_password()  # they never sign in with a password: see make_session
        user.save(update_fields=["password"])
    return user


def _service(council, lead, name):
    service = Service.objects.filter(council=council, name=name).first()
    if service is None:
        service = services.create_service(
            council,
            by=lead,
            name=name,
            description="Made by the benchmark (make bench).",
            url="https://www.example.org/bench",
            phase="beta",
            sourcing=Sourcing.IN_HOUSE,
        )
    return service


def _answer(assessment, lead, numbers):
    answers = assessment.points.select_related("point").order_by("point__number")
    for answer in answers:
        if answer.point.number in numbers:
            services.save_point(
                answer,
                by=lead,
                revision=answer.revision,
                score=3,
                not_applicable=False,
                reason="",
                evidence=EVIDENCE,
                links=[("Research log", "https://www.example.org/research")],
            )


def prepare_work():
    """The benchmark's people and their work in progress, made through the workflow the
    first time and found after that. Returns them by name.

    - a council lead with a draft self-assessment, part answered;
    - a peer reviewer leading the review of a second, submitted, assessment of theirs;
    - the coordinator who assigned the reviewer (never signed in by the benchmark).
    """
    council = _council()
    member = _user(MEMBER_EMAIL, "Bench Member")
    if not Membership.objects.filter(user=member).exists():
        Membership.objects.create(user=member, council=council, role=Role.LEAD)
    council = Membership.objects.filter(user=member).select_related("council").first().council
    reviewer = _user(REVIEWER_EMAIL, "Bench Reviewer", is_peer_reviewer=True)
    coordinator = _user(COORDINATOR_EMAIL, "Bench Coordinator", is_coordinator=True)

    draft_service = _service(council, member, DRAFT_SERVICE)
    draft = draft_service.assessments.filter(status=Status.DRAFT).first()
    if draft is None:
        draft = services.start_assessment(draft_service, by=member, phase="beta")
        _answer(draft, member, set(range(1, DRAFT_ANSWERED + 1)))

    reviewed_service = _service(council, member, REVIEWED_SERVICE)
    in_review = reviewed_service.assessments.filter(status=Status.IN_REVIEW).first()
    if in_review is None:
        in_review = services.start_assessment(reviewed_service, by=member, phase="beta")
        _answer(in_review, member, set(range(1, 16)))
        services.submit(in_review, by=member)
        reviewers.assign(in_review, reviewer, by=coordinator, lead=True)
        in_review.refresh_from_db()
    return {
        "council": council,
        "member": member,
        "reviewer": reviewer,
        "coordinator": coordinator,
        "draft": draft,
        "in_review": in_review,
    }


def make_session(user):
    """A new signed-in session for `user`, as `django.contrib.auth.login` leaves one
    after the password; returns its key (the session cookie's value)."""
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = AUTH_BACKEND
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.set_expiry(settings.SESSION_COOKIE_AGE)
    store.create()
    return store.session_key


# --- what to load --------------------------------------------------------------------


def _target(name, path, *, persona=None, method="GET"):
    return {
        "name": name,
        "path": path,
        "persona": persona,
        "kind": "signed-in" if persona else "public",
        "method": method,
    }


def choose_targets(work):
    """The pages the issue names, filled from the data there is: the busiest council,
    region, product and point, and the latest public publication.

    `/healthz` comes first: every other page's throughput is given as a ratio to it.
    """
    public = Publication.objects.public()
    latest = public.order_by("-published_at", "-pk").first()
    busiest = list(
        public.values("council_code")
        .annotate(n=Count("pk"))
        .order_by("-n", "council_code")
        .values_list("council_code", flat=True)[:3]
    )
    region = (
        public.exclude(region="")
        .values("region")
        .annotate(n=Count("pk"))
        .order_by("-n", "region")
        .values_list("region", flat=True)
        .first()
    )
    product_id = (
        public.exclude(product=None)
        .values("product")
        .annotate(n=Count("pk"))
        .order_by("-n", "product")
        .values_list("product", flat=True)
        .first()
    )
    draft, in_review = work["draft"], work["in_review"]
    code = work["council"].code.lower()
    targets = [
        _target("healthz", "/healthz"),
        _target("start page", reverse("home")),
        _target("results", reverse("assessments:results")),
        _target(
            "results by region",
            reverse("assessments:results") + "?" + urlencode({"region": region or ""}),
        ),
        _target("results by point", reverse("assessments:results") + "?point=9"),
        _target("council page", reverse("assessments:council_detail", args=[busiest[0].lower()])),
        _target("published report", reverse("assessments:published_assessment", args=[latest.pk])),
        _target(
            "compare",
            reverse("assessments:compare") + "?" + urlencode([("councils", c) for c in busiest]),
        ),
        _target("national picture", reverse("point_picture", args=[9])),
    ]
    if product_id is not None:
        slug = Product.objects.get(pk=product_id).slug
        targets.append(_target("product page", reverse("assessments:product_detail", args=[slug])))
    targets += [
        _target("point scores CSV", "/data/point-scores.csv"),
        _target("API assessments", "/api/v1/assessments"),
        _target("your work", reverse("assessments:your_work"), persona="member"),
        _target(
            "task list", reverse("assessments:assessment", args=[code, draft.pk]), persona="member"
        ),
        _target(
            "point page",
            reverse("assessments:edit_point", args=[code, draft.pk, SAVED_POINT]),
            persona="member",
        ),
        _target(
            "review page",
            reverse("assessments:review_task_list", args=[code, in_review.pk]),
            persona="reviewer",
        ),
    ]
    return targets


class _FormFields(HTMLParser):
    """The fields a browser would send from the page's form that has a `revision`
    field (the point form), with the values as shown: checked radios and boxes, text,
    hidden fields and textareas. Buttons are left to the caller."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms = []  # each a list of (name, value)
        self._fields = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._fields = []
        elif self._fields is None or not attrs.get("name"):
            return
        elif tag == "input":
            kind = attrs.get("type", "text")
            if kind in ("radio", "checkbox") and "checked" not in attrs:
                return
            if kind in ("submit", "button", "image", "file", "reset"):
                return
            self._fields.append((attrs["name"], attrs.get("value") or ""))
        elif tag == "textarea":
            self._textarea = [attrs["name"], ""]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea is not None:
            # The HTML parser keeps the newline that follows <textarea>; browsers drop it.
            self._fields.append((self._textarea[0], self._textarea[1].removeprefix("\n")))
            self._textarea = None
        elif tag == "form" and self._fields is not None:
            self.forms.append(self._fields)
            self._fields = None


def form_fields(html, must_have="revision"):
    """The fields of the first form in `html` with a field named `must_have`."""
    parser = _FormFields()
    parser.feed(html)
    for fields in parser.forms:
        if any(name == must_have for name, _ in fields):
            return fields
    raise CommandError(f"No form with a {must_have!r} field on the page.")


def _client(host, session_key=None):
    client = Client(HTTP_HOST=host)
    if session_key:
        client.cookies[settings.SESSION_COOKIE_NAME] = session_key
    return client


def point_save_request(work, session_key, host):
    """The point save under load: the form as the member's browser would send it after
    pressing "Save and come back later" without changing anything.

    The point form refuses a save made from an older revision than the stored one (a
    concurrent edit). A save that changes something moves the revision on, so the same
    body sent again would be refused from the second time. Sending what is stored keeps
    every save honest: each passes the CSRF check, locks the assessment and the answer,
    checks the revision, finds nothing changed, writes nothing, and redirects to the task
    list, as a real unchanged save does. The body and the CSRF cookie come from loading
    the page, in this process, with the member's session.
    """
    draft = work["draft"]
    path = reverse(
        "assessments:edit_point", args=[work["council"].code.lower(), draft.pk, SAVED_POINT]
    )
    client = _client(host, session_key)
    response = client.get(path)
    if response.status_code != 200:
        raise CommandError(f"The point page answered {response.status_code}, not 200.")
    fields = form_fields(response.content.decode())
    fields.append(("action", "later"))
    target = _target("point save", path, persona="member", method="POST")
    target["body"] = urlencode(fields)
    target["csrf_token"] = response.cookies[settings.CSRF_COOKIE_NAME].value
    return target


def settle_paths(targets, sessions, host):
    """Each page's own address: where a page redirects to the address it prefers
    (compare puts its councils in one order), the load goes there, not to the redirect.
    Any page that then does not answer 200 stops the run: a benchmark of error pages
    would measure nothing."""
    for target in targets:
        session = sessions.get(target["persona"]) if target["persona"] else None
        response = _client(host, session).get(target["path"])
        if response.status_code in (301, 302) and response["Location"].startswith("/"):
            target["path"] = response["Location"]
            response = _client(host, session).get(target["path"])
        # Not response.close(): the test client has closed the page already, and closing it
        # again sends `request_finished` to Django's handler that closes a connection left
        # in a transaction (the tests' own). A download's unread stream is simply dropped.
        if response.status_code != 200:
            raise CommandError(f"{target['path']} answered {response.status_code}, not 200.")
    return targets


def _measure(client, target):
    with CaptureQueriesContext(connection) as queries:
        if target["method"] == "POST":
            client.cookies[settings.CSRF_COOKIE_NAME] = target["csrf_token"]
            response = client.post(
                target["path"],
                target["body"],
                content_type="application/x-www-form-urlencoded",
            )
        else:
            response = client.get(target["path"])
        if response.streaming:
            b"".join(response.streaming_content)  # its queries run as it streams
    return len(queries), response.status_code


def count_queries(targets, sessions, host):
    """Adds to each target its database queries per request: `queries_uncached` with no
    cache (the first visitor after a publication), `queries` the second time with the
    configured cache (what the load mostly meets), and the status code seen."""
    for target in targets:
        session = sessions.get(target["persona"]) if target["persona"] else None
        recent.clear()  # the process's own copies of stored pages (lgdss/public_pages.py)
        with override_settings(
            CACHES={"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
        ):
            target["queries_uncached"], _ = _measure(_client(host, session), target)
        caches["default"].get("warm")  # connects before counting, as a running server has
        _measure(_client(host, session), target)
        target["queries"], target["status"] = _measure(_client(host, session), target)
