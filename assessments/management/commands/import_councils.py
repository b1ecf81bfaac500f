"""Load or refresh councils from mySociety's list of UK local authorities.

Safe to run again and again: councils are matched by code, reference facts are
brought up to date, nothing is ever deleted, and a council that already exists keeps
its peer group (coordinators move councils between groups). See fixtures/README.md.
"""

import csv
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from assessments.councils_data import PEER_GROUPS, peer_group_slug_for
from assessments.models import Council, PeerGroup

COLUMNS = [
    "code",
    "official_name",
    "short_name",
    "gss_code",
    "nation",
    "region",
    "authority_type",
    "authority_type_name",
    "population",
    "is_current",
    "start_date",
    "end_date",
    "replaced_by",
]

# The facts the file owns. Re-importing overwrites these and nothing else, so
# peer groups and sign-up details recorded in the service are never touched.
FACTS = [
    "official_name",
    "short_name",
    "gss_code",
    "nation",
    "region",
    "authority_type",
    "authority_type_name",
    "population",
    "is_current",
    "start_date",
    "end_date",
]


class RowError(ValueError):
    """A row that cannot be loaded: it is skipped and reported, and the rest load."""


@dataclass
class Row:
    code: str
    name: str
    facts: dict
    replaced_by: list


@dataclass
class Report:
    in_file: int = 0
    created: set = field(default_factory=set)
    updated: set = field(default_factory=set)
    unchanged: int = 0
    groups_created: int = 0
    skipped: dict = field(default_factory=dict)  # code -> (name, reason)
    warnings: list = field(default_factory=list)

    def summary(self):
        line = (
            f"Councils: {self.in_file} in file, {len(self.created)} created, "
            f"{len(self.updated)} updated, {self.unchanged} unchanged"
        )
        if self.skipped:
            line += f", {len(self.skipped)} skipped"
        return f"{line}. Peer groups: {self.groups_created} created."


class Command(BaseCommand):
    help = (
        "Load or update councils from a CSV file of UK local authorities (fixtures/councils.csv)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "path",
            nargs="?",
            default=str(settings.BASE_DIR / "fixtures" / "councils.csv"),
            help="CSV file with the columns described in fixtures/README.md.",
        )

    def handle(self, *args, path, verbosity, **options):
        rows = read_csv(Path(path))
        with transaction.atomic():
            report = import_rows(rows)

        if verbosity == 0:
            return
        for warning in report.warnings:
            self.stderr.write(warning)
        if report.skipped and verbosity >= 2:
            for code, (name, reason) in report.skipped.items():
                self.stderr.write(f"Skipped {code} ({name}): {reason}")
        elif report.skipped:
            self.stderr.write(
                f"Skipped {len(report.skipped)} rows that could not be loaded "
                f"(run with -v 2 to see why): {', '.join(report.skipped)}"
            )
        self.stdout.write(report.summary())


