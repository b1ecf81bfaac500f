#!/usr/bin/env python3
"""`make bench`: serve the app as production does and measure it under load.

Steps (docs/decisions/0026-benchmark.md says why each is done this way):

1. Checks: wrk is installed, DATABASE_URL names PostgreSQL.
2. Prepares the database if needed: migrate, the Standard, the councils, and the
   national-scale data (`generate_scale_data`) only if nothing is published yet.
3. `collectstatic`, then `bench_prepare`: the benchmark's people, their work and their
   sessions, the pages to load, and each page's database queries per request.
4. Starts a cache (redis-server if installed, else memory in each process: said in the
   report), and gunicorn with gunicorn.conf.py, DEBUG off, a real SECRET_KEY and
   whitenoise, on a free local port (two, with --servers 2).
5. Measures the full CSV download's memory, then each page's compressed size (and with
   its CSS and JavaScript on a first visit), then drives wrk at a fixed concurrency
   against each page in turn.
6. Prints a table and writes JSON to var/bench/<timestamp>.json and var/bench/latest.json.

Run it with `make bench` (see the README), or directly:
    DATABASE_URL=postgres://... .venv/bin/python scripts/bench/bench.py --duration 5
"""

import argparse
import datetime
import gzip
import json
import math
import os
import re
import runpy
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

ROOT = Path(__file__).resolve().parents[2]
LUA = Path(__file__).with_name("report.lua")
PYTHON = sys.executable
HOST = "127.0.0.1"
MARKER = "BENCH-JSON "
ACCEPT_ENCODING = "gzip, br"

# The targets.
RATIO_TARGET = 0.5  # a public page's throughput, as a share of /healthz's
P95_PUBLIC_MS = 50
P95_SIGNED_IN_MS = 150
MAX_QUERIES = 10
FIRST_VISIT_KB = 150

INSTALL_WRK = (
    "wrk is not installed. Install it from Debian or Ubuntu with `sudo apt-get install wrk` "
    "(or from https://github.com/wg/wrk), then run `make bench` again."
)
NEEDS_POSTGRES = (
    "make bench measures the app on PostgreSQL, as it runs in production: set DATABASE_URL "
    "to a PostgreSQL database, e.g. DATABASE_URL=postgres://lgdss:lgdss@127.0.0.1:5432/lgdss_bench "
    "make bench. (It was {found}.)"
)


class BenchError(Exception):
    """Something the person running the benchmark must fix: said, without a traceback."""


# --- checks and settings -------------------------------------------------------------


def check_wrk(which=shutil.which):
    path = which("wrk")
    if path is None:
        raise BenchError(INSTALL_WRK)
    return path


def check_database_url(url):
    """The database must be PostgreSQL: SQLite's single writer would measure SQLite."""
    scheme = urlsplit(url or "").scheme.lower()
    if scheme not in ("postgres", "postgresql", "pgsql", "postgis"):
        found = f"a {scheme}:// address" if scheme else "not set"
        raise BenchError(NEEDS_POSTGRES.format(found=found))
    return url


def free_port():
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def server_environment(base, *, cache_url, secret_key):
    """The environment of every process the benchmark runs: production settings
    (DEBUG off, a real secret key), over plain HTTP on this machine, sending no email."""
    env = dict(base)
    env.update(
        DEBUG="false",
        SECRET_KEY=secret_key,
        SECURE_SSL_REDIRECT="false",
        SECURE_COOKIES="false",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        EMAIL_BACKEND="console",
        DEMO_DATA="false",
    )
    env.pop("SECRET_KEY_FILE", None)
    if cache_url:
        env["CACHE_URL"] = cache_url
    else:
        env.pop("CACHE_URL", None)
    return env


# --- the database --------------------------------------------------------------------


def manage(env, *args, capture=False):
    command = [PYTHON, "manage.py", *args]
    print("  $ manage.py " + " ".join(args), flush=True)
    result = subprocess.run(command, cwd=ROOT, env=env, text=True, capture_output=capture)
    if result.returncode != 0:
        detail = (result.stderr or "").strip().splitlines()[-1:] if capture else []
        raise BenchError(f"manage.py {' '.join(args)} failed. {' '.join(detail)}")
    return result.stdout if capture else ""


