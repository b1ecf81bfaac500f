"""Every URL, as every person, with GET and with POST: the walk.

Every URL pattern is declared in tests/access.py: what each person gets with GET and
with POST, and whether POST changes anything. The walk makes each request from the
same state (tests/world.py) and checks the answer against the declaration, and the
application's state before and after it: a GET changes nothing, an allowed POST makes
its change, and a refused POST changes nothing. A pattern without a declaration fails
`test_every_url_pattern_is_declared`, so a new address cannot be added without saying
who may use it.
"""

import functools
from importlib import import_module
from urllib.parse import parse_qs, urlsplit

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.db import connection, transaction
from django.http import HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLResolver, get_resolver, include, path, reverse
from django_tasks_db.models import DBTaskResult

from assessments.models import PasswordResetRequest, User
from lgdss.sessions import touch
from lgdss.views import home
from tests.access import (
    ACCESS,
    ADMIN_MODELS,
    ADMIN_NOT_WALKED,
    HIDDEN,
    NO,
    OK,
    admin_access,
    each,
)
from tests.html import form_data, outline
from tests.two_factor import needs_verifying, verify_session
from tests.world import NEW_PASSWORD, WALKERS, build_world

BACKEND = "django.contrib.auth.backends.ModelBackend"


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The scenario, built once for this module inside a transaction rolled back at its
    end. Each test's own transaction (pytest-django's `db`) is a savepoint inside it, so
    every request starts from the same state."""
    with django_db_blocker.unblock(), transaction.atomic():
        world = build_world()
        for walker in WALKERS[1:]:
            client = Client()
            user = world.user(walker)
            client.force_login(user, backend=BACKEND)
            if needs_verifying(user):  # coordinators and staff sign in with a code too
                verify_session(client, user)
            world.sessions[walker] = client.cookies[settings.SESSION_COOKIE_NAME].value
        yield world
        transaction.set_rollback(True)


def client_for(world, walker):
    """A client signed in as the walker (in the session made with the world), or anonymous.

    The session is marked saved a moment ago, as the person's previous page would have
    left it: a session is written at most once a minute (lgdss/sessions.py), so a page
    asked for in the middle of someone's work writes nothing to it, and the walk counts
    the queries of that page. (The walk takes longer than a minute: a mark made with the
    world would go stale part of the way through.)"""
    client = Client()
    if walker != "anonymous":
        key = world.sessions[walker]
        session = import_module(settings.SESSION_ENGINE).SessionStore(session_key=key)
        touch(session)
        session.save()
        client.cookies[settings.SESSION_COOKIE_NAME] = key
    return client


def form_on_page(world, url, form_id):
    """The form on an admin page as the superuser sees it, read once per world."""
    if url not in world.forms:
        response = client_for(world, "superuser").get(url)
        world.forms[url] = (
            form_data(response.content.decode(), form_id) if response.status_code == 200 else {}
        )
    return dict(world.forms[url])


ADMIN_ACCESS = list(admin_access(form_on_page))
DECLARED = ACCESS + ADMIN_ACCESS


# --- What the URL configuration holds --------------------------------------------


def url_patterns(patterns, namespace=""):
    """(full name, route) of every pattern, through includes and namespaces."""
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from url_patterns(pattern.url_patterns, inner)
        else:
            yield (f"{namespace}{pattern.name}" if pattern.name else None), str(pattern.pattern)


def undeclared(urlconf=None):
    """The patterns of the URL configuration that no declaration is about."""
    declared = {access.name for access in DECLARED}
    not_walked = tuple(f"_{page}" for page in ADMIN_NOT_WALKED)
    missing = []
    for name, route in url_patterns(get_resolver(urlconf).url_patterns):
        if name is None:
            # The admin's catch-all and its redirects for old addresses have no name.
            if not route.startswith(("(?P<url>", "<path:object_id>")):
                missing.append(f"a pattern without a name: {route}")
        elif name.startswith("admin:") and (
            name.endswith(not_walked) or name.removeprefix("admin:") in ADMIN_NOT_WALKED
        ):
            continue
        elif name not in declared:
            missing.append(name)
    return missing


def test_every_url_pattern_is_declared():
    missing = undeclared()
    assert not missing, "Declare who may use these in tests/access.py: " + ", ".join(missing)


class WithNewPages:
    """The site's URLs and two more, one of them in a namespace of its own."""

    urlpatterns = [
        path("", include("lgdss.urls")),
        path("reviews/", include(([path("", home, name="list")], "reviews"))),
        path("publish/", home),
    ]


