"""`make run`'s own server, on SQLite, under simultaneous writes.

This starts the server as `make run` does (gunicorn with gunicorn.conf.py and its
worker count, DEBUG off, an SQLite file with the Standard and the demo people) on a
free port on 127.0.0.1, signs people in through the real sign-in form, and fires
pairs of simultaneous form posts at it:

- two people saving the same point (one is saved, the other is shown the form with
  what they typed beside the saved version),
- two people saving different points (both are saved),
- two people starting an assessment of the same service (one draft, both taken to it),
- two tabs accepting one invitation (one membership, the other tab is told it was used).

No response may be a server error, and afterwards the database must agree with what
the responses told people: every "saved" is one revision and one history entry,
nothing refused was saved. Each pair waits for the one before, so the test stays
bounded; it takes about 15 seconds.
"""

import http.client
import http.cookies
import json
import os
import re
import secrets
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import Counter
from functools import partial
from pathlib import Path
from runpy import run_path

import pytest

from tests.local_servers import free_port

ROOT = Path(__file__).resolve().parents[1]
GUNICORN = Path(sys.executable).with_name("gunicorn")
PASSWORD = "demo-password-2026"
SAME_POINT_ROUNDS, OTHER_POINTS_ROUNDS, START_ROUNDS, ACCEPT_ROUNDS = 20, 20, 10, 4

# Run in the server's environment before it starts: the database `make run` builds,
# plus a draft to save points of, services to start, and invitations to accept.
SETUP = """
import io, json, sys
import django
django.setup()
from django.core.management import call_command
from django.utils import timezone
from assessments import services
from assessments.models import Council, Invitation, Service, User
from assessments.models.people import invitation_lifetime

starts, accepts = int(sys.argv[1]), int(sys.argv[2])
call_command("migrate", verbosity=0)
call_command("loaddata", "standard_lgdss_1_0", verbosity=0)
call_command("load_demo_data", verbosity=0, stdout=io.StringIO())
coventry = Council.objects.get(code="COV")
lead = User.objects.get(email="lead@coventry.example")
bins = Service.objects.create(council=coventry, name="Report a missed bin", phase="beta")
draft = services.start_assessment(bins, by=lead, phase="beta")
fresh = [
    Service.objects.create(council=coventry, name=f"Service {n}", phase="beta").pk
    for n in range(starts)
]
invitations = []
for council in Council.objects.exclude(code__in=["COV", "LDS"]).order_by("code")[:accepts]:
    token, token_hash = Invitation.new_token()
    Invitation.objects.create(
        email="lead@leeds.example", role="contributor", council=council,
        token_hash=token_hash, invited_by=lead,
        expires_at=timezone.now() + invitation_lifetime(),
    )
    invitations.append([token, council.pk])
print(json.dumps({"draft": draft.pk, "services": fresh, "invitations": invitations}))
"""


class Page:
    def __init__(self, status, location, body):
        self.status, self.location, self.body = status, location, body

    def field(self, name):
        """The value of the form field `name` on this page."""
        return re.search(rf'name="{name}" value="([^"]*)"', self.body).group(1)


class Browser:
    """One person's browser: keeps its cookies, does not follow redirects."""

    def __init__(self, port):
        self.port = port
        self.cookies = {}

    def request(self, method, path, form=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body, headers)
            response = connection.getresponse()
            for header in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in http.cookies.SimpleCookie(header).items():
                    self.cookies[name] = morsel.value
            return Page(response.status, response.getheader("Location"), response.read().decode())
        finally:
            connection.close()

    def get(self, path):
        return self.request("GET", path)

    def post(self, path, form, *, page):
        """Post `form` as the form on `page` would, with that page's CSRF token."""
        return self.request(
            "POST", path, {"csrfmiddlewaretoken": page.field("csrfmiddlewaretoken"), **form}
        )

    def sign_in(self, email):
        page = self.get("/sign-in/")
        response = self.post("/sign-in/", {"email": email, "password": PASSWORD}, page=page)
        assert response.status == 302, f"{email} could not sign in"
        return self


