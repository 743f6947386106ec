"""Staff messages and the delivery worker: how long the "message 1,000 volunteers" POST takes
(the work is the worker's), and how many texts one worker sends a second (console backend).

    DATABASE_URL=postgres://…/portal_bench .venv/bin/python -m bench.messages --people 1000

Works on any migrated database (SQLite too); everything it makes is deleted at the end.
"""

import argparse
import io
import os
import statistics
import sys
import time
from datetime import date, datetime, timedelta
from datetime import time as clock


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5, help="timed confirming POSTs")
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ["TASKS_BACKEND"] = "database"  # the request only enqueues, as in production
    os.environ["SMS_BACKEND"] = "console"
    import django

    django.setup()
    from django.conf import settings
    from django.db import transaction
    from django.test import Client
    from django.utils.timezone import make_aware
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult

    from portal import delivery, roles
    from portal.models import Broadcast, Delivery, User
    from volunteers.models import Post, ServiceDay, Signup, Team

    settings.ALLOWED_HOSTS = ["*"]
    prefix = "msgbench"
    try:
        day = ServiceDay.objects.create(date=date(2099, 1, 10))
        team = Team.objects.create(name=f"{prefix} team", slug=f"{prefix}-team")
        start = make_aware(datetime.combine(day.date, clock(9)))
        post = Post.objects.create(
            team=team, service_day=day, title=prefix, place="-", start=start,
            end=start + timedelta(hours=2), capacity=args.people,
        )  # fmt: skip
        people = User.objects.bulk_create(
            User(username=f"{prefix}{n}", mobile=f"1990{n:07d}", mobile_verified=True)
            for n in range(args.people)
        )
        Signup.objects.bulk_create(
            Signup(post=post, volunteer=u, status=Signup.Status.CONFIRMED) for u in people
        )
        coordinator = User.objects.create(username=f"{prefix}-coordinator")
        roles.grant_role(coordinator, roles.VOLUNTEER_COORDINATOR)
        client = Client()
        client.force_login(coordinator)
        url = f"/volunteers/coordinator/days/{day.date.isoformat()}/message/"
        previews = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            client.post(url, {"text": "明天下雨，服务改在室内进行。"})
            previews.append((time.perf_counter() - started) * 1000)
        times = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            response = client.post(url, {"text": "明天下雨改室内", "confirm": "True"})
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 302, response.status_code
        print(
            f"preview POST, {args.people} recipients: median {statistics.median(previews):.0f} ms,"
            f" first {previews[0]:.0f} ms"
        )
        print(
            f"confirming POST, {args.people} recipients: median {statistics.median(times):.0f} ms,"
            f" max {max(times):.0f} ms ({args.repeat} runs)"
        )

        DBTaskResult.objects.filter(task_path="portal.tasks.send_broadcast").delete()
        with transaction.atomic():
            for person in people:
                delivery.queue_message(
                    user=person, channel="sms", kind="bench", text="明天见", urgent=True
                )
        shown, sys.stdout = sys.stdout, io.StringIO()  # the console backend's output
        started = time.perf_counter()
        worker = Worker(
            queue_names=["default"], interval=0, batch=True, backend_name="default",
            startup_delay=False, max_tasks=None, worker_id=prefix, excluded_queue_names=[],
        )  # fmt: skip
        worker.run()
        elapsed = time.perf_counter() - started
        sys.stdout = shown
        sent = Delivery.objects.filter(
            kind="bench", state="sent", user__username__startswith=prefix
        ).count()
        print(
            f"worker: {sent} texts in {elapsed:.1f} s = {sent / elapsed:.0f} texts/s (one worker)"
        )
    finally:
        Broadcast.objects.filter(created_by__username__startswith=prefix).delete()
        DBTaskResult.objects.filter(task_path__startswith="portal.tasks.").delete()
        User.objects.filter(username__startswith=prefix).delete()
        Post.objects.filter(title=prefix).delete()
        Team.objects.filter(slug=f"{prefix}-team").delete()
        ServiceDay.objects.filter(date=date(2099, 1, 10)).delete()


if __name__ == "__main__":
    main()