def read_csv(path):
    """The file's rows as dictionaries, or a CommandError that says what is wrong with it."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as file:
            reader = csv.DictReader(file)
            missing = [column for column in COLUMNS if column not in (reader.fieldnames or [])]
            if missing:
                raise CommandError(f"{path} is missing columns: {', '.join(missing)}")
            return list(reader)
    except FileNotFoundError:
        raise CommandError(f"There is no file at {path}") from None
    except IsADirectoryError:
        raise CommandError(f"{path} is a folder, not a CSV file") from None
    except (UnicodeDecodeError, csv.Error) as error:
        raise CommandError(f"{path} is not a readable UTF-8 CSV file: {error}") from None


def import_rows(rows):
    """Create or update a council for each row, then link councils to their successors."""
    report = Report(in_file=len(rows))
    groups = seed_peer_groups(report)
    existing = Council.objects.in_bulk(field_name="code")

    parsed = {}
    for number, raw in enumerate(rows, start=2):  # line 1 is the header
        where = f"{(raw.get('code') or '').strip().upper()} on line {number}".strip()
        try:
            row = parse_row(raw)
            if row.code in parsed:
                raise RowError(f"{row.code} appears more than once in the file")
            parsed[row.code] = row
        except RowError as error:
            # Keyed by line, so that a later duplicate cannot stand for the first.
            report.skipped[where] = (
                (raw.get("official_name") or "").strip(),
                str(error),
            )
    fill_missing_regions(parsed, existing, report)

    to_create, to_update, changed_fields = [], [], set()
    for row in parsed.values():
        council = existing.get(row.code)
        try:
            if council is None:
                to_create.append(new_council(row, groups))
                report.created.add(row.code)
                continue
            changed = [name for name in FACTS if getattr(council, name) != row.facts[name]]
            if changed:
                for name in changed:
                    setattr(council, name, row.facts[name])
                validate(council)
                to_update.append(council)
                changed_fields.update(changed)
                report.updated.add(row.code)
        except RowError as error:
            report.skipped[row.code] = (row.name, str(error))

    Council.objects.bulk_create(to_create)
    if to_update:
        Council.objects.bulk_update(to_update, sorted(changed_fields))

    loaded = {code: row for code, row in parsed.items() if code not in report.skipped}
    link_successors(loaded, report)
    report.unchanged = len(loaded) - len(report.created) - len(report.updated)
    return report


def seed_peer_groups(report):
    """The starting peer groups by slug, created if missing and otherwise left as they are.

    A group is also recognised by its name, in case a coordinator changed its slug.
    """
    by_slug = {group.slug: group for group in PeerGroup.objects.all()}
    by_name = {group.name: group for group in by_slug.values()}
    groups = {}
    for seed in PEER_GROUPS:
        group = by_slug.get(seed.slug) or by_name.get(seed.name)
        if group is None:
            group = PeerGroup.objects.create(
                slug=seed.slug, name=seed.name, description=seed.description
            )
            report.groups_created += 1
        groups[seed.slug] = group
    return groups


def parse_row(raw):
    code = raw["code"].strip().upper()
    if not code:
        raise RowError("has no code")
    facts = {name: (raw[name] or "").strip() for name in FACTS}
    facts["population"] = _whole_number(facts["population"])
    facts["is_current"] = _true_or_false(facts["is_current"])
    facts["start_date"] = _date(facts["start_date"])
    facts["end_date"] = _date(facts["end_date"])
    replaced_by = [part.strip().upper() for part in raw["replaced_by"].split(",") if part.strip()]
    return Row(code, facts["official_name"], facts, replaced_by)


def fill_missing_regions(parsed, existing, report):
    """Give a council with no region the region of the first council that replaced it.

    mySociety leaves the region empty for 15 former English councils, such as
    Buckinghamshire County Council (BKM), replaced by Buckinghamshire Council (BUC).
    Chains of replacements are followed.
    """

    def region_of(code, seen):
        if code in seen:
            return ""
        seen.add(code)
        row = parsed.get(code)
        if row is None:
            council = existing.get(code)
            return council.region if council else ""
        if row.facts["region"]:
            return row.facts["region"]
        return region_of(row.replaced_by[0], seen) if row.replaced_by else ""

    for code, row in list(parsed.items()):
        if not row.facts["region"]:
            row.facts["region"] = region_of(code, set())
            if not row.facts["region"]:
                report.skipped[code] = (
                    row.name,
                    "has no region, and no successor to take one from",
                )
                del parsed[code]


def new_council(row, groups):
    slug = peer_group_slug_for(row.facts["nation"], row.facts["region"])
    if slug is None:
        raise RowError(f"no peer group for {row.facts['region'] or row.facts['nation']}")
    council = Council(code=row.code, peer_group=groups[slug], **row.facts)
    validate(council)
    return council


def validate(council):
    """Check the council against the model's own rules, so a bad row is skipped, not half saved."""
    try:
        council.full_clean(exclude=["peer_group", "adoption_recorded_by"], validate_unique=False)
    except ValidationError as error:
        messages = [
            message if name == NON_FIELD_ERRORS else f"{name}: {message}"
            for name, found in error.message_dict.items()
            for message in found
        ]
        raise RowError(" ".join(messages)) from None


def link_successors(loaded, report):
    """Make each loaded council's `replaced_by` match the file, once every council exists.

    Links of councils that are not in the file are left alone.
    """
    through = Council.replaced_by.through
    pks = dict(Council.objects.values_list("code", "pk"))
    codes = {pk: code for code, pk in pks.items()}
    in_file = {pks[code] for code in loaded}

    wanted = set()
    for code, row in loaded.items():
        for successor in row.replaced_by:
            if successor in pks:
                wanted.add((pks[code], pks[successor]))
            else:
                report.warnings.append(
                    f"{code} is replaced by {successor}, which is not in the file or the database"
                )

    have = {}
    for pk, from_pk, to_pk in through.objects.values_list("pk", "from_council_id", "to_council_id"):
        if from_pk in in_file:
            have[(from_pk, to_pk)] = pk

    stale = [pk for pair, pk in have.items() if pair not in wanted]
    missing = [pair for pair in wanted if pair not in have]
    through.objects.filter(pk__in=stale).delete()
    through.objects.bulk_create(
        through(from_council_id=from_pk, to_council_id=to_pk) for from_pk, to_pk in missing
    )
    for from_pk, _ in [*missing, *(pair for pair in have if pair not in wanted)]:
        code = codes[from_pk]
        if code not in report.created:
            report.updated.add(code)


def _whole_number(text):
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        raise RowError(f"population {text!r} is not a number") from None
    if number < 0 or not number.is_integer():
        raise RowError(f"population {text!r} is not a whole number")
    return int(number)


def _true_or_false(text):
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    raise RowError(f"is_current is {text!r}, not True or False")


def _date(text):
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise RowError(f"{text!r} is not a date in the form 2020-03-31") from None