def at_once(*requests):
    """Send the requests from separate threads at the same moment; their responses, in order."""
    ready = threading.Barrier(len(requests))
    responses = [None] * len(requests)

    def send(n, request):
        ready.wait()
        responses[n] = request()

    threads = [threading.Thread(target=send, args=(n, r)) for n, r in enumerate(requests)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return responses


def worker_count():
    """gunicorn.conf.py's own figure (one per core + 1), capped so a big machine stays quick."""
    return min(run_path(str(ROOT / "gunicorn.conf.py"))["workers"], 9)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`make run`'s server on a free port with a fresh SQLite database.

    Yields the port, the ids and tokens SETUP made, the database file and the server's log.
    """
    folder = tmp_path_factory.mktemp("run")
    port = free_port()
    # The real settings, with static files collected into this folder, not the checkout.
    (folder / "run_settings.py").write_text(
        f"from lgdss.settings import *  # noqa: F403\n\nSTATIC_ROOT = {str(folder / 'static')!r}\n"
    )
    database = folder / "db.sqlite3"
    env = {
        "PATH": os.environ["PATH"],
        "PYTHONPATH": os.pathsep.join([str(folder), str(ROOT)]),
        "DJANGO_SETTINGS_MODULE": "run_settings",
        # As the Makefile's RUN_ENV:
        "DEBUG": "false",
        "SECURE_COOKIES": "false",
        "SECURE_SSL_REDIRECT": "false",
        "EMAIL_BACKEND": "console",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DEMO_DATA": "true",
        "SITE_URL": f"http://127.0.0.1:{port}",
        "DATABASE_URL": f"sqlite:///{database}",
        "WEB_CONCURRENCY": str(worker_count()),
    }

    def run(*command):
        done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        return done.stdout

    data = json.loads(run(sys.executable, "-c", SETUP, str(START_ROUNDS), str(ACCEPT_ROUNDS)))
    run(sys.executable, "manage.py", "collectstatic", "--no-input", "--verbosity", "0")

    log = (folder / "server.log").open("w")
    process = subprocess.Popen(
        [GUNICORN, "--config", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}", "lgdss.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 20
        while not _answering(port):
            assert process.poll() is None, (folder / "server.log").read_text()
            assert time.monotonic() < deadline, "the server did not start within 20 s"
            time.sleep(0.1)
        yield port, data, database, folder / "server.log"
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _answering(port):
    try:
        return Browser(port).get("/healthz").status == 200
    except ConnectionRefusedError:
        return False


def point_form(page, evidence):
    return {
        "revision": page.field("revision"),
        "answer": "3",
        "evidence": evidence,
        "not_applicable_reason": "",
        "action": "later",
        "links-TOTAL_FORMS": "0",
        "links-INITIAL_FORMS": "0",
    }


def test_simultaneous_writes_get_no_server_errors_and_leave_the_database_consistent(server):
    port, data, database, log = server
    lead, editor = (Browser(port).sign_in(f"{who}@coventry.example") for who in ("lead", "editor"))
    people = {"lead": lead, "editor": editor}
    tabs = [Browser(port).sign_in("lead@leeds.example") for _ in range(2)]
    outcomes = {name: Counter() for name in ("same point", "other points", "start", "accept")}
    problems = []

    def record(kind, answers):
        statuses = [answer.status for answer in answers]
        outcomes[kind].update(statuses)
        outcomes[kind]["rounds"] += 1
        outcomes[kind]["rounds with a 500"] += 500 in statuses

    def point_path(number):
        return f"/councils/cov/assessments/{data['draft']}/points/{number}/"

    def save_at_once(jobs):
        """jobs: {who: (point number, evidence typed)}; each person opens their point,
        then all press Save at once. Their answers, by person."""
        pages = {who: people[who].get(point_path(number)) for who, (number, _) in jobs.items()}
        posts = [
            partial(
                people[who].post, point_path(number), point_form(pages[who], text), page=pages[who]
            )
            for who, (number, text) in jobs.items()
        ]
        return dict(zip(jobs, at_once(*posts), strict=True))

    # Two people save the same point from the same revision: one is saved, one refused.
    saved_same = []
    for n in range(SAME_POINT_ROUNDS):
        typed = {who: f"Round {n} evidence from the {who}" for who in people}
        answers = save_at_once({who: (3, text) for who, text in typed.items()})
        record("same point", answers.values())
        saved_same += [typed[who] for who, answer in answers.items() if answer.status == 302]
        if sorted(answer.status for answer in answers.values()) != [200, 302]:
            problems.append(f"same point, round {n}: {[a.status for a in answers.values()]}")
        for who, answer in answers.items():
            if answer.status == 200 and not (
                "saved this point while you were editing" in answer.body
                and f"{typed[who]}</textarea>" in answer.body
            ):
                problems.append(f"same point, round {n}: the {who}'s text is not in the form")

    # Two people save different points: both are saved.
    saved_other = {5: [], 6: []}
    for n in range(OTHER_POINTS_ROUNDS):
        jobs = {"lead": (5, f"Round {n} by the lead"), "editor": (6, f"Round {n} by the editor")}
        answers = save_at_once(jobs)
        record("other points", answers.values())
        for who, answer in answers.items():
            number, text = jobs[who]
            if answer.status == 302:
                saved_other[number].append(text)
            else:
                problems.append(f"other points, round {n}: the {who} got {answer.status}")

    # Two people start an assessment of the same service: one draft, both taken to it.
    landed = {}
    for n, service in enumerate(data["services"]):
        path = f"/councils/cov/services/{service}/assess/"
        posts = [
            partial(browser.post, path, {"phase": "beta"}, page=browser.get(path))
            for browser in (lead, editor)
        ]
        answers = at_once(*posts)
        record("start", answers)
        landed[service] = {answer.location for answer in answers if answer.status == 302}
        if [answer.status for answer in answers] != [302, 302] or len(landed[service]) != 1:
            problems.append(f"start, round {n}: {[(a.status, a.location) for a in answers]}")

    # Two tabs accept one invitation: one membership, the other tab told it was used.
    accepted = {}
    for n, (token, council) in enumerate(data["invitations"]):
        path = f"/invitations/accept/{token}/"
        answers = at_once(*(partial(tab.post, path, {}, page=tab.get(path)) for tab in tabs))
        record("accept", answers)
        accepted[council] = sum(answer.status == 302 for answer in answers)
        used = [a for a in answers if a.status == 410 and "already been used" in a.body]
        if accepted[council] != 1 or len(used) != 1:
            problems.append(f"accept, round {n}: {[a.status for a in answers]}")

    # The database agrees with what people were told.
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
        problems += check_database(db, data, saved_same, saved_other, landed, accepted)

    logged = log.read_text()
    errors = logged.count("Internal Server Error")
    locked = logged.count("django.db.utils.OperationalError: database is locked")
    report = "; ".join(f"{kind}: {dict(counts)}" for kind, counts in outcomes.items())
    summary = f"{report}. The server logged {errors} errors, {locked} of them 'database is locked'"
    print(f"\n{summary}")
    assert not problems, "\n".join([summary, *problems])


def check_database(db, data, saved_same, saved_other, landed, accepted):
    problems = []

    def one(sql, *params):
        return db.execute(sql, params).fetchone()

    def point(number):
        return one(
            "SELECT a.id, a.revision, a.evidence FROM assessments_pointassessment a "
            "JOIN standard_point p ON p.id = a.point_id WHERE a.assessment_id = ? AND p.number = ?",
            data["draft"],
            number,
        )

    def saves_recorded(number):
        return one(
            "SELECT count(*) FROM assessments_assessmentevent "
            "WHERE assessment_id = ? AND kind = 'saved_point' AND point_number = ?",
            data["draft"],
            number,
        )[0]

    for number, saved in [(3, saved_same), *saved_other.items()]:
        _, revision, evidence = point(number)
        recorded = saves_recorded(number)
        if (revision, recorded) != (len(saved), len(saved)):
            problems.append(
                f"point {number}: {len(saved)} saves answered, revision {revision}, "
                f"{recorded} in the history"
            )
        if saved and evidence != saved[-1]:
            problems.append(f"point {number} holds {evidence!r}, not the last save {saved[-1]!r}")

    for service, locations in landed.items():
        drafts = db.execute(
            "SELECT id FROM assessments_assessment WHERE service_id = ?", [service]
        ).fetchall()
        expected = [f"/councils/cov/assessments/{draft}/" for (draft,) in drafts]
        if (
            len(drafts) != (1 if locations else 0)
            or sorted(locations) != expected[: len(locations)]
        ):
            problems.append(f"service {service}: drafts {drafts}, people sent to {locations}")
        for (draft,) in drafts:
            if (
                one(
                    "SELECT count(*) FROM assessments_assessmentevent WHERE assessment_id = ?",
                    draft,
                )[0]
                != 1
            ):
                problems.append(f"assessment {draft}: not exactly one history entry")

    (leeds_lead,) = one("SELECT id FROM assessments_user WHERE email = 'lead@leeds.example'")
    for council, successes in accepted.items():
        (members,) = one(
            "SELECT count(*) FROM assessments_membership WHERE user_id = ? AND council_id = ?",
            leeds_lead,
            council,
        )
        (used,) = one(
            "SELECT count(*) FROM assessments_invitation WHERE council_id = ? AND accepted_at IS NOT NULL",
            council,
        )
        if (members, used) != (successes, successes):
            problems.append(f"council {council}: {successes} acceptances, {members} memberships")

    if one("PRAGMA integrity_check")[0] != "ok":
        problems.append("the database file fails SQLite's integrity check")
    return problems
