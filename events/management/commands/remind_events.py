"""Remind households of the activities they have a place at, the day before (run daily)."""

from datetime import date, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils.timezone import localdate

from events import services


class Command(BaseCommand):
    help = (
        "Send a notice (and an email) to each household with a confirmed place at an activity "
        "tomorrow. Safe to run more than once: each booking is reminded only once."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--day", help="the activities' day as YYYY-MM-DD (default: tomorrow, local time)"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="only count who would be reminded"
        )

    def handle(self, *args, **options):
        day = self.parse_day(options["day"])
        if options["dry_run"]:
            count = services.bookings_to_remind(day).count()
            self.report(options, f"{day}: {count} households would be reminded (dry run)")
            return
        sent = self.remind(day)
        self.report(options, f"{day}: {sent} households reminded")

    def parse_day(self, value) -> date:
        if not value:
            return localdate() + timedelta(days=1)
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise CommandError(f"--day must look like 2026-06-13, not {value!r}") from None

    def remind(self, day) -> int:
        """Send the reminders; returns how many households were told."""
        return sum(services.send_reminder(b) for b in services.bookings_to_remind(day))

    def report(self, options, line):
        if options["verbosity"] >= 1:
            self.stdout.write(line)
