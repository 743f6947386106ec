from django.core.management.base import BaseCommand
from django.utils import timezone

from classes import services
from classes.models import Course


class Command(BaseCommand):
    help = (
        "Draw the lottery of every lottery course whose sign-up window has closed and that was "
        "not drawn yet (run from cron a few minutes after windows close). Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="List the courses only.")

    def handle(self, *args, **options):
        due = self.due_courses()
        for course in due:
            if options["dry_run"]:
                entries = course.enrolments.filter(status="applied").count()
                line = f"would draw {course} ({entries} entries)"
            else:
                result = services.run_lottery(course)
                line = (
                    f"drew {course}: seed {result['seed']}, {len(result['won'])} places, "
                    f"{len(result['waiting'])} waiting, {len(result['skipped'])} skipped"
                )
            if options["verbosity"] >= 1:
                self.stdout.write(line)
        if options["verbosity"] >= 1 and not due:
            self.stdout.write("no lottery is due")

    def due_courses(self) -> list[Course]:
        """Lottery courses past their window and not drawn, oldest window first."""
        return list(
            Course.objects.filter(
                mode=Course.Mode.LOTTERY,
                lottery_drawn_at__isnull=True,
                enrol_closes_at__lte=timezone.now(),
            )
            .select_related("term")
            .order_by("enrol_closes_at", "id")
        )
