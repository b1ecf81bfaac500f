"""Servers the tests start on this machine: a free port to put them on, waiting until one
answers, and a redis-server of the test's own as the shared cache.

Used by the tests that run the app as production does (tests/test_run_under_load.py,
tests/test_two_servers.py) and by the shared cache's tests (tests/test_shared_cache.py).
"""

import contextlib
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest


def free_port():
    """A port nothing on this machine listens on (the OS picks it)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(port, process, log=os.devnull, seconds=30):
    """Wait until something answers on `port`; fail with `log`'s text if `process` ends."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            assert process.poll() is None, Path(log).read_text()
            assert time.monotonic() < deadline, (
                f"nothing answered on port {port} within {seconds} s"
            )
            time.sleep(0.1)


@contextlib.contextmanager
def redis_server(needed_by):
    """A redis-server on a free port with nothing saved to disk; yields its URL.

    Without redis-server the test skips, except with CI=true, where it fails: CI installs
    it (.ci/run), so a skip there would hide a test that never ran. `needed_by` names the
    tests in that message."""
    binary = shutil.which("redis-server")
    if binary is None:
        reason = "redis-server not found (apt-get install redis-server)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{needed_by} must run in CI: {reason}", pytrace=False)
        pytest.skip(reason)
    port = free_port()
    server = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(port, server)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.terminate()
        server.wait(timeout=10)
