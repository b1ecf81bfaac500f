from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS

from lgdss.backup import carried_models


class Command(BaseCommand):
    help = (
        "Load a file made by export_data into an empty database (one that has only been "
        "migrated). Refuses if the database holds any of the rows a backup carries."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="a .jsonl file made by export_data")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, path, database, **options):
        if not path.endswith(".jsonl"):
            raise CommandError("Give the .jsonl file that export_data wrote.")
        filled = [
            model._meta.label
            for model in carried_models(database)
            if model._base_manager.using(database).exists()
        ]
        if filled:
            raise CommandError(
                "The database is not empty, so nothing was imported. It already has rows in "
                f"{', '.join(filled[:5])}{' and more' if len(filled) > 5 else ''}. "
                "Import into a new database that has only been migrated."
            )
        # loaddata reads the file line by line, in one transaction, checks every
        # reference once all rows are in, and moves the id sequences past the ids loaded.
        call_command("loaddata", path, database=database, verbosity=options["verbosity"])
