from django.core.management.base import BaseCommand

from volunteers import services


class Command(BaseCommand):
    help = (
        "Send volunteers their reminders (the day before and the morning of each post) by email "
        "and as a notice. Run from cron, e.g. every hour from 07:00; each reminder goes once."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would be sent; send nothing."
        )

    def handle(self, *args, dry_run=False, **options):
        counts = services.send_reminders(dry_run=dry_run)
        if options["verbosity"] >= 1:
            prefix = "Would send" if dry_run else "Sent"
            self.stdout.write(
                f"{prefix} {counts['day_before']} day-before and {counts['morning']} "
                "morning reminders."
            )
        return None
