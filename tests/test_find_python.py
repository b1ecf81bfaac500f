"""scripts/find-python, which `make` uses to choose the Python for the virtualenv: any
3.12 or newer will do, and a pyenv shim for a version that is not installed is passed over."""

import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "find-python"


def fake(folder, name, *, version=None, fails=False):
    """A stand-in `name` in `folder` that answers find-python's version check as a Python
    of `version` would, or fails as a shim for a version not installed does."""
    folder.mkdir(parents=True, exist_ok=True)
    program = folder / name
    if fails:
        body = "echo \"pyenv: version '3.12.1' is not installed\" >&2; exit 127"
    else:
        newer = version >= (3, 12)
        body = f"exit {0 if newer else 1}"
    program.write_text(f"#!/bin/sh\n{body}\n")
    program.chmod(0o755)
    return program


def find_python(path, **env):
    return subprocess.run(
        [str(SCRIPT)],
        env={"PATH": str(path), **env},  # nothing of this machine's
        capture_output=True,
        text=True,
        cwd=path,
    )


@pytest.fixture
def bin_dir(tmp_path):
    return tmp_path / "bin"


def test_a_python_313_is_accepted(bin_dir):
    fake(bin_dir, "python3.13", version=(3, 13))
    fake(bin_dir, "python3", version=(3, 11))
    result = find_python(bin_dir)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(bin_dir / "python3.13")


def test_shims_for_a_version_not_installed_are_passed_over(tmp_path, bin_dir):
    # pyenv's shims on the PATH fail for a pinned version that is not installed...
    for name in ("python3.13", "python3.12", "python3"):
        fake(bin_dir, name, fails=True)
    # ...but pyenv has another 3.12 installed.
    root = tmp_path / "pyenv"
    installed = fake(root / "versions" / "3.12.7" / "bin", "python3", version=(3, 12))
    fake(bin_dir, "pyenv", version=(3, 12)).write_text(
        f'#!/bin/sh\n[ "$1" = root ] && echo {root} && exit 0\nexit 1\n'
    )
    result = find_python(bin_dir)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(installed)


def test_without_312_or_newer_it_says_what_to_install(bin_dir):
    fake(bin_dir, "python3", version=(3, 11))
    result = find_python(bin_dir)
    assert result.returncode == 1
    assert "needs Python 3.12 or newer" in result.stderr