def has_command(env, name):
    result = subprocess.run(
        [PYTHON, "manage.py", "help", name], cwd=ROOT, env=env, capture_output=True
    )
    return result.returncode == 0


def publication_count(env):
    out = manage(
        env,
        "shell",
        "-c",
        "from assessments.models import Publication; print(Publication.objects.count())",
        capture=True,
    )
    return int(out.strip().splitlines()[-1])


def prepare_database(env, *, services=None, demo=False):
    """Migrate and load what the app needs; the national-scale data only if nothing is
    published yet (generate_scale_data refuses to run twice on the same data)."""
    manage(env, "migrate", "--no-input", "--verbosity", "0")
    manage(env, "loaddata", "standard_lgdss_1_0", "--verbosity", "0")
    manage(env, "import_councils")
    count = publication_count(env)
    if count:
        print(f"  {count:,} publications already in the database: keeping them.")
        return "existing"
    if demo:
        manage({**env, "DEMO_DATA": "true"}, "load_demo_data")
        return "demo"
    if not has_command(env, "generate_scale_data"):
        raise BenchError(
            "The database has no publications and this checkout has no generate_scale_data "
            "command. Load data first, or run with --demo to measure the demo data."
        )
    # --yes: it publishes made-up results, which it does with DEBUG off only when told.
    extra = ["--services", str(services)] if services else []
    manage(env, "generate_scale_data", "--yes", *extra)
    return "generated"


# --- servers -------------------------------------------------------------------------


class Processes:
    """The processes this run started, stopped (by their own ids) when it ends."""

    def __init__(self):
        self.started = []

    def start(self, command, env, **kwargs):
        process = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True, **kwargs)
        self.started.append(process)
        return process

    def stop(self, process):
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    def stop_all(self):
        """Last started, first stopped: the servers before the cache they use."""
        for process in reversed(self.started):
            self.stop(process)


def start_cache(processes, given, which=shutil.which):
    """The cache the servers share: CACHE_URL if given; else a redis-server of the run's
    own, as production would have; else memory in each process. Returns (url, label)."""
    if given:
        return given, f"CACHE_URL as given ({urlsplit(given).scheme})"
    if which("redis-server") is None:
        return "", "memory in each worker (redis-server is not installed)"
    port = free_port()
    workdir = tempfile.mkdtemp(prefix="lgdss-bench-redis-")
    options = ["--port", str(port), "--bind", HOST, "--save", "", "--appendonly", "no"]
    processes.start(
        ["redis-server", *options, "--dir", workdir],
        os.environ.copy(),
        stdout=subprocess.DEVNULL,
    )
    wait_for_port(port)
    return f"redis://{HOST}:{port}/0", f"redis-server of this run (port {port})"


