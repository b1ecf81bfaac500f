"""The settings module reads its environment strictly."""

import ast
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from lgdss import env
from lgdss.inline_script import JS_ENABLED_HASH

ROOT = Path(__file__).resolve().parent.parent


def load_settings(show="s.DEBUG, s.DATABASES['default']['ENGINE']", **variables):
    """Import lgdss.settings in a fresh interpreter with exactly these variables."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO", "SECRET", "DEBUG", "SECURE", "CSP_"))
    }
    clean.pop("DATABASE_URL", None)
    clean.update(variables)
    return subprocess.run(
        [sys.executable, "-c", f"import lgdss.settings as s; print({show})"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        check=False,
    )


def test_production_start_up_without_a_secret_key_stops_with_a_clear_message():
    result = load_settings()
    assert result.returncode != 0
    assert "The environment variable SECRET_KEY must be set." in result.stderr


def test_malformed_boolean_stops_start_up_naming_the_variable():
    result = load_settings(DEBUG="ture")
    assert result.returncode != 0
    assert "DEBUG is 'ture': use true or false." in result.stderr


def test_secret_key_can_come_from_a_file(tmp_path):
    key_file = tmp_path / "key"
    key_file.write_text("k" * 50 + "\n")
    result = load_settings(SECRET_KEY_FILE=str(key_file))
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "django.db.backends.sqlite3"]


def test_database_url_selects_postgresql():
    result = load_settings(SECRET_KEY="k" * 50, DATABASE_URL="postgres://u:p@db:5432/lgdss")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[1] == "django.db.backends.postgresql"


def test_sqlite_makes_simultaneous_writes_wait_their_turn_and_postgresql_is_left_alone():
    """See docs/decisions/0009-sqlite-under-concurrent-use.md."""
    options = "s.DATABASES['default'].get('OPTIONS')"
    sqlite = load_settings(show=options, SECRET_KEY="k" * 50)
    assert ast.literal_eval(sqlite.stdout) == {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL",
    }, sqlite.stderr
    postgresql = load_settings(
        show=options, SECRET_KEY="k" * 50, DATABASE_URL="postgres://u:p@db:5432/lgdss"
    )
    assert postgresql.stdout.strip() == "None", postgresql.stderr


def test_unknown_email_backend_stops_start_up():
    result = load_settings(SECRET_KEY="k" * 50, EMAIL_BACKEND="pigeon")
    assert "EMAIL_BACKEND is 'pigeon': use console or smtp." in result.stderr


def test_strict_transport_security_can_be_shortened_or_kept_to_this_host():
    show = "s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_HSTS_PRELOAD"
    defaults = load_settings(show, SECRET_KEY="k" * 50)
    assert defaults.stdout.split() == ["31536000", "True", "True"]
    result = load_settings(
        show,
        SECRET_KEY="k" * 50,
        SECURE_HSTS_SECONDS="300",
        SECURE_HSTS_INCLUDE_SUBDOMAINS="false",
        SECURE_HSTS_PRELOAD="false",
    )
    assert result.stdout.split() == ["300", "False", "False"]


def test_emails_are_sent_by_smtp_unless_the_console_is_chosen():
    show = "s.MAILERS['default']['BACKEND'], s.MAILERS['default'].get('OPTIONS', {}).get('host')"
    assert load_settings(show, SECRET_KEY="k" * 50).stdout.split() == [
        "django.core.mail.backends.smtp.EmailBackend",
        "localhost",
    ]
    console = load_settings(show, SECRET_KEY="k" * 50, EMAIL_BACKEND="console")
    assert console.stdout.split()[0] == "django.core.mail.backends.console.EmailBackend"


def test_production_defaults_pass_the_deployment_checks():
    """Only what production must give: a key and the host name; the database is SQLite."""
    (ROOT / "var").mkdir(exist_ok=True)  # where the default SQLite database lives
    production = {
        "PATH": os.environ["PATH"],
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "lgdss.example",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


# The policies as the site's pages send them, with no nonce: (enforced, report-only).
POLICIES = (
    "tuple(__import__('django.utils.csp', fromlist=['build_policy']).build_policy(p)"
    " for p in (s.SECURE_CSP, getattr(s, 'SECURE_CSP_REPORT_ONLY', {})))"
)
STRICT = (
    f"default-src 'self'; script-src 'self' {JS_ENABLED_HASH}; style-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)


def test_production_enforces_a_strict_policy_that_upgrades_insecure_requests():
    """See docs/decisions/0014-content-security-policy.md."""
    production = load_settings(POLICIES, SECRET_KEY="k" * 50)
    assert ast.literal_eval(production.stdout) == (f"{STRICT}; upgrade-insecure-requests", "")
    plain_http = load_settings(POLICIES, SECRET_KEY="k" * 50, SECURE_SSL_REDIRECT="false")
    assert ast.literal_eval(plain_http.stdout) == (STRICT, "")


def test_policy_can_be_tried_in_report_only_mode_with_reports_sent_to_an_address():
    result = load_settings(
        POLICIES,
        SECRET_KEY="k" * 50,
        SECURE_SSL_REDIRECT="false",
        CSP_REPORT_ONLY="true",
        CSP_REPORT_URI="/csp-reports/",
    )
    assert ast.literal_eval(result.stdout) == ("", f"{STRICT}; report-uri /csp-reports/")


def test_static_files_from_another_host_are_allowed_by_the_policy():
    result = load_settings(
        POLICIES,
        SECRET_KEY="k" * 50,
        SECURE_SSL_REDIRECT="false",
        STATIC_URL="https://static.lgdss.example/assets/",
    )
    enforced = ast.literal_eval(result.stdout)[0]
    for directive in ("default-src", "script-src", "style-src"):
        assert f"{directive} 'self' https://static.lgdss.example" in enforced


@pytest.mark.parametrize(
    ("text", "value"), [("true", True), ("FALSE", False), ("1", True), ("off", False)]
)
def test_boolean_words(text, value):
    assert env.boolean("X", None, environ={"X": text}) is value


def test_boolean_default_when_unset():
    assert env.boolean("X", True, environ={}) is True


def test_integer_refuses_words_and_small_numbers():
    with pytest.raises(ImproperlyConfigured, match="use a whole number"):
        env.integer("PORT", 1, environ={"PORT": "8o"})
    with pytest.raises(ImproperlyConfigured, match="use 1 or more"):
        env.integer("PORT", 1, minimum=1, environ={"PORT": "0"})


def test_value_and_file_together_are_refused(tmp_path):
    with pytest.raises(ImproperlyConfigured, match="not both"):
        env.string("SECRET_KEY", environ={"SECRET_KEY": "a", "SECRET_KEY_FILE": "b"})


def test_unreadable_secret_file_is_named(tmp_path):
    missing = tmp_path / "nope"
    with pytest.raises(ImproperlyConfigured, match="cannot be read"):
        env.string("SECRET_KEY", environ={"SECRET_KEY_FILE": str(missing)})


def test_list_drops_blanks():
    assert env.strings("HOSTS", [], environ={"HOSTS": "a.example, ,b.example"}) == [
        "a.example",
        "b.example",
    ]
