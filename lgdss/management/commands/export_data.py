from django.core import serializers
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS

from lgdss.backup import ExactJSONEncoder, carried_models


class Command(BaseCommand):
    help = (
        "Write every row the service keeps (but sessions, content types and permissions) "
        "to a JSON Lines file, for import_data to load into an empty database."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="the file to write, ending in .jsonl")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, path, database, **options):
        if not path.endswith(".jsonl"):
            raise CommandError("Name the file with .jsonl at the end, for example backup.jsonl.")
        total = 0
        with open(path, "w", encoding="utf-8") as stream:
            for model in carried_models(database):
                rows = model._base_manager.using(database).order_by(model._meta.pk.name)
                count = rows.count()
                # One model at a time, row by row, straight to the file: never all in memory.
                serializers.serialize(
                    "jsonl",
                    rows.iterator(chunk_size=2000),
                    stream=stream,
                    use_natural_foreign_keys=True,
                    use_natural_primary_keys=False,
                    cls=ExactJSONEncoder,
                )
                total += count
                if options["verbosity"] > 1:
                    self.stdout.write(f"{model._meta.label}: {count}")
        self.stdout.write(f"Exported {total} rows to {path}.")
