"""Strict readers for settings that come from environment variables.

Every setting the service reads from its environment goes through one of these
helpers, so that a typo ("ture", "8o") stops start-up with a message naming the
variable instead of silently meaning something else. Secrets may instead be
given as a file: `SECRET_KEY_FILE=/run/secrets/key` reads the key from that file
(as Docker and Kubernetes secrets are mounted).
"""

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

_MISSING = object()

TRUE_WORDS = {"true", "1", "yes", "on"}
FALSE_WORDS = {"false", "0", "no", "off"}


def _raw(name, environ=None):
    """The variable's text, from NAME or the file named by NAME_FILE, or None."""
    environ = os.environ if environ is None else environ
    value = environ.get(name)
    file_name = environ.get(f"{name}_FILE")
    if value is not None and file_name is not None:
        raise ImproperlyConfigured(f"Set {name} or {name}_FILE, not both.")
    if file_name is not None:
        try:
            return Path(file_name).read_text(encoding="utf-8").strip()
        except OSError as error:
            raise ImproperlyConfigured(
                f"{name}_FILE names {file_name!r}, which cannot be read: {error.strerror}."
            ) from error
    return value


def string(name, default=_MISSING, *, environ=None):
    value = _raw(name, environ)
    if value is None or value == "":
        if default is _MISSING:
            raise ImproperlyConfigured(f"The environment variable {name} must be set.")
        return default
    return value


def boolean(name, default, *, environ=None):
    value = _raw(name, environ)
    if value is None or value == "":
        return default
    word = value.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(f"The environment variable {name} is {value!r}: use true or false.")


def integer(name, default, *, minimum=None, environ=None):
    value = _raw(name, environ)
    if value is None or value == "":
        return default
    try:
        number = int(value.strip())
    except ValueError:
        raise ImproperlyConfigured(
            f"The environment variable {name} is {value!r}: use a whole number."
        ) from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(
            f"The environment variable {name} is {number}: use {minimum} or more."
        )
    return number


def strings(name, default, *, environ=None):
    """A comma-separated list, blanks dropped."""
    value = _raw(name, environ)
    if value is None:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


# The cache backends a CACHE_URL may choose, by its scheme.
LOCAL_MEMORY_CACHE = "django.core.cache.backends.locmem.LocMemCache"
REDIS_CACHE = "django.core.cache.backends.redis.RedisCache"


def cache(name, *, environ=None):
    """Django's cache settings for the `default` alias, from a URL.

    Unset or empty: memory in each process (LocMemCache). `redis://` or `rediss://` (TLS):
    Django's own Redis backend, which also serves Valkey, shared by every process that
    names the same server. Anything else stops start-up: a typo must not quietly give each
    process a cache of its own. Timeouts are short, so that a cache server that stops
    answering slows pages by a second at most (public pages then render without it).
    """
    url = string(name, "", environ=environ)
    if not url:
        return {"BACKEND": LOCAL_MEMORY_CACHE, "KEY_PREFIX": "lgdss"}
    scheme = url.partition("://")[0].lower() if "://" in url else ""
    if scheme in ("redis", "rediss"):
        return {
            "BACKEND": REDIS_CACHE,
            "LOCATION": url,
            "KEY_PREFIX": "lgdss",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    # The URL may hold a password: name only its scheme.
    raise ImproperlyConfigured(
        f"The environment variable {name} starts {scheme + '://' if scheme else 'without a scheme'}: "
        "use redis:// or rediss:// (Redis or Valkey), or leave it unset for memory in each process."
    )