def test_a_pattern_added_without_a_declaration_is_named():
    assert undeclared(WithNewPages) == ["reviews:list", "a pattern without a name: publish/"]


def test_every_declaration_names_a_url_pattern():
    names = {name for name, _ in url_patterns(get_resolver().url_patterns)}
    assert not [access.name for access in DECLARED if access.name not in names]


def test_every_model_in_the_admin_is_declared():
    declared = {admin_model.model for admin_model in ADMIN_MODELS}
    registered = set(admin.site._registry)
    assert registered == declared, {
        "in the admin, not declared": registered - declared,
        "declared, not in the admin": declared - registered,
    }


def test_no_get_is_declared_to_change_anything():
    assert not [
        access.id for access in DECLARED if any(answer.changes for answer in access.get.values())
    ]


def test_each_answers_for_every_walker_by_group_then_by_name():
    table = each(NO, outsiders=HIDDEN, leeds_lead=OK)
    assert (table["coordinator"], table["peer_reviewer"], table["leeds_lead"]) == (NO, HIDDEN, OK)
    with pytest.raises(ValueError, match="No answer for"):
        each(coordinator=OK)
    with pytest.raises(ValueError, match="neither a walker nor a group"):
        each(OK, nobody=NO)
    with pytest.raises(ValueError, match="in both"):
        each(OK, outsiders=NO, leeds_members=HIDDEN)


# --- The walk ---------------------------------------------------------------------


# Counters of requests for rate limits, like django-axes's logs: every request adds to them,
# allowed or not, so they are no part of what a request may or may not change.
THROTTLE_LOGS = {PasswordResetRequest}


@functools.cache
def _queries(watch):
    """One SELECT per table of the state, reading the database's own values."""
    models = [
        *(
            model
            for model in apps.get_app_config("assessments").get_models(include_auto_created=True)
            if model not in THROTTLE_LOGS
        ),
        *apps.get_app_config("standard").get_models(include_auto_created=True),
        DBTaskResult,
        *(apps.get_model(label) for label in watch),
    ]
    quote = connection.ops.quote_name
    queries = []
    for model in models:
        columns = [
            field.column
            for field in model._meta.concrete_fields
            if not (model is User and field.name == "last_login")
        ]
        table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
        sql = f"SELECT {', '.join(map(quote, columns))} FROM {table} ORDER BY {pk}"
        queries.append((model._meta.label, columns, sql))
    return queries


def snapshot(watch=()):
    """Every row of the application's state: the `assessments` and `standard` apps and
    the task queue (and any `watch`ed models). Sessions, django-axes's logs, the
    password-reset request counts and `last_login` change as people sign in or ask and
    are left out."""
    state = {}
    with connection.cursor() as cursor:
        for label, columns, sql in _queries(watch):
            cursor.execute(sql)
            state[label] = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    return state


def differences(before, after):
    """The tables that differ, with their rows that appeared or went."""
    found = {}
    for label, rows in before.items():
        if after[label] != rows:
            found[label] = {
                "went": [row for row in rows if row not in after[label]][:3],
                "appeared": [row for row in after[label] if row not in rows][:3],
            }
    return found


WALK = [
    pytest.param(access, walker, method, id=f"{access.id}-{walker}-{method}")
    for access in DECLARED
    for walker in WALKERS
    for method in ("GET", "POST")
    if access.answer(walker, method) is not None
]
WALKED = []  # the requests walked in this run, for the count at the end


