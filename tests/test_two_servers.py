"""Two app servers on one database and one shared cache, as behind a load balancer.

The service may run as several app servers behind a load balancer only if none of them
keeps anything of its own: sessions, sign-in limits and the task queue are in the
database, cached public pages in a Redis or Valkey server they share, and each page's name
(its ETag and cache key) comes from the public record in the database
(docs/decisions/0029-more-than-one-server.md). These tests start two real servers as
production runs them (gunicorn with gunicorn.conf.py, DEBUG off, static files collected
and served by whitenoise, the same SECRET_KEY, CACHE_URL naming a redis-server of the
test's own) and speak HTTP to them as a load balancer would pass on a browser's requests:
the same Host header to both, the visitor's address in X-Forwarded-For. Then:

- a council lead publishes on server A, and server B's public pages (results, the
  council's page, the report, the CSV download) show it at once, though B had stored
  them a moment before, and both servers give each page the same ETag;
- a session made on A works on B, and signing out on B ends it on A;
- a password reset link emailed by B works on A, its two pages answered by either;
- wrong passwords sent to A and B count towards one limit.

The database is one both servers reach: on PostgreSQL (as in CI) the test database,
which pytest-django empties after each test (`transaction=True`); on SQLite, a file of the
test's own. Without redis-server these skip, except with CI=true, where they fail (.ci/run
installs it). Each test takes a few seconds: two servers start for it.
"""

import http.client
import http.cookies
import json
import os
import re
import secrets
import subprocess
import sys
import urllib.parse
from pathlib import Path

import pytest
import redis
import yaml
from axes.handlers.database import AxesDatabaseHandler
from django.apps import apps
from django.db import connection, models
from django.test import Client
from django.utils.module_loading import import_string

from tests.local_servers import free_port, redis_server, wait_for
from tests.test_settings import load_settings

ROOT = Path(__file__).resolve().parents[1]
GUNICORN = Path(sys.executable).with_name("gunicorn")
README = ROOT / "README.md"
PASSWORD = "correct-horse-battery"  # tests.factories.UserFactory's
# The name the load balancer is reached by: it passes it on to whichever server it picks.
HOST = "lgdss.test"
VISITOR_ADDRESS = "203.0.113.7"
FAILURE_LIMIT = 3

pytestmark = pytest.mark.django_db(transaction=True)

# Run in the servers' environment before they start: the database as a deployment has it
# (migrated, the Standard loaded), Coventry with its lead, and an assessment the lead has
# submitted as a self-assessment, ready to publish.
SETUP = """
import json
import django
django.setup()
from django.core.management import call_command
from assessments.models import Role
from tests.factories import CouncilFactory, MembershipFactory, UserFactory
from tests.factories_reviews import submitted_assessment

call_command("migrate", verbosity=0)
call_command("loaddata", "standard_lgdss_1_0", verbosity=0)
coventry = CouncilFactory(code="COV", official_name="Coventry City Council", short_name="Coventry")
lead = UserFactory(email="lead@coventry.example", full_name="Cara Lead")
MembershipFactory(council=coventry, user=lead, role=Role.LEAD)
assessment = submitted_assessment(coventry, lead, name="Pay council tax")
print(json.dumps({"assessment": assessment.pk}))
"""

# What the database holds afterwards, read in the servers' environment.
FACTS = """
import json
import django
django.setup()
from axes.models import AccessAttempt
from django.contrib.sessions.models import Session
from assessments.models import Assessment, Publication, PublicRecord

print(json.dumps({
    "status": {a.pk: a.status for a in Assessment.objects.all()},
    "published": list(Publication.objects.public().values_list("service_name", flat=True)),
    "version": PublicRecord.current().version,
    "sessions": Session.objects.count(),
    "failures": sum(a.failures_since_start for a in AccessAttempt.objects.all()),
}))
"""


class Page:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    @property
    def location(self):
        return self.headers.get("Location")

    def field(self, name):
        """The value of the form field `name` on this page."""
        tag = re.search(rf'<input[^>]*\bname="{name}"[^>]*>', self.body)
        assert tag, f"no field {name} on the page"
        return re.search(r'\bvalue="([^"]*)"', tag.group(0)).group(1)


