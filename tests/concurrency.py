"""Deterministic races between database connections, for tests.

A race test that starts two threads "at the same moment" and hopes they collide
passes or fails by luck. Instead, stop one side inside its transaction at the
critical point, let the other side run into it, and only then let the first go:

    pause = Pause.before_query(r'^INSERT INTO "assessments_assessment"')
    first = in_thread(lambda: services.start_assessment(bins, by=lead, phase="beta"), pause)
    pause.wait_until_reached()     # first has checked for a draft and holds its locks
    second = in_thread(lambda: services.start_assessment(bins, by=editor, phase="beta"))
    second.wait_until_blocked()    # waiting for first's lock (or, with no lock, finished)
    pause.release()
    first.result()                 # the return value, or the exception, of each side
    with pytest.raises(ValidationError):
        second.result()

Each side runs in its own thread with its own database connection, closed when it
ends, so the test needs a real transactional database:
`@pytest.mark.django_db(transaction=True)`. Waiting for a row lock needs PostgreSQL
(`@pytest.mark.needs_postgresql`): the test database on SQLite is in memory and
shared between connections, where one connection is refused a lock rather than
made to wait for it.

Every wait has a timeout, so a race that goes differently fails the test instead of
hanging it.
"""

import pkgutil
import re
import threading
import time
from contextlib import contextmanager, nullcontext
from unittest import mock

from django.db import DEFAULT_DB_ALIAS, connection, connections

TIMEOUT = 10  # seconds: far longer than any side needs on a slow machine


class Pause:
    """A point where one thread stops, inside its transaction, until the test releases it.

    Make one with `Pause.before_query`, `Pause.after_query` or `Pause.after_call`, and
    give it to `in_thread`. Only that thread stops, and only the first time it gets
    there; every other thread, and any later time, passes straight through.
    """

    def __init__(self, describe, install):
        self._describe = describe
        self._install = install  # a context manager factory, entered in the paused thread
        self._reached = threading.Event()
        self._released = threading.Event()
        self._thread = None

    @classmethod
    def before_query(cls, pattern):
        """Stop before running the first SQL statement that matches `pattern` (a regex)."""
        return cls._at_query(pattern, before=True)

    @classmethod
    def after_query(cls, pattern):
        """Stop after running the first SQL statement that matches `pattern`, having its
        locks (a `SELECT … FOR UPDATE`'s row locks, an `UPDATE`'s or `INSERT`'s)."""
        return cls._at_query(pattern, before=False)

    @classmethod
    def _at_query(cls, pattern, *, before):
        regex = re.compile(pattern)
        pause = None

        def wrapper(execute, sql, params, many, context):
            matched = regex.search(sql) is not None
            if matched and before:
                pause._stop_here()
            result = execute(sql, params, many, context)
            if matched and not before:
                pause._stop_here()
            return result

        where = "before" if before else "after"
        pause = cls(
            f"{where} a query matching {pattern!r}", lambda: connection.execute_wrapper(wrapper)
        )
        return pause

    @classmethod
    def after_call(cls, target):
        """Stop after the function `target` (a dotted name, as for `mock.patch`) returns."""
        pause = None

        @contextmanager
        def patched():
            original = pkgutil.resolve_name(target)

            def wrapper(*args, **kwargs):
                result = original(*args, **kwargs)
                pause._stop_here()
                return result

            with mock.patch(target, wrapper):
                yield

        pause = cls(f"after a call of {target}", patched)
        return pause

    def wait_until_reached(self, timeout=TIMEOUT):
        """Wait until the paused thread has got there (and is waiting to be released)."""
        if not self._reached.wait(timeout):
            raise AssertionError(f"No thread stopped {self._describe} within {timeout} s.")

    def release(self):
        """Let the paused thread carry on."""
        self._released.set()

    def _stop_here(self):
        if threading.current_thread() is not self._thread or self._reached.is_set():
            return
        self._reached.set()
        if not self._released.wait(TIMEOUT):
            raise AssertionError(f"The thread stopped {self._describe} was never released.")


class Side:
    """One side of a race: a callable running in its own thread and database connection."""

    def __init__(self, function, pause=None):
        self._function = function
        self._pause = pause
        self._value = self._error = self._connection = None
        self._thread = threading.Thread(target=self._run, daemon=True)
        if pause is not None:
            pause._thread = self._thread
        self._thread.start()

    def _run(self):
        self._connection = connections[DEFAULT_DB_ALIAS]  # this thread's own
        try:
            with self._pause._install() if self._pause else nullcontext():
                self._value = self._function()
        except BaseException as error:  # handed to the test by result()
            self._error = error
        finally:
            connection.close()

    @property
    def done(self):
        return not self._thread.is_alive()

    def result(self, timeout=TIMEOUT):
        """Wait for the side to finish; return its value or raise its exception."""
        self._thread.join(timeout)
        if self._thread.is_alive():
            raise AssertionError(f"The side running {self._function!r} did not finish.")
        if self._error is not None:
            raise self._error
        return self._value

    def wait_until_blocked(self, timeout=TIMEOUT):
        """Wait until this side waits for a lock another connection holds, or finishes.

        Returns True if it is blocked, False if it finished without waiting.
        PostgreSQL only: it asks the server which connections are waiting for whom.
        """
        if connection.vendor != "postgresql":
            raise NotImplementedError("Waiting for a lock can only be seen on PostgreSQL.")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.done:
                return False
            # The side's own connection: None until it has run its first query.
            raw = self._connection and self._connection.connection
            if raw is not None:
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT cardinality(pg_blocking_pids(%s)) > 0", [raw.info.backend_pid]
                    )
                    if cursor.fetchone()[0]:
                        return True
            time.sleep(0.005)
        raise AssertionError(f"The side running {self._function!r} neither blocked nor finished.")


def in_thread(function, pause=None):
    """Start `function()` in a new thread with its own database connection.

    With `pause`, the thread stops where the pause says until `pause.release()`.
    Returns a `Side`: `.result()`, `.wait_until_blocked()`, `.done`.
    """
    return Side(function, pause)
