from django.core.management.base import BaseCommand, CommandError

from classes import lottery
from classes.models import Course


class Command(BaseCommand):
    help = (
        "Check the published draws of lottery courses: each seed has the fingerprint published "
        "before the draw, and re-running the draw from the published inputs gives the "
        "published result. Reads only; exits with an error on any mismatch."
    )

    def add_arguments(self, parser):
        parser.add_argument("course_ids", nargs="*", type=int, help="Courses (default: all drawn).")

    def handle(self, *args, **options):
        courses = Course.objects.filter(mode=Course.Mode.LOTTERY, lottery_drawn_at__isnull=False)
        if options["course_ids"]:
            courses = courses.filter(pk__in=options["course_ids"])
        bad = 0
        for course in courses.prefetch_related("draws").order_by("id"):
            for draw in course.draws.all():
                problems = self.check_draw(course, draw)
                bad += bool(problems)
                line = f"{course} · draw {draw.number}: " + ("; ".join(problems) or "ok")
                if problems or options["verbosity"] >= 1:
                    self.stdout.write(line)
        if bad:
            raise CommandError(f"{bad} draw(s) do not check out")

    @staticmethod
    def check_draw(course, draw) -> list[str]:
        """What is wrong with a published draw (nothing: an empty list)."""
        problems = []
        result = draw.result
        if course.lottery_commitment and lottery.commitment(draw.seed) != course.lottery_commitment:
            problems.append("the seed does not have the published fingerprint")
        again = lottery.draw(
            [list(g) for g in result["groups"]],
            places=result["places"],
            seed=draw.seed,
            skipped=result["skipped"],
        )
        if (again["won"], again["waiting"]) != (result["won"], result["waiting"]):
            problems.append("re-running the draw gives another result")
        return problems
