"""`manage.py import_councils`: loading mySociety's list of councils, and loading it again."""

import csv
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from assessments.management.commands.import_councils import COLUMNS
from assessments.models import Council, PeerGroup

# fixtures/councils.csv has 470 rows (397 current, 73 former), including combined
# authorities with four-letter codes (WMCA) and former Northern Irish districts (NIR-A).
IN_FILE, LOADED, CURRENT, FORMER = 470, 470, 397, 73

COVENTRY = {
    "code": "COV",
    "official_name": "Coventry City Council",
    "short_name": "Coventry",
    "gss_code": "E08000026",
    "nation": "England",
    "region": "West Midlands",
    "authority_type": "MD",
    "authority_type_name": "Metropolitan district",
    "population": "379387",
    "is_current": "True",
    "start_date": "1974-04-01",
    "end_date": "",
    "replaced_by": "",
}


def import_councils(*args):
    out, err = StringIO(), StringIO()
    call_command("import_councils", *args, stdout=out, stderr=err)
    return out.getvalue().strip()


def write_csv(tmp_path, *rows, name="councils.csv"):
    path = tmp_path / name
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.DictWriter(file, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows({**COVENTRY, **row} for row in rows)
    return str(path)


def test_loads_every_council_in_the_fixture(db):
    summary = import_councils()

    assert summary == (
        f"Councils: {IN_FILE} in file, {LOADED} created, 0 updated, 0 unchanged. "
        "Peer groups: 11 created."
    )
    assert Council.objects.count() == LOADED
    assert Council.objects.current().count() == CURRENT
    assert Council.objects.former().count() == FORMER


def test_coventry_has_the_facts_from_the_file(db):
    import_councils()

    coventry = Council.objects.get(code="COV")
    assert coventry.official_name == "Coventry City Council"
    assert coventry.short_name == "Coventry"
    assert coventry.gss_code == "E08000026"
    assert (coventry.nation, coventry.region) == ("England", "West Midlands")
    assert (coventry.authority_type, coventry.authority_type_name) == (
        "MD",
        "Metropolitan district",
    )
    assert coventry.population == 379_387
    assert coventry.is_current
    assert str(coventry.start_date) == "1974-04-01"
    assert coventry.end_date is None
    assert coventry.peer_group.slug == "midlands"


def test_running_it_again_changes_nothing_and_duplicates_nothing(db):
    import_councils()
    links = Council.replaced_by.through.objects.count()

    summary = import_councils()

    assert summary.startswith(
        f"Councils: {IN_FILE} in file, 0 created, 0 updated, {LOADED} unchanged"
    )
    assert summary.endswith("Peer groups: 0 created.")
    assert Council.objects.count() == LOADED
    assert PeerGroup.objects.count() == 11
    assert Council.replaced_by.through.objects.count() == links


def test_a_changed_name_is_updated(db, tmp_path):
    import_councils(write_csv(tmp_path, {}))

    summary = import_councils(
        write_csv(tmp_path, {"official_name": "Coventry Council", "population": "400000"})
    )

    assert "0 created, 1 updated, 0 unchanged" in summary
    coventry = Council.objects.get(code="COV")
    assert coventry.official_name == "Coventry Council"
    assert coventry.population == 400_000


def test_a_council_missing_from_a_later_file_is_kept(db, tmp_path):
    import_councils(write_csv(tmp_path, {}, {"code": "LDS", "short_name": "Leeds"}))

    import_councils(write_csv(tmp_path, {"code": "LDS", "short_name": "Leeds"}))

    assert Council.objects.filter(code="COV").exists()


def test_a_council_the_file_marks_as_former_is_kept_and_marked_former(db, tmp_path):
    import_councils(write_csv(tmp_path, {}))

    import_councils(write_csv(tmp_path, {"is_current": "False", "end_date": "2026-03-31"}))

    coventry = Council.objects.get(code="COV")
    assert not coventry.is_current
    assert str(coventry.end_date) == "2026-03-31"


def test_former_councils_are_linked_to_the_councils_that_replaced_them(db):
    import_councils()

    assert list(Council.objects.get(code="AYL").replaced_by.values_list("code", flat=True)) == [
        "BUC"
    ]
    cumbria = Council.objects.get(code="CMA")
    assert set(cumbria.replaced_by.values_list("code", flat=True)) == {"CBD", "WAF"}
    assert {"AYL", "BKM"} <= set(
        Council.objects.get(code="BUC").replaced.values_list("code", flat=True)
    )


def test_a_link_the_file_no_longer_has_is_removed(db, tmp_path):
    rows = [{"code": "BUC", "short_name": "Buckinghamshire"}]
    import_councils(
        write_csv(tmp_path, *rows, {"code": "AYL", "is_current": "False", "replaced_by": "BUC"})
    )

    summary = import_councils(write_csv(tmp_path, *rows, {"code": "AYL", "is_current": "False"}))

    assert not Council.objects.get(code="AYL").replaced_by.exists()
    assert "0 created, 1 updated, 1 unchanged" in summary


def test_each_council_joins_the_peer_group_of_its_region(db):
    import_councils()

    groups = dict(Council.objects.values_list("code", "peer_group__slug"))
    assert groups["COV"] == "midlands"
    assert groups["LDS"] == "yorkshire-and-humber"
    assert groups["CRF"] == "wales"
    assert groups["EDH"] == "scotland"
    assert groups["BFS"] == "northern-ireland"
    assert groups["CAM"] == "east-of-england"


def test_a_former_council_with_no_region_takes_the_region_of_its_successor(db):
    import_councils()

    buckinghamshire_county = Council.objects.get(code="BKM")
    assert buckinghamshire_county.region == "South East"
    assert buckinghamshire_county.peer_group.slug == "south"
    assert not Council.objects.filter(region="").exists()


def test_a_coordinators_move_to_another_peer_group_survives_a_new_import(db):
    import_councils()
    coventry = Council.objects.get(code="COV")
    coventry.peer_group = PeerGroup.objects.get(slug="london")
    coventry.save()

    import_councils()

    assert Council.objects.get(code="COV").peer_group.slug == "london"


def test_existing_peer_groups_keep_the_names_coordinators_gave_them(db, tmp_path):
    PeerGroup.objects.create(slug="midlands", name="Heart of England", description="Our own words.")

    summary = import_councils(write_csv(tmp_path, {}))

    group = PeerGroup.objects.get(slug="midlands")
    assert (group.name, group.description) == ("Heart of England", "Our own words.")
    assert summary.endswith("Peer groups: 10 created.")
    assert Council.objects.get(code="COV").peer_group == group


def test_a_row_the_model_refuses_is_skipped_and_the_rest_load(db, tmp_path):
    path = write_csv(
        tmp_path,
        {},
        {"code": "TOOLONG", "short_name": "Too long"},
        {"code": "LDS", "population": "lots"},
        {"code": "GMCA", "short_name": "Greater Manchester"},
    )

    summary = import_councils(path)

    assert "4 in file, 2 created, 0 updated, 0 unchanged, 2 skipped" in summary
    assert sorted(Council.objects.values_list("code", flat=True)) == ["COV", "GMCA"]


def test_a_second_row_with_the_same_code_is_skipped(db, tmp_path):
    summary = import_councils(write_csv(tmp_path, {}, {"short_name": "Coventry again"}))

    assert "2 in file, 1 created, 0 updated, 0 unchanged, 1 skipped" in summary
    assert Council.objects.get(code="COV").short_name == "Coventry"


def test_a_council_with_no_region_and_no_successor_is_skipped(db, tmp_path):
    summary = import_councils(write_csv(tmp_path, {"region": ""}))

    assert "1 in file, 0 created, 0 updated, 0 unchanged, 1 skipped" in summary
    assert not Council.objects.exists()


def test_a_missing_file_is_a_clear_error(db, tmp_path):
    with pytest.raises(CommandError, match="There is no file at"):
        import_councils(str(tmp_path / "nowhere.csv"))


def test_a_file_with_missing_columns_is_a_clear_error(db, tmp_path):
    path = tmp_path / "short.csv"
    path.write_text("code,official_name\nCOV,Coventry City Council\n", encoding="utf-8")

    with pytest.raises(CommandError, match="missing columns: short_name, gss_code"):
        import_councils(str(path))
