from django.core.management.base import BaseCommand, CommandError
from django.utils.timezone import localdate

from volunteers import services


class Command(BaseCommand):
    help = (
        "Create a year of Red Star Service Days (the community's day of the month) with a post "
        "for each active post template. Safe to run again: existing days and posts are kept."
    )

    def add_arguments(self, parser):
        parser.add_argument("year", nargs="?", type=int, default=None)
        parser.add_argument("--dry-run", action="store_true", help="Show what would be created.")

    def handle(self, *args, year=None, dry_run=False, **options):
        year = year or localdate().year
        try:
            result = services.generate_service_days(year, dry_run=dry_run)
        except services.PostError as e:
            raise CommandError(str(e)) from None
        if options["verbosity"] >= 1:
            verb = "Would create" if dry_run else "Created"
            self.stdout.write(
                f"{verb} {result['days']} service days and {result['posts']} posts for {year}."
            )