class Browser:
    """One person's browser behind the load balancer: keeps its cookies, does not follow
    redirects, and says which server each request goes to."""

    def __init__(self):
        self.cookies = {}

    def request(self, server, method, path, form=None, headers=None):
        http_connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
        sent = {
            # As the load balancer passes them on, whichever server it chose.
            "Host": HOST,
            "X-Forwarded-For": VISITOR_ADDRESS,
            **(headers or {}),
        }
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            http_connection.request(method, path, body, sent)
            response = http_connection.getresponse()
            for header in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in http.cookies.SimpleCookie(header).items():
                    if morsel.value:
                        self.cookies[name] = morsel.value
                    else:  # deleted
                        self.cookies.pop(name, None)
            return Page(response.status, response.headers, response.read().decode())
        finally:
            http_connection.close()

    def get(self, server, path, headers=None):
        return self.request(server, "GET", path, headers=headers)

    def post(self, server, path, form, *, page):
        """Post `form` as the form on `page` (drawn by any server) would, with its CSRF token."""
        token = page.field("csrfmiddlewaretoken")
        return self.request(server, "POST", path, {"csrfmiddlewaretoken": token, **form})

    def sign_in(self, email, password, *, form_from, send_to):
        page = self.get(form_from, "/sign-in/")
        return self.post(send_to, "/sign-in/", {"email": email, "password": password}, page=page)


@pytest.fixture(scope="module")
def redis_url():
    with redis_server("The two-server tests") as url:
        yield url


@pytest.fixture(scope="module")
def release(tmp_path_factory):
    """What the image holds: the real settings, with static files collected (and hashed,
    compressed) into a folder of the test's own rather than the checkout's."""
    folder = tmp_path_factory.mktemp("release")
    (folder / "servers_settings.py").write_text(
        f"from lgdss.settings import *  # noqa: F403\n\nSTATIC_ROOT = {str(folder / 'static')!r}\n"
    )
    environment = {
        "PATH": os.environ["PATH"],
        "PYTHONPATH": os.pathsep.join([str(folder), str(ROOT)]),
        "DJANGO_SETTINGS_MODULE": "servers_settings",
        "DEBUG": "false",
        "SECRET_KEY": "collectstatic-only-" + "x" * 32,
    }
    done = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "--verbosity", "0"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    return folder


def shared_database_url(tmp_path):
    """A DATABASE_URL for the database both servers use: the test database on PostgreSQL;
    on SQLite (whose test database is in this process's memory) a file."""
    if connection.vendor == "postgresql":
        db = connection.settings_dict
        user = urllib.parse.quote(db["USER"] or "", safe="")
        password = urllib.parse.quote(db["PASSWORD"] or "", safe="")
        return (
            f"postgres://{user}:{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
            f"/{db['NAME']}"
        )
    return f"sqlite:///{tmp_path / 'shared.sqlite3'}"


class Server:
    def __init__(self, name, port):
        self.name, self.port = name, port

    def __repr__(self):
        return f"server {self.name}"


