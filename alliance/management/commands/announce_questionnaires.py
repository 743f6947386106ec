"""Tell each open questionnaire's audience, once, that it opened (run every few minutes)."""

from django.core.management.base import BaseCommand
from django.utils.timezone import now

from alliance import questionnaire_services as services
from alliance.questionnaires import Questionnaire


class Command(BaseCommand):
    help = (
        "Put a notice in the inbox of each resident a newly opened questionnaire is meant for. "
        "Safe to run more than once: each questionnaire is announced only once."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="only list what would be announced"
        )

    def handle(self, *args, **options):
        if options["dry_run"]:
            waiting = Questionnaire.objects.open_at(now()).filter(announced_at__isnull=True)
            for questionnaire in waiting:
                count = services.audience_users(questionnaire).count()
                self.report(options, f"{questionnaire}: {count} people would be told (dry run)")
            return
        told = services.announce_open()
        self.report(options, f"{told} people told of newly opened questionnaires")

    def report(self, options, line):
        if options["verbosity"] >= 1:
            self.stdout.write(line)
