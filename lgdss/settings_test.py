"""Settings for the test suite: the real settings, with test-only relaxations."""

import os

# Tests need no secret of their own; the real settings still demand one elsewhere.
os.environ.setdefault("SECRET_KEY", "test-only-secret-key-that-is-long-enough-0123456789")
os.environ.setdefault("SECURE_COOKIES", "false")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")

from lgdss.settings import *  # noqa: F403
from lgdss.settings import DATABASES, STORAGES

# Fast hashing: tests create many users.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# No collectstatic before tests: serve from the source folders without a manifest.
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True

# Playwright's sync API runs an event loop in the test thread; Django would otherwise
# refuse database access from it during live-server browser tests.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# Tasks stay on the database backend, as in production: a test runs the queued tasks
# with tests.worker.run_tasks, so retries really wait for their time and a rollback
# really takes its tasks with it. (ImmediateBackend would send inside the request.)

# A second, empty database to restore a backup into (tests/test_backup.py). pytest-django
# creates it only when a test asks for it: migrated, with nothing else in it.
_default = DATABASES["default"]
DATABASES["restore"] = {
    **_default,
    # SQLite test databases are in memory, one per alias; PostgreSQL needs its own name.
    "TEST": {} if "sqlite" in _default["ENGINE"] else {"NAME": f"test_{_default['NAME']}_restore"},
}
