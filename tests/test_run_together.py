"""scripts/run-together, which `make run` and `make dev` use to run the site and the
task worker with one command: stopping one, or Ctrl+C, stops them all."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "run-together"


def sleeper(flag):
    """A command that leaves `flag` when it has started, then sleeps for a minute."""
    return f'{sys.executable} -c \'import time; open("{flag}", "w"); time.sleep(60)\''


def start(*commands):
    return subprocess.Popen([sys.executable, str(SCRIPT), *commands], start_new_session=True)


def group_is_gone(launcher):
    try:
        os.killpg(launcher.pid, 0)
    except ProcessLookupError:
        return True
    return False


def wait_for(*flags):
    deadline = time.monotonic() + 10
    while not all(flag.exists() for flag in flags):
        if time.monotonic() > deadline:
            pytest.fail("the commands did not start")
        time.sleep(0.05)


def test_when_one_command_stops_the_others_are_stopped_and_its_status_kept(tmp_path):
    launcher = start(sleeper(tmp_path / "a"), f"{sys.executable} -c 'raise SystemExit(3)'")
    assert launcher.wait(timeout=15) == 3
    assert group_is_gone(launcher)


def test_ctrl_c_stops_every_command(tmp_path):
    launcher = start(sleeper(tmp_path / "a"), sleeper(tmp_path / "b"))
    wait_for(tmp_path / "a", tmp_path / "b")
    os.killpg(launcher.pid, signal.SIGINT)  # what the terminal does on Ctrl+C
    launcher.wait(timeout=15)
    assert group_is_gone(launcher)


def test_sigterm_to_the_launcher_alone_stops_every_command(tmp_path):
    launcher = start(sleeper(tmp_path / "a"), sleeper(tmp_path / "b"))
    wait_for(tmp_path / "a", tmp_path / "b")
    launcher.send_signal(signal.SIGTERM)
    launcher.wait(timeout=15)
    assert group_is_gone(launcher)
