"""`make bench`: the driver's reading and judging of what it measured
(scripts/bench/bench.py), its wrk script, and the preparation on the database
(lgdss/management/commands/bench_prepare.py). No timing is asserted: the figures belong
to the machine that made them."""

import gzip
import importlib.util
import io
import json
import shutil
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import Client

from assessments.models import (
    Assessment,
    AssessmentEvent,
    Membership,
    PointAssessment,
    ReviewerAssignment,
    Role,
    Status,
    User,
)
from lgdss.management.commands import bench_prepare
from tests.factories_published_rows import publish_directly
from tests.factories_services import ProductFactory

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"


def _load_driver():
    spec = importlib.util.spec_from_file_location("bench_driver", ROOT / "scripts/bench/bench.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


bench = _load_driver()


# --- checks ---------------------------------------------------------------------------


@pytest.mark.parametrize("url", [None, "", "sqlite:///var/db.sqlite3", "mysql://x@y/z"])
def test_a_database_other_than_postgresql_is_refused_with_how_to_set_it(url):
    with pytest.raises(bench.BenchError, match="DATABASE_URL to a PostgreSQL database"):
        bench.check_database_url(url)


def test_postgresql_is_accepted():
    url = "postgres://lgdss:lgdss@127.0.0.1:5432/lgdss_bench"
    assert bench.check_database_url(url) == url


def test_missing_wrk_says_how_to_install_it():
    with pytest.raises(bench.BenchError, match="apt-get install wrk"):
        bench.check_wrk(which=lambda name: None)


def test_servers_run_with_production_settings_and_the_cache_given():
    env = bench.server_environment(
        {"SECRET_KEY_FILE": "var/secret-key", "DEBUG": "true"},
        cache_url="redis://127.0.0.1:6400/0",
        secret_key="k" * 50,
    )
    assert env["DEBUG"] == "false"
    assert env["SECRET_KEY"] == "k" * 50
    assert "SECRET_KEY_FILE" not in env
    assert env["CACHE_URL"] == "redis://127.0.0.1:6400/0"
    without = bench.server_environment({"CACHE_URL": "redis://x"}, cache_url="", secret_key="k")
    assert "CACHE_URL" not in without  # memory in each process


def test_without_redis_the_cache_is_memory_in_each_worker_and_the_report_says_so():
    url, label = bench.start_cache(bench.Processes(), "", which=lambda name: None)
    assert url == ""
    assert "memory in each worker" in label


# --- reading wrk ----------------------------------------------------------------------

WRK_OUTPUT = """Running 5s test @ http://127.0.0.1:8000/results/
  2 threads and 8 connections
BENCH-JSON {"requests": 1000, "duration_us": 5000000, "bytes": 123, "errors": {"connect": 1, "read": 2, "write": 0, "status": 3, "timeout": 4}, "unexpected": 5, "latency_us": {"p50": 12000, "p95": 48000, "p99": 90500, "max": 120000, "mean": 15000.0}}
"""


def test_wrk_result_is_read_from_its_json_line_among_wrks_own_output():
    raw = bench.parse_wrk(WRK_OUTPUT)
    assert raw["requests"] == 1000
    assert raw["latency_us"]["p95"] == 48000


def test_wrk_output_without_a_result_is_an_error_showing_the_output():
    with pytest.raises(bench.BenchError, match="unable to connect"):
        bench.parse_wrk("unable to connect to 127.0.0.1:1 Connection refused")


def test_summary_gives_requests_per_second_milliseconds_and_failures():
    summary = bench.summarise_wrk(bench.parse_wrk(WRK_OUTPUT))
    assert summary["rps"] == 200
    assert (summary["p50_ms"], summary["p95_ms"], summary["p99_ms"]) == (12, 48, 90.5)
    # 4xx/5xx counted by wrk and unexpected statuses counted by the script.
    assert summary["non_success"] == 8
    assert summary["socket_errors"] == 7


def test_two_servers_load_adds_throughput_and_keeps_the_worse_latency():
    one = {"requests": 10, "rps": 100.0, "p50_ms": 5, "p95_ms": 20, "p99_ms": 30}
    two = {"requests": 12, "rps": 120.0, "p50_ms": 6, "p95_ms": 18, "p99_ms": 40}
    for run in (one, two):
        run.update(non_success=1, socket_errors=0)
    combined = bench.combine_runs([one, two])
    assert combined["rps"] == 220
    assert combined["requests"] == 22
    assert (combined["p50_ms"], combined["p95_ms"], combined["p99_ms"]) == (6, 20, 40)
    assert combined["non_success"] == 2


def test_two_wrk_processes_share_the_connections_and_threads():
    command = bench.wrk_command(
        "/usr/bin/wrk", "http://x/", connections=4, threads=1, duration=5, cookie="sessionid=a"
    )
    assert "--connections=4" in command
    assert "--threads=1" in command
    assert "Cookie: sessionid=a" in command
    assert f"Accept-Encoding: {bench.ACCEPT_ENCODING}" in command


# --- judging --------------------------------------------------------------------------


def _row(name="results", kind="public", rps=600.0, p95=40.0, **extra):
    row = {
        "name": name,
        "kind": kind,
        "rps": rps,
        "requests": 1000,
        "p50_ms": 10.0,
        "p95_ms": p95,
        "p99_ms": 60.0,
        "non_success": 0,
        "socket_errors": 0,
        "queries": 1,
        "queries_uncached": 8,
        "first_visit_bytes": 100 * 1024,
    }
    row.update(extra)
    return row


def test_public_page_meets_every_target_at_half_of_healthz_throughput():
    row = bench.judge(_row(rps=500.0), baseline_rps=1000.0)
    assert row["ratio"] == 0.5
    assert row["targets"] == {
        "throughput": True,
        "p95": True,
        "queries": True,
        "first_visit": True,
        "no_errors": True,
    }


def test_public_page_below_half_of_healthz_or_slow_misses():
    row = bench.judge(_row(rps=499.0, p95=50.1), baseline_rps=1000.0)
    assert row["targets"]["throughput"] is False
    assert row["targets"]["p95"] is False


def test_signed_in_page_is_allowed_150_ms_and_has_no_throughput_target():
    row = bench.judge(_row(kind="signed-in", rps=10.0, p95=150.0), baseline_rps=1000.0)
    assert row["targets"]["p95"] is True
    assert row["targets"]["throughput"] is None
    assert row["targets"]["first_visit"] is None
    assert bench.judge(_row(kind="signed-in", p95=151.0), 1000.0)["targets"]["p95"] is False


def test_queries_are_judged_on_the_uncached_count():
    row = bench.judge(_row(queries=1, queries_uncached=11), baseline_rps=1000.0)
    assert row["targets"]["queries"] is False


def test_first_visit_over_150_kb_misses():
    row = bench.judge(_row(first_visit_bytes=150 * 1024 + 1), baseline_rps=1000.0)
    assert row["targets"]["first_visit"] is False


def test_any_failed_request_misses():
    assert bench.judge(_row(non_success=1), 1000.0)["targets"]["no_errors"] is False
    assert bench.judge(_row(socket_errors=1), 1000.0)["targets"]["no_errors"] is False


def test_a_run_in_which_no_request_finished_fails_and_shows_no_figures():
    row = bench.judge(_row(rps=0.0, requests=0, p95=0.0), 1000.0)
    assert row["targets"]["no_errors"] is False
    line = bench.table([row]).splitlines()[1]
    assert line.split()[1] == "-"  # no requests a second to show


def test_a_download_is_loaded_long_enough_for_whole_downloads_to_finish(monkeypatch):
    monkeypatch.setattr(bench.os, "cpu_count", lambda: 2)
    args = bench.parse_args(["--duration", "5", "--connections", "8", "--threads", "2"])
    load = bench.download_load(args, {"seconds": 8.5})
    assert load == {"connections": 2, "threads": 2, "duration": 31, "timeout": 31}
    assert bench.download_load(args, {"seconds": 0.1})["duration"] == 6


def test_healthz_and_downloads_have_no_page_targets():
    healthz = bench.judge(_row(name="healthz", rps=1000.0), baseline_rps=1000.0)
    assert healthz["ratio"] == 1
    assert healthz["targets"]["throughput"] is None
    assert healthz["targets"]["p95"] is None
    csv = bench.judge(_row(name="point scores CSV", download=True, p95=900.0), 1000.0)
    assert csv["targets"]["throughput"] is None
    assert csv["targets"]["p95"] is None


def test_table_has_a_row_for_each_page_with_its_misses_marked():
    rows = [
        bench.judge(_row(name="healthz", rps=1000.0), 1000.0),
        bench.judge(_row(name="results", rps=100.0), 1000.0),
    ]
    lines = bench.table(rows).splitlines()
    assert lines[0].startswith("page")
    assert lines[2].startswith("results")
    assert "0.10" in lines[2]
    assert "throughput=NO" in lines[2]
    assert "8/1" in lines[2]  # queries uncached/cached


def test_report_is_written_with_its_time_and_as_latest(tmp_path):
    report = {"started_at": "2026-11-27T10:00:00Z", "rows": []}
    path = bench.write_report(report, tmp_path / "bench")
    assert path.name == "20261127T100000Z.json"
    assert json.loads((tmp_path / "bench" / "latest.json").read_text()) == report


def test_constant_memory_needs_streaming_and_a_peak_well_below_the_file():
    ten_mb = 10 * 1024 * 1024
    assert bench.constant_memory(True, growth_kb=512, size=ten_mb)
    assert not bench.constant_memory(True, growth_kb=5 * 1024, size=ten_mb)
    assert not bench.constant_memory(False, growth_kb=0, size=ten_mb)
    assert bench.constant_memory(True, growth_kb=16, size=30_000)  # allocator noise


# --- a first visit's CSS and JavaScript -------------------------------------------------


def test_page_assets_are_its_stylesheets_and_scripts():
    html = """<link rel="stylesheet" href="/static/app.1.css"><link rel="icon" href="/f.svg">
    <script type="module" src="/static/app.2.js"></script><script nonce="x">inline()</script>"""
    assert bench.page_assets(html) == ["/static/app.1.css", "/static/app.2.js"]


def test_script_imports_are_found_as_a_browser_follows_them():
    source = 'import { initAll } from "./govuk-frontend.min.3.js";import "./x.js";import("./y.js")'
    assert bench.script_imports(source) == ["./govuk-frontend.min.3.js", "./x.js", "./y.js"]


class _Site(BaseHTTPRequestHandler):
    """A page, its stylesheet and a script that imports another, all gzipped."""

    FILES = {
        "/": ("text/html", b'<link rel="stylesheet" href="/a.css"><script src="/m.js"></script>'),
        "/a.css": ("text/css", b"body{color:red}" * 20),
        "/m.js": ("text/javascript", b'import "./n.js";'),
        "/n.js": ("text/javascript", b"console.log(1);" * 20),
    }

    def do_GET(self):
        if self.path == "/save":
            self.send_response(200)  # a form shown again, not the redirect of a save
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        kind, body = self.FILES[self.path]
        body = gzip.compress(body)
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def site():
    server = ThreadingHTTPServer((HOST, 0), _Site)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://{HOST}:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_first_visit_counts_the_page_its_css_and_scripts_with_their_imports_compressed(site):
    plan = {"session_cookie": "sessionid", "csrf_cookie": "csrftoken", "sessions": {}}
    sizes = bench.measure_bytes(site, plan, {"path": "/", "persona": None})
    assets = {asset["path"]: asset["bytes"] for asset in sizes["assets"]}
    assert set(assets) == {"/a.css", "/m.js", "/n.js"}
    assert assets["/a.css"] == len(gzip.compress(_Site.FILES["/a.css"][1]))
    assert sizes["content_encoding"] == "gzip"
    assert sizes["first_visit_bytes"] == sizes["bytes"] + sum(assets.values())


@pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed")
def test_wrk_script_reports_json_and_counts_statuses_other_than_the_expected_one(site, tmp_path):
    body = tmp_path / "body"
    body.write_text("a=1")
    target = {"method": "GET", "path": "/save"}
    command = bench.wrk_command(
        shutil.which("wrk"), f"{site}/save", connections=1, threads=1, duration=1, cookie=""
    )
    env = bench.wrk_environment(target, None)
    env["BENCH_EXPECT"] = "302"  # as for the point save
    output = subprocess.run(command, env=env, capture_output=True, text=True, timeout=30).stdout
    summary = bench.summarise_wrk(bench.parse_wrk(output))
    assert summary["requests"] > 0
    assert summary["non_success"] == summary["requests"]  # every 200 was unexpected
    assert summary["p95_ms"] >= summary["p50_ms"] > 0


# --- preparation on the database -------------------------------------------------------


@pytest.fixture
def record(standard, coventry, leeds):
    """Public publications: Coventry's busiest, one on a product; Leeds's one."""
    product = ProductFactory()
    publish_directly(coventry, name="Pay council tax")
    publish_directly(coventry, name="Book a bulky waste collection", product=product)
    publish_directly(leeds, name="Apply for a school place")
    return product


def _signed_in(session_key, *, csrf=False):
    client = Client(HTTP_HOST=HOST, enforce_csrf_checks=csrf)
    client.cookies[settings.SESSION_COOKIE_NAME] = session_key
    return client


def test_work_is_made_through_the_workflow_at_the_busiest_council(record, coventry):
    work = bench_prepare.prepare_work()
    member = work["member"]
    assert Membership.objects.get(user=member).council == coventry
    assert Membership.objects.get(user=member).role == Role.LEAD
    draft = work["draft"]
    assert draft.status == Status.DRAFT
    answered = PointAssessment.objects.filter(assessment=draft, score__isnull=False)
    assert answered.count() == bench_prepare.DRAFT_ANSWERED
    in_review = Assessment.objects.get(pk=work["in_review"].pk)
    assert in_review.status == Status.IN_REVIEW
    lead = ReviewerAssignment.objects.get(assessment=in_review, is_lead=True)
    assert lead.reviewer == work["reviewer"]
    # Through the workflow: the history has the saves and the assignment.
    assert AssessmentEvent.objects.filter(assessment=draft).exists()


def test_a_second_preparation_makes_nothing_new(record):
    first = bench_prepare.prepare_work()
    counts = (User.objects.count(), Assessment.objects.count(), AssessmentEvent.objects.count())
    second = bench_prepare.prepare_work()
    assert (second["draft"], second["in_review"]) == (first["draft"], first["in_review"])
    assert counts == (
        User.objects.count(),
        Assessment.objects.count(),
        AssessmentEvent.objects.count(),
    )


def test_sessions_made_server_side_sign_each_persona_in(record):
    work = bench_prepare.prepare_work()
    member = _signed_in(bench_prepare.make_session(work["member"]))
    response = member.get("/your-work/")
    assert response.status_code == 200
    assert response.wsgi_request.user == work["member"]
    reviewer = _signed_in(bench_prepare.make_session(work["reviewer"]))
    code = work["council"].code.lower()
    response = reviewer.get(f"/councils/{code}/assessments/{work['in_review'].pk}/review/")
    assert response.status_code == 200
    assert response.wsgi_request.user == work["reviewer"]


def test_a_session_for_someone_with_an_authenticator_app_still_asks_for_a_code(record):
    """The benchmark's personas have no app: were they given one, the made session would
    be refused, as an unverified one is (so the benchmark does not go round 2FA)."""
    from tests.two_factor import give_app

    work = bench_prepare.prepare_work()
    give_app(work["member"])
    response = _signed_in(bench_prepare.make_session(work["member"])).get("/your-work/")
    assert response.status_code == 302
    assert "/sign-in/" in response["Location"]


def test_point_save_posts_what_is_stored_with_a_valid_csrf_token_again_and_again(record):
    work = bench_prepare.prepare_work()
    session = bench_prepare.make_session(work["member"])
    save = bench_prepare.point_save_request(work, session, HOST)
    answer = PointAssessment.objects.get(
        assessment=work["draft"], point__number=bench_prepare.SAVED_POINT
    )
    events = AssessmentEvent.objects.count()
    client = _signed_in(session, csrf=True)  # the CSRF check on, as under load
    client.cookies[settings.CSRF_COOKIE_NAME] = save["csrf_token"]
    for _ in range(3):
        response = client.post(
            save["path"], save["body"], content_type="application/x-www-form-urlencoded"
        )
        assert response.status_code == 302
    stored = PointAssessment.objects.get(pk=answer.pk)
    assert (stored.revision, stored.score, stored.evidence) == (
        answer.revision,
        answer.score,
        answer.evidence,
    )
    assert AssessmentEvent.objects.count() == events  # a save that changes nothing writes nothing
    fields = dict(parse_qsl(save["body"]))
    assert fields["evidence"] == answer.evidence
    assert fields["revision"] == str(answer.revision)
    assert fields["action"] == "later"


def test_point_save_body_from_an_older_revision_is_refused_as_a_concurrent_edit(record):
    """So the save under load is checked for real: the body carries the revision."""
    work = bench_prepare.prepare_work()
    session = bench_prepare.make_session(work["member"])
    save = bench_prepare.point_save_request(work, session, HOST)
    PointAssessment.objects.filter(
        assessment=work["draft"], point__number=bench_prepare.SAVED_POINT
    ).update(revision=99)
    response = _signed_in(session).post(
        save["path"], save["body"], content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    assert "saved this point while you were editing it" in response.content.decode()


def test_form_fields_are_read_as_a_browser_sends_them():
    html = """<form method="post"><input name="q"></form>
    <form method="post"><input type="hidden" name="csrfmiddlewaretoken" value="t">
    <input type="radio" name="answer" value="2"><input type="radio" name="answer" value="3" checked>
    <textarea name="evidence">
Line one &amp; two</textarea><input name="revision" value="4">
    <button type="submit" name="action" value="continue">Save</button></form>"""
    assert bench_prepare.form_fields(html) == [
        ("csrfmiddlewaretoken", "t"),
        ("answer", "3"),
        ("evidence", "Line one & two"),
        ("revision", "4"),
    ]
    with pytest.raises(CommandError):
        bench_prepare.form_fields("<form><input name='q'></form>")


def test_plan_names_every_page_of_the_issue_each_answering_200_with_its_queries(record, tmp_path):
    output = tmp_path / "plan.json"
    call_command("bench_prepare", output=str(output), host=HOST, stdout=io.StringIO())
    plan = json.loads(output.read_text())
    names = [target["name"] for target in plan["targets"]]
    assert names == [
        "healthz",
        "start page",
        "results",
        "results by region",
        "results by point",
        "council page",
        "published report",
        "compare",
        "national picture",
        "product page",
        "point scores CSV",
        "API assessments",
        "your work",
        "task list",
        "point page",
        "review page",
        "point save",
    ]
    by_name = {target["name"]: target for target in plan["targets"]}
    assert by_name["product page"]["path"] == f"/products/{record.slug}/"
    assert by_name["council page"]["path"] == "/councils/cov/"
    # Compare goes to the address it prefers, not to its redirect.
    assert by_name["compare"]["path"].startswith("/compare/?councils=")
    assert "," in by_name["compare"]["path"]
    for target in plan["targets"]:
        assert target["status"] == (302 if target["method"] == "POST" else 200), target["name"]
        assert isinstance(target["queries"], int)
        assert target["queries_uncached"] >= target["queries"]
    assert by_name["healthz"]["queries_uncached"] == 0
    # A public page served from the cache costs fewer queries than drawn afresh.
    assert by_name["results"]["queries"] < by_name["results"]["queries_uncached"]
    assert by_name["your work"]["persona"] == "member"
    assert by_name["review page"]["persona"] == "reviewer"
    assert set(plan["sessions"]) == {"member", "reviewer"}
    assert plan["public_publications"] == 3


def test_plan_is_refused_without_public_publications(standard, tmp_path):
    with pytest.raises(CommandError, match="generate_scale_data"):
        call_command("bench_prepare", output=str(tmp_path / "plan.json"), host=HOST)


def test_slow_rates_keep_their_fraction():
    assert bench.rate(226.6) == "227"
    assert bench.rate(0.1) == "0.10"