class Deployment:
    """Two app servers, A and B, with the environment they share (one env file)."""

    def __init__(self, environment, folder):
        self.environment, self.folder = environment, folder
        self.a, self.b = Server("A", free_port()), Server("B", free_port())
        self.processes = []

    def run(self, code):
        """Run Python in the servers' environment (against their database); its JSON output."""
        done = subprocess.run(
            [sys.executable, "-c", code],
            cwd=ROOT,
            env=self.environment,
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    def facts(self):
        return self.run(FACTS)

    def start(self):
        for server in (self.a, self.b):
            log = self.folder / f"server-{server.name}.log"
            process = subprocess.Popen(
                [GUNICORN, "--config", "gunicorn.conf.py", "lgdss.wsgi"],
                cwd=ROOT,
                env={**self.environment, "BIND": f"127.0.0.1:{server.port}"},
                stdout=log.open("w"),
                stderr=subprocess.STDOUT,
            )
            self.processes.append(process)
            wait_for(server.port, process, log)

    def stop(self):
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def server_errors(self):
        logs = [(self.folder / f"server-{s.name}.log").read_text() for s in (self.a, self.b)]
        return sum(log.count("Internal Server Error") for log in logs)


@pytest.fixture
def deployment(redis_url, release, tmp_path):
    """Two servers started on one database and one cache, with SETUP's data in it."""
    environment = {
        "PATH": os.environ["PATH"],
        "PYTHONPATH": os.pathsep.join([str(release), str(ROOT)]),
        "DJANGO_SETTINGS_MODULE": "servers_settings",
        # What every app server is given, as in deploy/lgdss.env.example, but for plain
        # HTTP on this machine:
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": HOST,
        "SITE_URL": f"http://{HOST}",
        "DATABASE_URL": shared_database_url(tmp_path),
        "CACHE_URL": redis_url,
        "SECURE_COOKIES": "false",
        "SECURE_SSL_REDIRECT": "false",
        "TRUSTED_PROXY_COUNT": "1",
        "EMAIL_BACKEND": "console",
        "AXES_FAILURE_LIMIT": str(FAILURE_LIMIT),
        "WEB_CONCURRENCY": "2",
    }
    two = Deployment(environment, tmp_path)
    two.cache_url = redis_url
    two.data = two.run(SETUP)
    # Nothing left from another test: the empty record of one would name its pages as
    # the empty record of the next does.
    redis.Redis.from_url(redis_url).flushall()
    two.start()
    try:
        yield two
    finally:
        # Before pytest-django empties the test database, which open connections would block.
        two.stop()


def test_a_publication_on_one_server_shows_on_the_others_public_pages_at_once(deployment):
    a, b = deployment.a, deployment.b
    pk = deployment.data["assessment"]
    pages = {
        "results": "/results/",
        "council": "/councils/cov/",
        "report": f"/assessments/{pk}/",
        "download": "/data/assessments.csv",
    }
    visitor = Browser()
    before = {name: visitor.get(b, path) for name, path in pages.items()}
    # B stored the two pages in the shared cache, each plain and gzipped (a download
    # streams and is not stored), and serves them from there when asked again.
    stored = redis.Redis.from_url(deployment.cache_url).keys("*public-page:*")
    assert len(stored) == 4
    again = {name: visitor.get(b, pages[name]) for name in ("results", "council")}
    assert before["report"].status == 404
    for name in ("results", "council", "download"):
        assert before[name].status == 200, name
        assert "Pay council tax" not in before[name].body, name
    for name, page in again.items():
        assert page.headers["ETag"] == before[name].headers["ETag"], name
        assert "Pay council tax" not in page.body, name
    # Every server gives a page the same name, so a browser's or a CDN's copy from B is
    # still good on A: it is named by the public record, not by anything in a server.
    assert visitor.get(a, pages["results"]).headers["ETag"] == before["results"].headers["ETag"]
    unchanged = visitor.get(
        a, pages["results"], headers={"If-None-Match": before["results"].headers["ETag"]}
    )
    assert unchanged.status == 304

    lead = Browser()
    assert lead.sign_in("lead@coventry.example", PASSWORD, form_from=a, send_to=a).status == 302
    publish = f"/councils/cov/assessments/{pk}/publish/"
    confirmation = lead.get(a, publish)
    assert confirmation.status == 200
    published = lead.post(a, publish, {"shown": confirmation.field("shown")}, page=confirmation)
    assert published.status == 302, published.body
    assert deployment.facts()["published"] == ["Pay council tax"]

    after = {name: visitor.get(b, path) for name, path in pages.items()}
    for name, page in after.items():
        assert page.status == 200, name
        assert "Pay council tax" in page.body, name
    assert after["results"].headers["ETag"] != before["results"].headers["ETag"]
    # A browser that kept B's page from before the publication is given the new one by A.
    revalidated = visitor.get(
        a, pages["results"], headers={"If-None-Match": before["results"].headers["ETag"]}
    )
    assert revalidated.status == 200
    assert "Pay council tax" in revalidated.body
    assert deployment.server_errors() == 0


def test_a_session_made_on_one_server_works_on_the_other(deployment):
    a, b = deployment.a, deployment.b
    lead = Browser()
    # The sign-in form drawn by A and sent to B: B accepts A's CSRF token.
    signed_in = lead.sign_in("lead@coventry.example", PASSWORD, form_from=a, send_to=b)
    assert signed_in.status == 302
    assert signed_in.location == "/your-work/"
    for server in (a, b):
        work = lead.get(server, "/your-work/")
        assert work.status == 200, server
        # The lead's own work: Coventry's submitted assessment.
        assert "Pay council tax" in work.body, server
    assert deployment.facts()["sessions"] == 1

    # Signing out on B ends the session on A too: it was one row in the database.
    signed_out = lead.post(b, "/sign-out/", {}, page=lead.get(a, "/sign-out/"))
    assert signed_out.status == 302
    assert deployment.facts()["sessions"] == 0
    refused = lead.get(a, "/your-work/")
    assert refused.status == 302
    assert refused.location.startswith("/sign-in/")
    assert deployment.server_errors() == 0


def test_a_reset_link_sent_by_one_server_works_on_the_other(deployment):
    """The link's token is signed with SECRET_KEY, and the confirmation keeps it in the
    session between its two pages: both must hold whichever server answers."""
    a, b = deployment.a, deployment.b
    person = Browser()
    asked = person.post(
        b,
        "/password-reset/",
        {"email": "lead@coventry.example"},
        page=person.get(a, "/password-reset/"),
    )
    assert asked.status == 302
    # The email, printed by server B (EMAIL_BACKEND=console), holds the link.
    # A line longer than 78 characters is sent quoted-printable (long ids make the link
    # that long), folded with soft line breaks ("=" at a line's end) that a mail client
    # undoes: undo them too. (The link has no "=" of its own to decode.)
    sent = (deployment.folder / "server-B.log").read_text().replace("=\n", "")
    link = re.findall(rf"http://{re.escape(HOST)}(/password-reset/\S+/)", sent)[-1]

    opened = person.get(a, link)  # A keeps the token in the session, out of the address
    assert opened.status == 302
    form = person.get(b, opened.location)
    assert form.status == 200
    chosen = "a-new-password-for-two-servers"
    changed = person.post(
        b, opened.location, {"new_password1": chosen, "new_password2": chosen}, page=form
    )
    assert changed.status == 302, changed.body

    signing_in = Browser()
    assert (
        signing_in.sign_in("lead@coventry.example", PASSWORD, form_from=a, send_to=a).status == 200
    )
    assert signing_in.sign_in("lead@coventry.example", chosen, form_from=b, send_to=a).status == 302
    assert deployment.server_errors() == 0


def test_wrong_passwords_sent_to_either_server_count_towards_one_limit(deployment):
    a, b = deployment.a, deployment.b
    guesser = Browser()
    answers = [
        guesser.sign_in("lead@coventry.example", f"guess {n}", form_from=a, send_to=server).status
        for n, server in enumerate([a, b, a][:FAILURE_LIMIT])
    ]
    # The failures before the limit are shown the form again; the one that reaches it,
    # on whichever server, the lock-out page.
    assert answers == [200] * (FAILURE_LIMIT - 1) + [429]
    assert deployment.facts()["failures"] == FAILURE_LIMIT
    for server in (a, b):
        right = guesser.sign_in("lead@coventry.example", PASSWORD, form_from=a, send_to=server)
        assert right.status == 429, server
    assert deployment.server_errors() == 0


# --- What would differ between servers ----------------------------------------------


def test_nothing_is_kept_in_one_servers_memory_or_on_its_disk(settings):
    """What a server would otherwise keep of its own is in the database: sessions, sign-in
    limits, tasks; messages go in a signed cookie (or the session). Nothing is uploaded to
    a server's disk. (Cached public pages may be in memory: they are named by the record.)"""
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"
    assert issubclass(import_string(settings.AXES_HANDLER), AxesDatabaseHandler)
    assert settings.TASKS["default"]["BACKEND"] == "django_tasks_db.DatabaseBackend"
    assert settings.MESSAGE_STORAGE == "django.contrib.messages.storage.fallback.FallbackStorage"
    uploads = [
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if isinstance(field, models.FileField)
    ]
    assert uploads == []


def test_an_earlier_secret_key_given_as_a_fallback_keeps_people_signed_in(
    settings, coventry_lead, standard
):
    """Changing SECRET_KEY one server after another: a session signed with the old key is
    still good on a server with the new key and the old one in SECRET_KEY_FALLBACKS."""
    old_key = settings.SECRET_KEY
    with_fallback, without = Client(), Client()
    with_fallback.force_login(coventry_lead)
    without.force_login(coventry_lead)

    settings.SECRET_KEY = "a-new-key-" + "n" * 40
    settings.SECRET_KEY_FALLBACKS = [old_key]
    assert with_fallback.get("/your-work/").status_code == 200

    settings.SECRET_KEY_FALLBACKS = []
    assert without.get("/your-work/").status_code == 302  # signed out: asked to sign in


def test_the_settings_read_secret_key_fallbacks(tmp_path):
    show = "s.SECRET_KEY_FALLBACKS"
    assert load_settings(show, SECRET_KEY="k" * 50).stdout.strip() == "[]"
    given = load_settings(show, SECRET_KEY="k" * 50, SECRET_KEY_FALLBACKS="o" * 40 + ", p")
    assert given.stdout.strip() == repr(["o" * 40, "p"]), given.stderr
    secret = tmp_path / "fallbacks"
    secret.write_text("q" * 40 + "\n")
    from_file = load_settings(show, SECRET_KEY="k" * 50, SECRET_KEY_FALLBACKS_FILE=str(secret))
    assert from_file.stdout.strip() == repr(["q" * 40]), from_file.stderr


# --- The example deployment (compose.yaml) ----------------------------------------


def example_environment():
    """deploy/lgdss.env.example's variables, those commented out included."""
    found = {}
    for line in (ROOT / "deploy" / "lgdss.env.example").read_text().splitlines():
        match = re.fullmatch(r"#? ?([A-Z][A-Z0-9_]*)=(.*)", line.strip())
        if match:
            found[match[1]] = match[2].strip('"')
    return found


def test_the_example_deployment_runs_every_part_from_one_image_and_one_environment():
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    parts = compose["services"]
    from_image = {name for name, part in parts.items() if part.get("image") == "lgdss:local"}
    assert from_image == {"migrate", "web-a", "web-b", "worker", "reminders"}
    environments = {repr(parts[name]["environment"]) for name in from_image}
    assert len(environments) == 1  # the same SECRET_KEY, database and cache everywhere
    environment = parts["web-a"]["environment"]
    assert environment["DATABASE_URL"].startswith("postgres://")
    assert environment["CACHE_URL"] == "redis://cache:6379/0"
    assert parts["worker"]["command"][-1] == "db_worker"
    # The app servers start only once the database is migrated.
    for name in from_image - {"migrate"}:
        assert parts[name]["depends_on"]["migrate"] == {
            "condition": "service_completed_successfully"
        }
    # The load balancer sends requests to exactly the app servers (those running the
    # image's own command, gunicorn), and asks each whether its database answers.
    servers = sorted(name for name in from_image if "command" not in parts[name])
    caddyfile = (ROOT / "deploy" / "Caddyfile").read_text()
    upstreams = re.search(r"reverse_proxy ([^{]+)\{", caddyfile)[1].split()
    assert upstreams == [f"{name}:8000" for name in servers]
    assert "health_uri /healthz/ready" in caddyfile


def interpolated(value, variables):
    """A compose.yaml value with `${NAME}` and `${NAME:?message}` filled in, as compose does."""
    return re.sub(r"\$\{([A-Z_]+)(?::\?[^}]*)?\}", lambda m: variables[m[1]], value)


def test_the_example_environment_starts_the_service_and_every_variable_is_documented():
    example = example_environment()
    for_compose = {"LGDSS_DOMAIN", "POSTGRES_PASSWORD"}
    documented = set(re.findall(r"^\| `([A-Z][A-Z0-9_]*)` \|", README.read_text(), re.M))
    assert set(example) - for_compose - documented == set()

    # An app server's environment: the env file's, then compose.yaml's own on top.
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    environment = {k: v for k, v in example.items() if k != "SECRET_KEY_FALLBACKS"}
    for name, value in compose["services"]["web-a"]["environment"].items():
        environment[name] = interpolated(value, example)
    shown = "s.DATABASES['default']['ENGINE'], s.CACHES['default']['BACKEND'], s.SITE_URL"
    loaded = load_settings(shown, **environment)
    assert loaded.returncode == 0, loaded.stderr
    assert loaded.stdout.split() == [
        "django.db.backends.postgresql",
        "django.core.cache.backends.redis.RedisCache",
        "https://localhost",
    ]
