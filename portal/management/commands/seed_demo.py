from importlib import import_module

from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings

from portal import demo, modules
from portal.cache import NAMESPACES
from portal.cache import changed as cache_changed
from portal.models import User

# Demo modules of their own: "<app>.<name>" with the same `seed(command, community, people)`.
EXTRA_DEMOS = ["alliance.questionnaire_demo"]

# Who each demo account is, for the table printed at the end (a developer's aid, in English).
WHO = {
    "admin": "community admin (superuser)",
    "coordinator": "volunteer coordinator",
    "events_staff": "events staff",
    "canteen_staff": "canteen staff",
    "classes_staff": "classes staff",
    "alliance_staff": "alliance staff",
    "leader": "team leader",
    "volunteer": "volunteer",
    "parent": "parent with a child",
    "elder": "resident aged 60+",
    "teacher": "teacher, partner contact",
}
TEACHER_MOBILE = "13800000010"


class Command(BaseCommand):
    help = "Create the demo community, accounts and each module's demo data. Safe to run twice."

    def handle(self, *args, **options):
        # The demo's notices would otherwise be mailed (and texted) to the console while seeding:
        # keep them in memory, so the output is only what a person needs.
        quiet = {
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "SMS_BACKEND": "portal.sms.backends.locmem.SmsBackend",
        }
        with override_settings(**quiet), transaction.atomic():
            community = demo.seed_community()
            people = demo.seed_people()
            made = demo.seed_announcements(people["admin"])
            lines = [f"announcements: {made} new"]
            lines.append(f"deliveries: {demo.seed_deliveries(people)} failed text to resend")
            for _app, module_demo in modules.parts("demo"):
                lines += module_demo.seed(self, community, people) or []
            for name in EXTRA_DEMOS:
                lines += import_module(name).seed(self, community, people) or []
            lines.append(f"inbox: {demo.seed_notices(people)} new notices")
        # Much of it was written in bulk, which sends no signals: everything cached is stale.
        cache_changed(*NAMESPACES)
        teacher = User.objects.filter(mobile=TEACHER_MOBILE).first()
        if teacher is not None:
            people = {**people, "teacher": teacher}
        if options["verbosity"] >= 1:
            self.stdout.write(self.style.SUCCESS(f"Demo community: {community.name}"))
            for line in lines:
                self.stdout.write(f"  {line}")
            self.stdout.write(
                f"\nDemo log-ins: mobile (or email) and the password {demo.DEMO_PASSWORD}\n"
            )
            self.stdout.write(f"  {'who':<28} {'mobile':<12} {'email':<24} name")
            for key, user in people.items():
                self.stdout.write(
                    f"  {WHO.get(key, key):<28} {user.mobile:<12} {user.email or '—':<24} "
                    f"{user.real_name}"
                )
            self.stdout.write(
                "\nSite: http://127.0.0.1:8000/   Admin: http://127.0.0.1:8000/admin/"
            )
