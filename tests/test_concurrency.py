"""The race harness in tests/concurrency.py, and the rule for tests that need PostgreSQL."""

import pytest
from django.db import connections, transaction

from assessments.models import PeerGroup
from tests.concurrency import Pause, in_thread
from tests.conftest import require_postgresql


def step():
    """Something for a side to call, so that a test can pause it after the call."""
    return "stepped"


def test_a_side_hands_back_its_value_or_its_exception():
    assert in_thread(lambda: 6 * 7).result() == 42
    with pytest.raises(ZeroDivisionError):
        in_thread(lambda: 1 / 0).result()


def test_a_side_paused_after_a_named_call_waits_there_until_released():
    finished = []

    def work():
        result = step()
        finished.append(result)
        return result

    pause = Pause.after_call("tests.test_concurrency.step")
    paused = in_thread(work, pause)
    pause.wait_until_reached()
    other = in_thread(work)  # not paused: passes the same call straight through
    assert other.result() == "stepped"
    assert finished == ["stepped"]
    assert not paused.done
    pause.release()
    assert paused.result() == "stepped"
    assert finished == ["stepped", "stepped"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.needs_postgresql
def test_a_side_paused_at_a_query_stops_inside_its_transaction():
    def create_group():
        with transaction.atomic():
            PeerGroup.objects.create(name="North", slug="north")
            return PeerGroup.objects.count()

    pause = Pause.after_query(r'^INSERT INTO "assessments_peergroup"')
    side = in_thread(create_group, pause)
    pause.wait_until_reached()
    assert not side.done
    assert not PeerGroup.objects.exists(), "not committed while paused"
    pause.release()
    assert side.result() == 1
    assert PeerGroup.objects.get().name == "North"


@pytest.mark.django_db(transaction=True)
@pytest.mark.needs_postgresql  # Django never closes SQLite's in-memory test database
def test_a_side_closes_its_own_database_connection():
    """Left open, it would stop PostgreSQL dropping the test database at the end."""

    def connection_of_this_thread():
        PeerGroup.objects.count()
        return connections["default"]

    used = in_thread(connection_of_this_thread).result()
    assert used.connection is None


def test_a_pause_never_reached_fails_instead_of_hanging():
    pause = Pause.after_call("tests.test_concurrency.step")
    with pytest.raises(AssertionError, match="No thread stopped after a call of"):
        pause.wait_until_reached(timeout=0.01)


def test_a_test_that_needs_postgresql_fails_in_ci_without_it(monkeypatch):
    monkeypatch.setattr(connections["default"], "vendor", "sqlite")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI must run this test"):
        require_postgresql()
    monkeypatch.setenv("CI", "false")
    with pytest.raises(pytest.skip.Exception, match="CI runs it on PostgreSQL"):
        require_postgresql()