def wait_for_port(port, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((HOST, port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise BenchError(f"Nothing answered on port {port} within {timeout} seconds.")


def start_server(processes, env, port, workers, log):
    """gunicorn as production runs it: gunicorn.conf.py, with the worker count given.

    Its log (the app logs every request) goes to `log`, not between the report's lines.
    No control socket: its default path is one for the whole machine, which a second
    server (or anyone else's gunicorn) would take over.
    """
    env = {**env, "WEB_CONCURRENCY": str(workers)}
    process = processes.start(
        [
            str(Path(PYTHON).with_name("gunicorn")),
            "--config",
            "gunicorn.conf.py",
            "--bind",
            f"{HOST}:{port}",
            "--no-control-socket",
            "lgdss.wsgi",
        ],
        env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://{HOST}:{port}/healthz/ready", timeout=2):
                return process
        except (urllib.error.URLError, OSError):
            if process.poll() is not None:
                raise BenchError(f"gunicorn stopped while starting: see {log.name}.") from None
            time.sleep(0.3)
    raise BenchError(f"gunicorn did not become ready on port {port}.")


def worker_pids(master_pid):
    """gunicorn's workers: the master's children, from /proc."""
    pids = []
    task_dir = Path(f"/proc/{master_pid}/task")
    for task in task_dir.iterdir() if task_dir.exists() else []:
        children = (task / "children").read_text().split()
        pids += [int(pid) for pid in children]
    return pids


def memory_kb(pid):
    """A process's resident memory now and at its peak (VmRSS, VmHWM), in KB."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            fields[name] = int(value.split()[0])
    return fields.get("VmRSS", 0), fields.get("VmHWM", 0)


# --- measuring -----------------------------------------------------------------------


def cookie_header(plan, target):
    persona = target.get("persona")
    if not persona:
        return ""
    cookies = [f"{plan['session_cookie']}={plan['sessions'][persona]}"]
    if target.get("csrf_token"):
        cookies.append(f"{plan['csrf_cookie']}={target['csrf_token']}")
    return "; ".join(cookies)


def parse_wrk(output):
    """The JSON line report.lua prints at the end of a wrk run."""
    for line in output.splitlines():
        if line.startswith(MARKER):
            return json.loads(line[len(MARKER) :])
    raise BenchError("wrk printed no result:\n" + output[-2000:])


def summarise_wrk(raw):
    """Requests per second, latency in milliseconds and failures from one wrk result."""
    seconds = raw["duration_us"] / 1_000_000 or 1
    errors = raw["errors"]
    latency = raw["latency_us"]
    return {
        "requests": raw["requests"],
        "rps": raw["requests"] / seconds,
        "p50_ms": latency["p50"] / 1000,
        "p95_ms": latency["p95"] / 1000,
        "p99_ms": latency["p99"] / 1000,
        # Responses that were not a success (wrk: 4xx/5xx), the unexpected statuses the
        # script counted (a save shown again), and requests that failed at the socket.
        "non_success": errors["status"] + raw.get("unexpected", 0),
        "socket_errors": errors["connect"] + errors["read"] + errors["write"] + errors["timeout"],
    }


def combine_runs(runs):
    """Two wrk processes (one per server) as one load: requests added; the latency of
    each percentile the worse of the two, since percentiles cannot be merged exactly."""
    return {
        "requests": sum(run["requests"] for run in runs),
        "rps": sum(run["rps"] for run in runs),
        "p50_ms": max(run["p50_ms"] for run in runs),
        "p95_ms": max(run["p95_ms"] for run in runs),
        "p99_ms": max(run["p99_ms"] for run in runs),
        "non_success": sum(run["non_success"] for run in runs),
        "socket_errors": sum(run["socket_errors"] for run in runs),
    }


def wrk_command(wrk, url, *, connections, threads, duration, cookie, timeout=10):
    command = [
        wrk,
        f"--connections={connections}",
        f"--threads={threads}",
        f"--duration={duration}s",
        f"--timeout={timeout}s",
        "--latency",
        f"--script={LUA}",
        "--header",
        f"Accept-Encoding: {ACCEPT_ENCODING}",
    ]
    if cookie:
        command += ["--header", f"Cookie: {cookie}"]
    return [*command, url]


def is_download(target):
    return target["path"].endswith(".csv")


def download_load(args, memory):
    """The load for a whole download, which takes seconds, not milliseconds: no more
    connections than CPUs, for long enough that downloads finish (three times one alone,
    and more), with wrk's timeout as long as the run."""
    connections = max(1, min(args.connections, os.cpu_count() or 1))
    alone = memory["seconds"] if memory else 10
    duration = max(args.duration, math.ceil(3 * alone + 5))
    return {
        "connections": connections,
        "threads": min(args.threads, connections),
        "duration": duration,
        "timeout": duration,
    }


def wrk_environment(target, body_file):
    env = os.environ.copy()
    env["BENCH_METHOD"] = target["method"]
    env["BENCH_BODY_FILE"] = body_file or ""
    env["BENCH_EXPECT"] = "302" if target["method"] == "POST" else ""
    return env


def run_wrk(wrk, plan, target, ports, *, connections, threads, duration, body_file, timeout=10):
    """Drive wrk against the target on each port at once, the connections split between
    them (one port: all of them). Returns the combined summary."""
    share = max(1, connections // len(ports))
    procs = [
        subprocess.Popen(
            wrk_command(
                wrk,
                f"http://{HOST}:{port}{target['path']}",
                connections=share,
                threads=max(1, min(threads // len(ports), share)),
                duration=duration,
                timeout=timeout,
                cookie=cookie_header(plan, target),
            ),
            env=wrk_environment(target, body_file),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for port in ports
    ]
    runs = [summarise_wrk(parse_wrk(proc.communicate()[0])) for proc in procs]
    return runs[0] if len(runs) == 1 else combine_runs(runs)


def fetch(url, cookie="", accept_encoding=ACCEPT_ENCODING):
    """The response's body as sent (still compressed), its headers and status."""
    request = urllib.request.Request(url, headers={"Accept-Encoding": accept_encoding})
    if cookie:
        request.add_header("Cookie", cookie)
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=60) as response:
            return response.read(), response.headers, response.status
    except urllib.error.HTTPError as error:
        return error.read(), error.headers, error.code


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def decoded(body, headers):
    encoding = (headers.get("Content-Encoding") or "").lower()
    if encoding == "gzip":
        return gzip.decompress(body)
    if encoding == "br":
        import brotli  # whitenoise's own dependency for .br files

        return brotli.decompress(body)
    return body


class _Assets(HTMLParser):
    """The stylesheets and scripts a page links to, as a browser loads on a first visit."""

    def __init__(self):
        super().__init__()
        self.urls = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        rel = (attrs.get("rel") or "").lower().split()
        if tag == "link" and ("stylesheet" in rel or "modulepreload" in rel) and attrs.get("href"):
            self.urls.append(attrs["href"])
        elif tag == "script" and attrs.get("src"):
            self.urls.append(attrs["src"])


def page_assets(html):
    parser = _Assets()
    parser.feed(html)
    return parser.urls


# `import … from "./x.js"`, `import "./x.js"` and `import("./x.js")` in a module.
JS_IMPORT = re.compile(
    r"""(?:\bimport\s*(?:[\w*{}\s,]+from\s*)?|\bimport\s*\(\s*)["']([^"']+)["']"""
)


def script_imports(source):
    return JS_IMPORT.findall(source)


def first_visit(base_url, page_url, html, cookie=""):
    """The page's CSS and JavaScript, compressed, as a first visit fetches them: the
    stylesheets and scripts it links to and the modules those scripts import. Returns
    (bytes, [(url, bytes)])."""
    seen, queue, assets = set(), [urljoin(page_url, url) for url in page_assets(html)], []
    while queue:
        url = queue.pop(0)
        if url in seen or not url.startswith(base_url):
            continue
        seen.add(url)
        body, headers, status = fetch(url, cookie)
        assets.append((url[len(base_url) :], len(body), status))
        if url.split("?")[0].endswith((".js", ".mjs")) and status == 200:
            source = decoded(body, headers).decode("utf-8", "replace")
            queue += [urljoin(url, name) for name in script_imports(source)]
    return sum(size for _, size, _ in assets), assets


def measure_bytes(base_url, plan, target):
    """A page's size as sent compressed, and with its CSS and JavaScript on a first visit."""
    cookie = cookie_header(plan, target)
    body, headers, status = fetch(base_url + target["path"], cookie)
    result = {
        "status": status,
        "bytes": len(body),
        "content_encoding": headers.get("Content-Encoding") or "none",
    }
    if "html" in (headers.get("Content-Type") or ""):
        html = decoded(body, headers).decode("utf-8", "replace")
        total, assets = first_visit(base_url, base_url + target["path"], html, cookie)
        result["first_visit_bytes"] = len(body) + total
        result["assets"] = [{"path": p, "bytes": b, "status": s} for p, b, s in assets]
    return result


def download(url):
    """The whole response, read as it comes, uncompressed. Returns its size, whether it
    came without a Content-Length (streamed), and the seconds to the first and last byte."""
    request = urllib.request.Request(url, headers={"Accept-Encoding": "identity"})
    size, first, started = 0, None, time.monotonic()
    with urllib.request.urlopen(request, timeout=600) as response:
        streamed = response.headers.get("Content-Length") is None
        while chunk := response.read(65536):
            first = first if first is not None else time.monotonic() - started
            size += len(chunk)
    return size, streamed, first or 0.0, time.monotonic() - started


def measure_csv_memory(base_url, path, master_pid):
    """The full CSV download's memory, on a server of one worker started for it.

    The first download warms the worker (imports, templates, connections); the peak of
    its resident memory (VmHWM) is then read before and after a second download. A
    download that streams in constant memory comes without a Content-Length and moves
    the peak by much less than its own size (`constant_memory`).
    """
    download(base_url + path)
    before = {pid: memory_kb(pid) for pid in worker_pids(master_pid)}
    size, streamed, first, seconds = download(base_url + path)
    after = {pid: memory_kb(pid) for pid in worker_pids(master_pid)}
    growth = max((after[pid][1] - before[pid][1] for pid in before if pid in after), default=0)
    return {
        "path": path,
        "bytes": size,
        "streamed": streamed,
        "seconds": round(seconds, 2),
        "first_byte_seconds": round(first, 3),
        "worker_rss_kb_before": max((rss for rss, _ in before.values()), default=0),
        "worker_rss_kb_after": max((rss for rss, _ in after.values()), default=0),
        "peak_rss_growth_kb": growth,
        "constant_memory": constant_memory(streamed, growth, size),
    }


# Below this, a worker's peak moves by allocator noise whatever it serves.
MEMORY_NOISE_BYTES = 1024 * 1024


def constant_memory(streamed, growth_kb, size):
    """Streamed, and the worker's peak grew by less than a quarter of the file (or than
    allocator noise, for a small file): it did not hold the file in memory."""
    return bool(streamed and growth_kb * 1024 < max(size / 4, MEMORY_NOISE_BYTES))


# --- judging and reporting -----------------------------------------------------------


def judge(row, baseline_rps):
    """The ratio to /healthz and, for each of the issue's targets that applies to the
    row, whether it is met (None where a target does not apply)."""
    public = row["kind"] == "public"
    page = row["name"] != "healthz" and not row.get("download")
    row["ratio"] = row["rps"] / baseline_rps if baseline_rps else None
    p95_limit = P95_PUBLIC_MS if public else P95_SIGNED_IN_MS
    queries = row.get("queries_uncached", row.get("queries"))
    first_visit = row.get("first_visit_bytes")
    row["targets"] = {
        "throughput": (row["ratio"] >= RATIO_TARGET) if public and page else None,
        "p95": (row["p95_ms"] <= p95_limit) if page else None,
        "queries": (queries <= MAX_QUERIES) if queries is not None else None,
        "first_visit": (first_visit <= FIRST_VISIT_KB * 1024)
        if public and page and first_visit is not None
        else None,
        # A run in which no request finished failed too, whatever else it says.
        "no_errors": row["non_success"] == 0
        and row["socket_errors"] == 0
        and row.get("requests", 1) > 0,
    }
    return row


def rate(rps):
    """Requests a second: whole numbers, but a slow download's fraction kept."""
    return f"{rps:.0f}" if rps >= 10 else f"{rps:.2f}"


def _mark(value):
    return "-" if value is None else ("yes" if value else "NO")


COLUMNS = [
    ("page", 20),
    ("req/s", 8),
    ("ratio", 6),
    ("p50 ms", 7),
    ("p95 ms", 7),
    ("p99 ms", 7),
    ("errors", 6),
    ("queries", 7),
    ("KB", 7),
    ("1st KB", 7),
    ("targets met", 40),
]


def table(rows):
    """The report as a plain-text table: one row a page; 'targets met' lists each target
    that applies as name=yes/NO."""
    lines = ["  ".join(name.ljust(width) for name, width in COLUMNS)]
    for row in rows:
        queries = (
            f"{row['queries_uncached']}/{row['queries']}"
            if row.get("queries_uncached") is not None
            else "-"
        )
        done = row["requests"] > 0
        cells = [
            row["name"][:20],
            rate(row["rps"]) if done else "-",
            "-" if row.get("ratio") is None else f"{row['ratio']:.2f}",
            f"{row['p50_ms']:.1f}" if done else "-",
            f"{row['p95_ms']:.1f}" if done else "-",
            f"{row['p99_ms']:.1f}" if done else "-",
            str(row["non_success"] + row["socket_errors"]),
            queries,
            "-" if row.get("bytes") is None else f"{row['bytes'] / 1024:.1f}",
            "-"
            if row.get("first_visit_bytes") is None
            else f"{row['first_visit_bytes'] / 1024:.1f}",
            " ".join(f"{k}={_mark(v)}" for k, v in row["targets"].items() if v is not None),
        ]
        lines.append("  ".join(c.ljust(w) for c, (_, w) in zip(cells, COLUMNS, strict=True)))
    return "\n".join(lines)


def write_report(report, directory):
    directory.mkdir(parents=True, exist_ok=True)
    stamp = report["started_at"].replace(":", "").replace("-", "")
    path = directory / f"{stamp}.json"
    text = json.dumps(report, indent=2)
    path.write_text(text)
    (directory / "latest.json").write_text(text)
    return path


# --- the run -------------------------------------------------------------------------


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds of load per page (10)")
    parser.add_argument("--connections", type=int, default=8, help="concurrent connections (8)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (2)")
    parser.add_argument(
        "--workers", type=int, default=None, help="gunicorn workers per server (gunicorn.conf.py)"
    )
    parser.add_argument(
        "--servers",
        type=int,
        choices=(1, 2),
        default=1,
        help="2: also run every page against two app servers and compare with one",
    )
    parser.add_argument("--only", default="", help="comma-separated page names to load")
    parser.add_argument("--services", type=int, default=None, help="for generate_scale_data")
    parser.add_argument(
        "--demo", action="store_true", help="load the demo data, not national-scale data"
    )
    parser.add_argument("--output", default="var/bench", help="where to write the JSON")
    return parser.parse_args(argv)


def run(args):
    wrk = check_wrk()
    database_url = check_database_url(os.environ.get("DATABASE_URL"))
    started_at = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    load_before = os.getloadavg()
    processes = Processes()
    try:
        print("Starting the cache", flush=True)
        cache_url, cache_label = start_cache(processes, os.environ.get("CACHE_URL", ""))
        env = server_environment(
            os.environ,
            cache_url=cache_url,
            secret_key=os.environ.get("SECRET_KEY") or secrets.token_urlsafe(50),
        )
        print("Preparing the database", flush=True)
        data = prepare_database(env, services=args.services, demo=args.demo)
        manage(env, "collectstatic", "--no-input", "--verbosity", "0")
        plan_file = ROOT / args.output / "plan.json"
        plan_file.parent.mkdir(parents=True, exist_ok=True)
        manage(env, "bench_prepare", "--output", str(plan_file), "--host", HOST)
        plan = json.loads(plan_file.read_text())
        targets = plan["targets"]
        if args.only:
            wanted = {"healthz", *(name.strip() for name in args.only.split(","))}
            targets = [t for t in targets if t["name"] in wanted]

        # As production: gunicorn.conf.py's number (WEB_CONCURRENCY, else a core each and
        # one more), unless --workers says otherwise.
        workers = args.workers or runpy.run_path(str(ROOT / "gunicorn.conf.py"))["workers"]
        log = open(ROOT / args.output / "servers.log", "w")  # noqa: SIM115 (open for the run)
        csv = next((t for t in targets if t["path"].endswith(".csv")), None)
        memory = None
        if csv:
            print("Measuring the full CSV download's memory on a server of one worker", flush=True)
            port = free_port()
            single = start_server(processes, env, port, 1, log)
            memory = measure_csv_memory(f"http://{HOST}:{port}", csv["path"], single.pid)
            processes.stop(single)
        ports = [free_port() for _ in range(args.servers)]
        print(f"Starting {args.servers} gunicorn server(s) with {workers} workers each", flush=True)
        for port in ports:
            start_server(processes, env, port, workers, log)
        base = f"http://{HOST}:{ports[0]}"

        body_dir = Path(tempfile.mkdtemp(prefix="lgdss-bench-"))
        rows = []
        for target in targets:
            body_file = None
            if target.get("body"):
                body_file = body_dir / "body"
                body_file.write_text(target["body"])
            sizes = {} if target["method"] == "POST" else measure_bytes(base, plan, target)
            load = (
                download_load(args, memory)
                if is_download(target)
                else {
                    "connections": args.connections,
                    "threads": args.threads,
                    "duration": args.duration,
                }
            )
            print(f"  {target['name']}: {target['method']} {target['path']}", flush=True)
            result = run_wrk(wrk, plan, target, ports[:1], body_file=body_file, **load)
            row = {
                **{k: target.get(k) for k in ("name", "path", "method", "kind", "persona")},
                "download": is_download(target),
                "connections": load["connections"],
                "seconds_loaded": load["duration"],
                "queries": target.get("queries"),
                "queries_uncached": target.get("queries_uncached"),
                **{k: v for k, v in sizes.items() if k != "status"},
                **result,
            }
            if len(ports) == 2:
                two = run_wrk(wrk, plan, target, ports, body_file=body_file, **load)
                row["two_servers"] = two
            rows.append(row)
        baseline = next((r["rps"] for r in rows if r["name"] == "healthz"), None)
        for row in rows:
            judge(row, baseline)
            if "two_servers" in row:
                row["two_servers"]["vs_one"] = row["two_servers"]["rps"] / (row["rps"] or 1)

        report = {
            "started_at": started_at,
            "database": urlsplit(database_url).path.lstrip("/"),
            "data": data,
            "public_publications": plan["public_publications"],
            "cache": cache_label,
            "servers": args.servers,
            "workers_per_server": workers,
            "cpus": os.cpu_count(),
            # Other work on the machine lowers every figure: said with the figures.
            "load_average_before": load_before,
            "load_average_after": os.getloadavg(),
            "load": {
                "tool": "wrk",
                "connections": args.connections,
                "threads": args.threads,
                "seconds_per_page": args.duration,
            },
            "targets": {
                "throughput_ratio_min": RATIO_TARGET,
                "p95_ms_public": P95_PUBLIC_MS,
                "p95_ms_signed_in": P95_SIGNED_IN_MS,
                "queries_max": MAX_QUERIES,
                "first_visit_kb_max": FIRST_VISIT_KB,
            },
            "csv_memory": memory,
            "rows": rows,
        }
        path = write_report(report, ROOT / args.output)
        print()
        print(
            f"{plan['public_publications']:,} public publications; cache: {cache_label}; "
            f"{args.servers} server(s) x {workers} workers; wrk {args.connections} connections, "
            f"{args.threads} threads, {args.duration} s a page"
        )
        print(table(rows))
        print("queries: uncached/cached. KB: compressed. 1st KB: with its CSS and JavaScript.")
        for row in rows:
            if row["download"]:
                print(
                    f"{row['name']}: a download, loaded with {row['connections']} connections "
                    f"for {row['seconds_loaded']} s so that whole downloads finish."
                )
        print(
            "Load average (1 min) before and after: "
            f"{load_before[0]:.1f}, {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs."
        )
        if memory:
            print(
                f"CSV {memory['path']}: {memory['bytes'] / 1024:.0f} KB, streamed={memory['streamed']}, "
                f"worker peak grew {memory['peak_rss_growth_kb']} KB: constant memory "
                f"{'yes' if memory['constant_memory'] else 'NO'}"
            )
        if len(ports) == 2:
            print("Two servers against one (requests per second):")
            for row in rows:
                two = row["two_servers"]
                print(
                    f"  {row['name'][:20]:20}  {rate(row['rps']):>8}  {rate(two['rps']):>8}  "
                    f"x{two['vs_one']:.2f}"
                )
        shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
        print(f"Written to {shown} and {args.output}/latest.json")
    finally:
        processes.stop_all()


def main(argv=None):
    try:
        run(parse_args(argv))
    except BenchError as error:
        print(f"make bench: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