@pytest.fixture(scope="module", autouse=True)
def report_the_walk(request):
    """After the module: how many patterns, people and requests the walk covered."""
    yield
    patterns = {access.name for access, _, _ in WALKED}
    people = {walker for _, walker, _ in WALKED}
    with request.config.pluginmanager.get_plugin("capturemanager").global_and_fixture_disabled():
        print(
            f"\nURL walk: {len(patterns)} URL patterns ({len(DECLARED)} declarations) × "
            f"{len(people)} people × GET and POST: {len(WALKED)} of {len(WALK)} requests walked"
        )


def redirect_target(response):
    location = urlsplit(response["Location"])
    return location.path, parse_qs(location.query).get("next", [""])[0]


def check_answer(response, expected, url):
    status = response.status_code
    detail = response.get("Location") or response.content.decode()[:500]
    assert status == expected.status, f"{status}, not {expected} ({expected.status}): {detail}"
    if status != 302:
        return
    path, next_page = redirect_target(response)
    sign_in, admin_sign_in = reverse("assessments:sign_in"), reverse("admin:login")
    if expected.to == "sign in":
        assert (path, next_page) == (sign_in, url)
    elif expected.to == "admin sign in":
        assert (path, next_page) == (admin_sign_in, url)
    elif expected.to == "signed out":
        assert path == sign_in
    else:
        assert path not in (sign_in, admin_sign_in), f"sent to sign in, not {expected}"


# Django's admin sign-in page has its heading in the site header, not in an <h1>.
WITHOUT_H1 = {"admin:login"}


def check_page(response, name):
    """A page has one <h1> and a title."""
    if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
        h1_count, title = outline(response)
        assert h1_count == (0 if name in WITHOUT_H1 else 1), f"{h1_count} <h1> elements"
        assert title, "no <title>"


# At most this many queries for any page (issue 13's target), counted from the request to
# the last byte of the response, as every person, with the cache empty: a page drawn from
# the shared cache costs fewer.
MOST_QUERIES = 10

# Pages allowed more, each with its reason: declaration id (a pattern's name covers all its
# cases, "name[case]") -> (the most queries it may make, why). A signed-in page starts at
# three: the session, the user, and whether they have turned two-factor on (asked on every
# request, so that turning it on elsewhere asks this session for a code at once). A page
# that comes under MOST_QUERIES must leave this list
# (`test_no_page_is_allowed_more_queries_than_it_makes` says so).
_ADMIN = "Django's admin, used by a few staff: its forms and delete confirmations read every related object"
MORE_QUERIES_ALLOWED = {
    "admin:standard_point_delete": (37, _ADMIN),
    "admin:assessments_council_change": (18, _ADMIN),
    "admin:standard_standardversion_delete": (16, _ADMIN),
    "admin:assessments_user_delete": (15, _ADMIN),
    "admin:assessments_council_delete": (13, _ADMIN),
    "admin:assessments_council_changelist": (13, _ADMIN),
    "admin:assessments_user_change": (12, _ADMIN),
}


