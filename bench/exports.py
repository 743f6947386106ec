"""The exports: the monthly canteen settlement of the largest month, the year's volunteer hours.

Timed in-process through django.test.Client (the real views, as staff), as CSV and Excel,
against the same database the pages ran on.
"""

import time

from django.test import Client

HOST = "127.0.0.1"


def _timed(client, url, repeat=3):
    best, size, status = None, 0, None
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(url)
        content = b"".join(response) if response.streaming else response.content
        elapsed = time.perf_counter() - start
        best = elapsed if best is None else min(best, elapsed)
        size, status = len(content), response.status_code
    return best, size, status


def _volunteer_year(dataset) -> int:
    from django.db.models import Count
    from django.db.models.functions import ExtractYear

    from volunteers.models import Signup

    given = dataset.get("hours_year") or (dataset.get("volunteers") or {}).get("hours_year")
    if given:
        return int(given)
    row = (
        Signup.objects.annotate(year=ExtractYear("post__start"))
        .values("year")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    from django.utils import timezone

    return row["year"] if row else timezone.localdate().year


def run(dataset: dict) -> list[str]:
    from bench import fixtures
    from bench.run import MAX_EXPORT_S
    from canteen.models import MealRecord
    from canteen.reports import _next_month

    month = fixtures.largest_month(dataset)
    meals = MealRecord.objects.filter(day__gte=month, day__lt=_next_month(month)).count()
    year = _volunteer_year(dataset)
    staff = fixtures.session_cookie(fixtures.persona("canteen_staff", dataset))
    coordinator = fixtures.session_cookie(fixtures.persona("coordinator", dataset))
    lines = [
        "## Exports",
        "",
        f"Best of 3, in-process through the view (django.test.Client). Settlement month "
        f"{month:%Y-%m} has {meals:,} meal records; volunteer-hours year {year}.",
        "",
        f"| export | format | seconds | bytes | HTTP | target < {MAX_EXPORT_S:g} s |",
        "|---|---|---:|---:|---:|---|",
    ]
    jobs = [
        ("canteen settlement", staff, f"/canteen/staff/settlement/?month={month:%Y-%m}&format="),
        ("volunteer hours", coordinator, f"/volunteers/coordinator/report/?year={year}&format="),
    ]
    for label, cookie, url in jobs:
        client = Client(HTTP_HOST=HOST)
        fixtures.set_cookies(client, cookie)  # the session's and the CSRF cookie
        for fmt in ("csv", "xlsx"):
            print(f"exports: {label} {fmt}", flush=True)
            seconds, size, status = _timed(client, url + fmt)
            ok = status == 200 and seconds < MAX_EXPORT_S
            lines.append(
                f"| {label} | {fmt} | {seconds:.2f} | {size:,} | {status} "
                f"| {'PASS' if ok else 'FAIL'} |"
            )
    lines.append("")
    return lines
