from importlib import import_module

from django.core.management.base import BaseCommand
from django.db import transaction

from portal import demo

MODULES = ["volunteers", "events", "canteen", "classes"]


class Command(BaseCommand):
    help = "Create the demo community, accounts and each module's demo data. Safe to run twice."

    def handle(self, *args, **options):
        with transaction.atomic():
            community = demo.seed_community()
            people = demo.seed_people()
            made = demo.seed_announcements(people["admin"])
            lines = [f"announcements: {made} new"]
            lines.append(f"deliveries: {demo.seed_deliveries(people)} failed text to resend")
            for module in MODULES:
                lines += import_module(f"{module}.demo").seed(self, community, people) or []
        if options["verbosity"] >= 1:
            self.stdout.write(self.style.SUCCESS(f"Demo community: {community.name}"))
            for line in lines:
                self.stdout.write(f"  {line}")
            self.stdout.write(f"\nDemo log-ins (password for all: {demo.DEMO_PASSWORD}):")
            for key, user in people.items():
                self.stdout.write(f"  {key:<14} {user.mobile}  {user.email:<26} {user.real_name}")
            self.stdout.write(
                "\nSite: http://127.0.0.1:8000/   Admin: http://127.0.0.1:8000/admin/"
            )
