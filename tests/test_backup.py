"""export_data and import_data: everything the service keeps, into a new database, unchanged."""

import json

import pytest
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Group, Permission
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from assessments import services
from assessments.models import Council, Notification
from tests.conftest import PASSWORD
from tests.test_read_only import world  # noqa: F401 (a fixture)
from tests.worker import run_tasks

both_databases = pytest.mark.django_db(databases=["default", "restore"])


def every_row(database):
    """Every row of every table but sessions, the tables behind many-to-many fields included.

    A row of such a table (a person in a peer group, say) is the pair it links: its own id
    is referred to by nothing, and travels with neither end, so it is left out.
    """
    return {
        model._meta.label: list(_rows(model, database))
        for model in apps.get_models(include_auto_created=True)
        if model is not Session
    }


def _rows(model, database):
    rows = model._base_manager.using(database)
    if model._meta.auto_created:
        links = [field.attname for field in model._meta.concrete_fields if not field.primary_key]
        return sorted(rows.values_list(*links))
    return rows.order_by("pk").values_list()


@pytest.fixture
def everything(world, client):  # noqa: F811
    """The world of the read-only tests, and what else the service keeps: links, a
    withdrawal, a sign-in (its session and django-axes' record), a group with
    permissions, the admin's log, emails sent and the tasks that sent them."""
    lead, coordinator = world["coventry_lead"], world["coordinator"]
    first = world["draft"].points.get(point__number=1)
    services.save_point(
        first,
        by=lead,
        revision=first.revision,
        score=4,
        not_applicable=False,
        reason="",
        evidence="Café visits, “quotes” and ünïcode ✓",
        links=[("Research", "https://example.com/research")],
    )
    services.withdraw(world["submitted"], by=lead, reason="Submitted by mistake.")
    run_tasks()  # the queued emails are sent: finished tasks and sent rows
    assert (
        client.post(
            reverse("assessments:sign_in"), {"email": "lead@coventry.example", "password": PASSWORD}
        ).status_code
        == 302
    )
    reviewers = Group.objects.create(name="Reviewers")
    reviewers.permissions.add(Permission.objects.get(codename="view_council"))
    lead.groups.add(reviewers)
    coordinator.user_permissions.add(Permission.objects.get(codename="change_council"))
    LogEntry.objects.log_actions(
        coordinator.pk, Council.objects.filter(code="COV"), CHANGE, "Changed the region."
    )
    return world


@both_databases
def test_an_export_imported_into_a_new_database_is_identical(everything, tmp_path):
    backup = tmp_path / "backup.jsonl"
    call_command("export_data", str(backup), verbosity=0)
    assert every_row("restore")["assessments.User"] == [], "a new, migrated database"

    call_command("import_data", str(backup), database="restore", verbosity=0)

    assert every_row("restore") == every_row("default")
    filled = {label for label, rows in every_row("default").items() if rows}
    for label in [
        "assessments.EvidenceLink",
        "assessments.StatusChange",
        "assessments.Notification",
        "assessments.User_groups",
        "assessments.User_reviewer_peer_groups",
        "auth.Group_permissions",
        "axes.AccessLog",
        "admin.LogEntry",
        DBTaskResult._meta.label,  # the task queue
    ]:
        assert label in filled, f"the test's data has no {label}"
    assert DBTaskResult.objects.using("restore").count() == DBTaskResult.objects.count()
    assert Session.objects.exists()
    assert not Session.objects.using("restore").exists(), "sessions do not travel"


@both_databases
def test_references_to_content_types_travel_by_name(everything, tmp_path):
    backup = tmp_path / "backup.jsonl"
    call_command("export_data", str(backup), verbosity=0)
    lines = [json.loads(line) for line in backup.read_text(encoding="utf-8").splitlines()]

    assert {line["model"] for line in lines}.isdisjoint(
        {"sessions.session", "contenttypes.contenttype", "auth.permission"}
    )
    notification = next(
        line
        for line in lines
        if line["model"] == "assessments.notification" and line["fields"]["kind"] == "invitation"
    )
    assert notification["fields"]["about_type"] == ["assessments", "invitation"]
    group = next(line for line in lines if line["model"] == "auth.group")
    assert group["fields"]["permissions"] == [["view_council", "assessments", "council"]]

    call_command("import_data", str(backup), database="restore", verbosity=0)
    restored = Notification.objects.using("restore").get(pk=notification["pk"])
    assert restored.about == everything["invitation"]


@both_databases
def test_import_refuses_a_database_that_is_not_empty(everything, tmp_path):
    backup = tmp_path / "backup.jsonl"
    call_command("export_data", str(backup), verbosity=0)
    call_command("import_data", str(backup), database="restore", verbosity=0)
    before = every_row("restore")

    with pytest.raises(CommandError, match="The database is not empty, so nothing was imported"):
        call_command("import_data", str(backup), database="restore", verbosity=0)
    with pytest.raises(CommandError, match="not empty"):
        call_command("import_data", str(backup), verbosity=0)
    assert every_row("restore") == before


def test_the_file_must_be_json_lines(db, tmp_path):
    with pytest.raises(CommandError, match=r"\.jsonl"):
        call_command("export_data", str(tmp_path / "backup.json"), verbosity=0)
    with pytest.raises(CommandError, match=r"\.jsonl"):
        call_command("import_data", str(tmp_path / "backup.json"), verbosity=0)