def _counted(queries):
    """The queries a request made, without the savepoints of the test's own transaction
    (not made in production, where a request is not inside one). Everything else counts,
    the session's reads and writes too."""
    return [
        query["sql"]
        for query in queries.captured_queries
        if not query["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))
    ]


def _covers(name, access_id):
    return access_id == name or access_id.startswith(f"{name}[")


def _allowance(access):
    for name, (most, _) in MORE_QUERIES_ALLOWED.items():
        if _covers(name, access.id):
            return most
    return MOST_QUERIES


QUERY_COUNTS = {}  # declaration id -> the most queries one of its GETs made, in this run


SESSION_WRITE = 'UPDATE "django_session"'

# GETs that write the session on purpose, each with its reason. Any other page asked for in
# the middle of someone's work leaves their session as it was (lgdss/sessions.py).
WRITES_THE_SESSION = {
    "assessments:password_reset_confirm": (
        "Django's reset view keeps the emailed token in the session and sends the browser "
        "on to an address without it, so that it does not leak through the Referer header"
    ),
}


def check_query_count(queries, access, walker):
    counted = _counted(queries)
    if not any(_covers(name, access.id) for name in WRITES_THE_SESSION):
        assert not [sql for sql in counted if sql.startswith(SESSION_WRITE)], (
            f"GET {access.id} as {walker} wrote the session, in the middle of their work"
        )
    QUERY_COUNTS[access.id] = max(QUERY_COUNTS.get(access.id, 0), len(counted))
    most = _allowance(access)
    assert len(counted) <= most, (
        f"{len(counted)} queries for GET {access.id} as {walker} (at most {most}):\n"
        + "\n".join(sql[:160] for sql in counted)
    )


@pytest.mark.parametrize(("access", "walker", "method"), WALK)
def test_walk(world, db, access, walker, method):
    expected = access.answer(walker, method)
    client = client_for(world, walker)
    if access.prepare:
        access.prepare(client, world)
    url = access.url(world)
    data = access.post_data(world) if method == "POST" else None
    if expected.changes and access.effect:
        assert not access.effect(world, world.user(walker)), "the effect is there already"

    before = snapshot(access.watch)
    with CaptureQueriesContext(connection) as queries:
        if method == "GET":
            response = client.get(url)
        elif access.content_type:
            response = client.post(url, data, content_type=access.content_type)
        else:
            response = client.post(url, data)
        if response.streaming:
            # A download is written as it is read: read it all, as a browser would, so that
            # its queries have run before the state is compared (and are counted).
            response = HttpResponse(
                b"".join(response.streaming_content),
                status=response.status_code,
                headers=dict(response.headers),
            )
    after = snapshot(access.watch)

    WALKED.append((access, walker, method))
    check_answer(response, expected, url)
    check_page(response, access.name)
    if method == "GET":
        check_query_count(queries, access, walker)
    if expected.changes:
        assert after != before, "an allowed POST changed nothing"
        if access.effect:
            assert access.effect(world, world.user(walker)), "the POST did not have its effect"
    else:
        assert after == before, differences(before, after)


def test_no_page_is_allowed_more_queries_than_it_makes():
    """Runs after the walk, in the same module: an allowance no longer needed is named."""
    if not QUERY_COUNTS:
        pytest.skip("the walk's GETs were not run")
    no_longer_needed = []
    for name in MORE_QUERIES_ALLOWED:
        seen = [count for walked, count in QUERY_COUNTS.items() if _covers(name, walked)]
        if seen and max(seen) <= MOST_QUERIES:
            no_longer_needed.append(name)
    assert not no_longer_needed, f"Take these off MORE_QUERIES_ALLOWED: {no_longer_needed}"


# --- The admin: only a superuser changes a staff or superuser account ----------------

STAFF_ACCOUNTS = {
    "the superuser": lambda w: w.people["superuser"],
    "another coordinator": lambda w: w.other_coordinator,
}


def _account_change(world, pk):
    url = reverse("admin:assessments_user_change", args=[pk])
    return url, {**form_on_page(world, url, "user_form"), "full_name": "Someone Else"}


def _password_change(world, pk):
    url = reverse("admin:auth_user_password_change", args=[pk])
    return url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}


@pytest.mark.parametrize("page", [_account_change, _password_change], ids=["details", "password"])
@pytest.mark.parametrize("account", list(STAFF_ACCOUNTS))
@pytest.mark.parametrize(
    ("walker", "allowed"),
    [("coordinator", False), ("superuser", True)],
)
def test_only_a_superuser_changes_a_staff_or_superuser_account(
    world, db, page, account, walker, allowed
):
    pk = STAFF_ACCOUNTS[account](world)
    url, data = page(world, pk)
    client = client_for(world, walker)
    before, account_before = snapshot(), User.objects.values().get(pk=pk)

    client.post(url, data)

    if allowed:
        assert User.objects.values().get(pk=pk) != account_before
    else:
        after = snapshot()
        assert after == before, differences(before, after)
