"""Fill the database as a national deployment would be after a few years: every current
English council, its services and their published assessments (assessments/scale_data.py).
For measuring the service (the benchmark); never for a database the public reads."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from assessments import scale_data


class Command(BaseCommand):
    help = (
        "Generate national-scale data: every current English council with its services and "
        "their published, peer-reviewed or self-assessed assessments over three years."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--services",
            type=int,
            default=10,
            help=f"Services per council (1 to {scale_data.MAX_SERVICES}; default 10).",
        )
        parser.add_argument(
            "--max-assessments",
            type=int,
            default=3,
            help="Most published assessments per service (1 to 3; default 3).",
        )
        parser.add_argument(
            "--councils", type=int, default=None, help="Only the first N councils, by code."
        )
        parser.add_argument(
            "--seed", type=int, default=2016, help="Random seed (default 2016): runs repeat."
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Delete what a previous run made first (nothing else is touched).",
        )
        parser.add_argument(
            "--yes",
            action="store_true",
            help="Run although DEBUG is off: the made-up results become public on this site.",
        )

    def handle(self, *args, **options):
        if not (settings.DEBUG or options["yes"]):
            raise CommandError(
                "This publishes made-up results for every English council. It runs only with "
                "DEBUG=true, or with --yes on a database nobody relies on."
            )
        services, most = options["services"], options["max_assessments"]
        if not 1 <= services <= scale_data.MAX_SERVICES:
            raise CommandError(f"--services must be from 1 to {scale_data.MAX_SERVICES}.")
        if not 1 <= most <= 3:
            raise CommandError("--max-assessments must be from 1 to 3.")
        if options["councils"] is not None and options["councils"] < 1:
            raise CommandError("--councils must be 1 or more.")
        if options["replace"]:
            removed = scale_data.remove()
            self.stdout.write(f"Removed a previous run's data ({removed:,} services).")
        try:
            report = scale_data.generate(
                services=services,
                max_assessments=most,
                seed=options["seed"],
                councils=options["councils"],
                progress=self.stdout.write,
            )
        except scale_data.AlreadyGenerated:
            raise CommandError(
                "The database already has generated data (people at "
                f"{scale_data.DOMAIN}). Add --replace to delete it and generate again."
            ) from None
        except scale_data.NothingToGenerate:
            raise CommandError(
                "No current English councils or no Standard: run "
                "`manage.py loaddata standard_lgdss_1_0` and `manage.py import_councils` first."
            ) from None
        self.stdout.write(self.style.SUCCESS("Generated national-scale data:"))
        for line in report.lines():
            self.stdout.write(f"  {line}")
