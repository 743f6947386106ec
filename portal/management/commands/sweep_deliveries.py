from django.core.management.base import BaseCommand

from portal import broadcasts
from portal.delivery import sweep


class Command(BaseCommand):
    help = (
        "Enqueue again the texts and mails that are due with no task waiting (quiet hours over, "
        "a retry) and those left 'sending' by a worker that was killed. Safe to run twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Count, change nothing.")

    def handle(self, *args, dry_run=False, **options):
        found = sweep(dry_run=dry_run)
        unfinished = 0 if dry_run else broadcasts.sweep()
        if options["verbosity"] >= 1:
            verb = "would enqueue" if dry_run else "enqueued"
            self.stdout.write(
                f"{verb} {found['enqueued']} deliveries ({found['stuck']} stuck in sending); "
                f"{unfinished} unfinished staff messages"
            )
