from django.core.management.base import BaseCommand

from classes import services


class Command(BaseCommand):
    help = (
        "Enqueue again the decision of every course with an enrolment request still queued a "
        "minute after it arrived (its task was lost). Run from cron every minute; safe to run "
        "twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="List the courses only.")

    def handle(self, *args, dry_run=False, **options):
        course_ids = services.sweep_enrolment_requests(dry_run=dry_run)
        if options["verbosity"] >= 1:
            verb = "would enqueue" if dry_run else "enqueued"
            ids = ", ".join(map(str, course_ids)) or "none"
            self.stdout.write(f"{verb} the decisions of {len(course_ids)} courses ({ids})")
