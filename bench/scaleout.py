"""Scale-out rehearsal (issue 16): two app servers behind nginx on one PostgreSQL, one Redis and
one media folder. `python -m bench.scaleout --db postgres://…/portal_scaleout`.

Starts two gunicorn instances (A and B, one sync worker each) and nginx round-robin in front of
them, plus two `db_worker`s on the same task queue, all on 127.0.0.1, then checks through real
HTTP that:

1. a resident who logs in through A stays logged in through B (sessions in the shared cache and
   database);
2. a parent's enrolment sent through A, decided by a task worker, is served at once by B, to
   visitors (the course's places left, a cached public page) and to the parent;
3. an announcement with a photo added in the admin through A is on B's home page at once, for
   visitors and residents, and its photo is served from the shared media folder;
4. an admin edit through A (a course's title) is on B's pages at once;
5. a withdrawal through A promotes the first child waiting: B shows it to that parent at once;
6. two task workers on one queue run each task once: 40 requests queued at the same moment are
   each decided once, every task has one worker, and no parent is told twice.

`--measure` then serves the bench pages (the data set in --db must be the bench's) with one
gunicorn × 2 workers, then two gunicorns × 1 worker, each behind the same nginx, and prints the
table for bench/README.md. `tests/bench/test_scaleout.py` runs the rehearsal (marked postgres and
scaleout).
"""

import argparse
import html
import os
import re
import secrets
import shutil
import signal
import sys
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from http.client import HTTPConnection
from pathlib import Path

from bench.run import HOST, ROOT, Gunicorn, bench_env, collectstatic, free_port, machine

REDIS_DB = "redis://127.0.0.1:6379/14"
PASSWORD = "scaleout-pass-2026"


# A browser, roughly: cookies, CSRF tokens read from forms, no redirects followed -------------


class Browser:
    def __init__(self, name: str, cookies: dict | None = None):
        self.name = name
        self.cookies = dict(cookies or {})

    def request(self, port, method, path, body=b"", content_type=""):
        conn = HTTPConnection(HOST, port, timeout=30)
        headers = {"Host": HOST}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if content_type:
            headers["Content-Type"] = content_type
        conn.request(method, path, body=body, headers=headers)
        resp = conn.getresponse()
        data = resp.read().decode("utf-8", "replace")
        for header in resp.msg.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        conn.close()
        return resp.status, resp.getheader("Location", ""), data

    def get(self, port, path):
        return self.request(port, "GET", path)

    def post(self, port, path, fields: dict, files: dict | None = None):
        """POST a form (multipart when `files`), with the CSRF cookie and token."""
        token = self.cookies.get("csrftoken")
        if not token:
            raise AssertionError(f"{self.name}: no CSRF cookie; GET the form first")
        fields = {**fields, "csrfmiddlewaretoken": token}
        if not files:
            from urllib.parse import urlencode

            body = urlencode(fields, doseq=True).encode()
            return self.request(port, "POST", path, body, "application/x-www-form-urlencoded")
        boundary = uuid.uuid4().hex
        parts = []
        for key, value in fields.items():
            for v in value if isinstance(value, list) else [value]:
                parts.append(
                    f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n'
                    f"{v}\r\n".encode()
                )
        for key, (filename, content, ctype) in files.items():
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"; '
                f'filename="{filename}"\r\nContent-Type: {ctype}\r\n\r\n'.encode()
                + content
                + b"\r\n"
            )
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        return self.request(port, "POST", path, body, f"multipart/form-data; boundary={boundary}")


def form_fields(page: str) -> dict:
    """The values a browser would send for the first form on the page after `csrf` (inputs,
    checked boxes, selected options, textareas); files left out."""
    fields: dict = {}
    for m in re.finditer(r"<input\b[^>]*>", page):
        tag = m.group(0)
        name = re.search(r'\bname="([^"]*)"', tag)
        if not name:
            continue
        kind = (re.search(r'\btype="([^"]*)"', tag) or [None, "text"])[1]
        value = html.unescape((re.search(r'\bvalue="([^"]*)"', tag) or [None, ""])[1])
        if kind in ("checkbox", "radio"):
            if " checked" in tag:
                fields.setdefault(name.group(1), []).append(value or "on")
        elif kind not in ("file", "submit", "button", "image"):
            fields[name.group(1)] = value
    for m in re.finditer(r'<textarea\b[^>]*name="([^"]*)"[^>]*>(.*?)</textarea>', page, re.S):
        fields[m.group(1)] = html.unescape(m.group(2)).lstrip("\n")
    for m in re.finditer(r'<select\b[^>]*name="([^"]*)"[^>]*>(.*?)</select>', page, re.S):
        chosen = re.findall(r'<option\b[^>]*value="([^"]*)"[^>]*\bselected', m.group(2))
        if chosen:
            fields[m.group(1)] = chosen if "multiple" in m.group(0)[:200] else chosen[0]
    fields.pop("csrfmiddlewaretoken", None)
    return fields


# The cluster ------------------------------------------------------------------------------------


class Cluster:
    """`servers` gunicorn instances (`workers` each) behind nginx, and `task_workers` db_workers."""

    def __init__(self, env, tmp: Path, *, servers=2, workers=1, task_workers=2):
        from bench.rush_proxy import Nginx, TaskWorker

        self.ports = [free_port() for _ in range(servers)]
        self.servers = [
            Gunicorn(env, p, workers, tmp / f"gunicorn-{i}.log") for i, p in enumerate(self.ports)
        ]
        self.port = free_port()
        self.proxy = None
        self.workers = []
        try:
            self.proxy = Nginx(self.port, self.ports, media_root=env["MEDIA_ROOT"])
            self.workers = [
                TaskWorker(env, tmp / f"worker-{i}.log", worker_id=f"worker-{i}")
                for i in range(task_workers)
            ]
            for s in self.servers:
                s.wait_ready(path="/healthz/" if _has_healthz() else "/")
            self.proxy.wait_ready(path="/")
        except BaseException:
            self.stop()
            raise

    def stop(self):
        for w in self.workers:
            w.stop()
        if self.proxy:
            self.proxy.stop()
        for s in self.servers:
            s.stop()


def _has_healthz() -> bool:
    from django.urls import NoReverseMatch, reverse

    try:
        reverse("healthz")
    except NoReverseMatch:
        return False
    return True


def cluster_env(db_url: str, tmp: Path) -> dict:
    env = bench_env(db_url, str(tmp / "static"))
    env.update(
        MEDIA_ROOT=str(tmp / "media"),
        REDIS_URL=REDIS_DB,
        CACHE_KEY_PREFIX="scaleout",
        TASKS_BACKEND="database",
        BENCH_ENROL_QUEUE="1",
        SECRET_KEY=secrets.token_urlsafe(64),
    )
    (tmp / "media").mkdir(parents=True, exist_ok=True)
    # nginx's worker (nobody, when started as root) reads the uploads; mkdtemp made it 0700
    os.chmod(tmp, 0o755)
    return env


def flush_redis(url: str = REDIS_DB) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


# The rehearsal --------------------------------------------------------------------------------


def make_people():
    """Two parents (one logs in with a password) with a child each, an admin, a 1-place course."""
    from django.utils import timezone

    from classes.models import Course, Term
    from portal import roles, services
    from portal.models import HouseholdMember, User

    tag = uuid.uuid4().hex[:6]

    def person(name, mobile, **extra):
        user = User.objects.create_user(
            username=f"so-{tag}-{mobile}", password=PASSWORD, mobile=mobile, **extra
        )
        services.register_resident(user, real_name=name, birth_date=date(1988, 1, 1))
        roles.grant_role(user, roles.RESIDENT)
        return user

    base = 17000000000 + int(tag, 16) % 900000 * 100
    parents = []
    for i in range(2):
        parent = person(f"分流家长{i}", str(base + i))
        kid = services.add_member(
            parent,
            name=f"分流孩子{i}",
            relation=HouseholdMember.Relation.CHILD,
            birth_date=date(timezone.localdate().year - 8, 3, 1),
        )
        parents.append((parent, kid))
    admin = person("分流管理员", str(base + 9), is_staff=True, is_superuser=True)
    today = timezone.localdate()
    term = Term.objects.create(
        name=f"分流学期{tag}", starts_on=today + timedelta(days=7), ends_on=today + timedelta(90)
    )
    course = Course.objects.create(
        term=term,
        title=f"分流课程{tag}",
        subject=Course._meta.get_field("subject").choices[0][0],
        age_min=5,
        age_max=12,
        capacity=1,
        place="活动室",
        mode=Course.Mode.FCFS,
        needs_photo_consent=False,
        is_published=True,
        enrol_opens_at=timezone.now() - timedelta(hours=1),
        enrol_closes_at=timezone.now() + timedelta(days=5),
    )
    return {"parents": parents, "admin": admin, "course": course, "tag": tag}


def session_browser(name, user) -> Browser:
    from bench.fixtures import session_cookie

    cookie = session_cookie(user)
    key, _, value = cookie.partition("=")
    return Browser(name, {key: value})


def _places_left(page: str) -> str:
    m = re.search(r'data-testid="places-left">([^<]*)<', page)
    return m.group(1).strip() if m else ""


def _wait(predicate, timeout=20.0, step=0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    return predicate()


def rehearse(cluster: Cluster, people: dict) -> list[tuple[str, bool, str]]:
    """The checks; returns (check, passed, detail) rows. A and B are the two servers' ports."""
    from django.urls import reverse

    from classes.models import Enrolment

    a, b = cluster.ports[0], cluster.ports[1]
    course = people["course"]
    (parent1, kid1), (parent2, kid2) = people["parents"]
    rows = []

    # 1. Log in through A, stay logged in through B.
    resident = Browser("parent1")
    resident.get(a, "/accounts/login/")
    status, location, _ = resident.post(
        a, "/accounts/login/", {"login": parent1.mobile, "password": PASSWORD}
    )
    _status, _loc, page = resident.get(b, reverse("household"))
    ok = status == 302 and "login" not in location and _status == 200 and kid1.full_name in page
    rows.append(
        (
            "log in through A, still logged in through B",
            ok,
            f"log-in on A: {status} → {location}; the household page on B: {_status}",
        )
    )

    # 2. An enrolment through A, decided by a task worker, seen at once through B.
    visitor = Browser("visitor")
    course_url = f"/classes/courses/{course.pk}/"
    before = _places_left(visitor.get(b, course_url)[2])  # now cached by B (and the cache)
    resident.get(a, f"/classes/courses/{course.pk}/enrol/")
    _s, request_url, _ = resident.post(
        a,
        f"/classes/courses/{course.pk}/enrol/",
        {"child": kid1.pk, "pickup_people": "家长"},
    )
    decided = _wait(lambda: "http-equiv" not in resident.get(b, request_url)[2], timeout=30)
    after = _places_left(visitor.get(b, course_url)[2])
    ok = bool(request_url) and bool(decided) and before != after and "0" in after
    rows.append(
        (
            "an enrolment through A (decided by a worker) is on B at once",
            ok,
            f"visitor on B: {before!r} → {after!r}; "
            f"the parent's page on B decided: {bool(decided)}",
        )
    )

    # the second parent, through B: the waiting list
    parent2_browser = session_browser("parent2", parent2)
    parent2_browser.get(b, f"/classes/courses/{course.pk}/enrol/")
    _s, request2_url, _ = parent2_browser.post(
        b, f"/classes/courses/{course.pk}/enrol/", {"child": kid2.pk, "pickup_people": "家长"}
    )
    _wait(lambda: "http-equiv" not in parent2_browser.get(a, request2_url)[2], timeout=30)

    # 3. An announcement with a photo, added in the admin through A, on B's home at once.
    admin = session_browser("admin", people["admin"])
    visitor.get(b, "/")
    parent2_browser.get(b, "/")  # both cached before the change
    _s, _l, form_page = admin.get(a, "/admin/portal/announcement/add/")
    fields = form_fields(form_page)
    title = f"分流公告{people['tag']}"
    fields.update(title=title, body="两台服务器，同一个数据库。", is_published="on")
    status, _l, _p = admin.post(
        a,
        "/admin/portal/announcement/add/",
        fields,
        files={"image": ("photo.png", _png(), "image/png")},
    )
    home_visitor = visitor.get(b, "/")[2]
    home_resident = parent2_browser.get(b, "/")[2]
    media = re.findall(r'src="(/media/[^"]+)"', home_visitor)
    media_status = visitor.get(cluster.port, media[0])[0] if media else None
    ok = status == 302 and title in home_visitor and title in home_resident and media_status == 200
    rows.append(
        (
            "an announcement with a photo added through A is on B's home at once",
            ok,
            f"admin POST {status}; visitor/resident on B see it: {title in home_visitor}/"
            f"{title in home_resident}; photo through nginx from the shared folder: {media_status}",
        )
    )

    # 4. An admin edit through A (the course's title) on B at once.
    change = f"/admin/classes/course/{course.pk}/change/"
    _s, _l, form_page = admin.get(a, change)
    fields = form_fields(form_page)
    new_title = f"分流课程改名{people['tag']}"
    fields["title"] = new_title
    fields["_save"] = "保存"
    status, _l, err = admin.post(a, change, fields)
    seen_visitor = new_title in visitor.get(b, course_url)[2]
    seen_parent = new_title in parent2_browser.get(b, "/classes/mine/")[2]
    rows.append(
        (
            "an admin edit through A (a course's title) is on B at once",
            status == 302 and seen_visitor and seen_parent,
            f"admin POST {status}; visitor/parent on B: {seen_visitor}/{seen_parent}"
            + ("" if status == 302 else f"; errors: {re.findall(r'errorlist[^>]*>(.*?)</', err)}"),
        )
    )

    # 5. A withdrawal through A promotes the child waiting; B shows it at once.
    e1 = Enrolment.objects.filter(course=course, child=kid1).first()
    if e1 is None:
        rows.append(("a withdrawal through A promotes the next child", False, "no enrolment"))
        rows.append(two_workers_run_each_task_once(people))
        return rows
    mine = parent2_browser.get(b, "/classes/mine/")[2]  # cached or not: B has served it
    resident.get(a, "/classes/mine/")
    status, _l, _p = resident.post(a, f"/classes/enrolments/{e1.pk}/withdraw/", {})
    e2 = Enrolment.objects.get(course=course, child=kid2)
    mine_after = parent2_browser.get(b, "/classes/mine/")[2]
    inbox = parent2_browser.get(b, "/inbox/")[2]
    ok = (
        status == 302
        and e2.status == Enrolment.Status.ENROLLED
        and mine_after != mine
        and new_title in inbox
    )
    rows.append(
        (
            "a withdrawal through A promotes the next child; B shows it to that parent at once",
            ok,
            f"withdraw {status}; promoted: {e2.status}; notice in the inbox on B: "
            f"{new_title in inbox}",
        )
    )

    rows.append(two_workers_run_each_task_once(people))
    return rows


def two_workers_run_each_task_once(people, n=40) -> tuple[str, bool, str]:
    """40 requests queued at once, 40 tasks; two db_workers: each task once, each request once."""
    from django_tasks_db.models import DBTaskResult

    from classes.models import Course, EnrolmentRequest
    from classes.tasks import decide_enrolments
    from portal import services
    from portal.models import HouseholdMember, Notice, User

    course = Course.objects.get(pk=people["course"].pk)
    course.pk = None
    course.title = f"分流抢报{people['tag']}"
    course.capacity = 10
    course.lottery_commitment = ""
    course.save()
    requests = []
    base = 16000000000 + int(people["tag"], 16) % 90000 * 1000
    for i in range(n):
        user = User.objects.create_user(username=f"so-{people['tag']}-r{i}", mobile=str(base + i))
        services.register_resident(user, real_name=f"抢报家长{i}", birth_date=date(1988, 1, 1))
        kid = services.add_member(
            user,
            name=f"抢报孩子{i}",
            relation=HouseholdMember.Relation.CHILD,
            birth_date=date(date.today().year - 8, 3, 1),
        )
        requests.append(
            EnrolmentRequest(course=course, child=kid, requested_by=user, pickup_people="家长")
        )
    EnrolmentRequest.objects.bulk_create(requests)
    results = [decide_enrolments.enqueue(course.pk) for _ in range(n)]
    ids = [r.id for r in results]

    def finished():
        rows = DBTaskResult.objects.filter(id__in=ids)
        return all(r.status in ("SUCCESSFUL", "FAILED") for r in rows) and rows

    _wait(finished, timeout=120, step=0.5)
    rows = list(DBTaskResult.objects.filter(id__in=ids))
    once = all(r.status == "SUCCESSFUL" and len(r.worker_ids) == 1 for r in rows)
    workers = sorted({w for r in rows for w in r.worker_ids})
    decided = sum(r.return_value or 0 for r in rows)
    told = Notice.objects.filter(recipient__username__startswith=f"so-{people['tag']}-r")
    per_parent = told.values("recipient").distinct().count()
    enrolled = course.enrolments.filter(status="enrolled").count()
    ok = (
        len(rows) == n
        and once
        and decided == n
        and told.count() == n
        and per_parent == n
        and enrolled == 10
        and not EnrolmentRequest.objects.filter(course=course, status="queued").exists()
    )
    return (
        "two task workers on one queue: each task runs once, each request decided once",
        ok,
        f"{len(rows)} tasks, all once: {once}, by {workers}; requests decided {decided}/{n}; "
        f"notices {told.count()} to {per_parent} parents; enrolled {enrolled}/10",
    )


def _png() -> bytes:
    from io import BytesIO

    from PIL import Image

    out = BytesIO()
    Image.new("RGB", (64, 48), (200, 60, 60)).save(out, "PNG")
    return out.getvalue()


# The timing table -----------------------------------------------------------------------------


def measure(db_url, tmp, *, duration=10, connections=16, reverse=False) -> list[str]:
    from bench import fixtures
    from bench.run import WRK_SCRIPT, run_wrk

    dataset = fixtures.load_dataset(db_url)
    pages = [
        p for p in fixtures.pages(dataset) if p.key in ("ceiling", "home", "schedule", "courses")
    ]
    fixtures.attach_cookies(pages, dataset)
    script = tmp / "wrk.lua"
    script.write_text(WRK_SCRIPT)
    from django.conf import settings

    env = cluster_env(db_url, tmp)
    env["SECRET_KEY"] = settings.SECRET_KEY  # the personas' sessions are signed with it
    table = {}
    layouts = [("one server × 2 workers", 1, 2), ("two servers × 1 worker", 2, 1)]
    if reverse:  # the box's load drifts: run the other way round too
        layouts.reverse()
    for label, servers, workers in layouts:
        flush_redis()
        cluster = Cluster(env, tmp, servers=servers, workers=workers, task_workers=0)
        try:
            for page in pages:
                run_wrk(cluster.port, page, 2, connections, script)  # warm-up
                table[(label, page.key)] = run_wrk(
                    cluster.port, page, duration, connections, script
                )
        finally:
            cluster.stop()
    lines = [
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {machine()}; nginx in front of "
        f"both; wrk -t2 -c{connections} -d{duration}s.",
        "",
        "| page | one server × 2 workers: req/s | p99 ms | two servers × 1 worker: req/s "
        "| p99 ms | ratio |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for page in pages:
        one = table[("one server × 2 workers", page.key)]
        two = table[("two servers × 1 worker", page.key)]
        lines.append(
            f"| {page.label} | {one['rps']:.0f} | {one['p99_us'] / 1000:.1f} | {two['rps']:.0f} "
            f"| {two['p99_us'] / 1000:.1f} | {two['rps'] / one['rps']:.2f} |"
        )
    return lines


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="PostgreSQL URL (migrated)")
    parser.add_argument("--measure", action="store_true", help="also the timing table")
    parser.add_argument("--no-rehearsal", action="store_true")
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--reverse", action="store_true", help="two servers first")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    tmp = Path(tempfile.mkdtemp(prefix="bench-scaleout-"))
    env = cluster_env(args.db, tmp)
    os.environ.update({k: env[k] for k in env if k != "PYTHONPATH"})
    sys.path.insert(0, str(ROOT))
    collectstatic(env)
    import django

    django.setup()
    failed = False
    try:
        if not args.no_rehearsal:
            flush_redis()
            people = make_people()
            cluster = Cluster(env, tmp)
            try:
                rows = rehearse(cluster, people)
            finally:
                cluster.stop()
            print("| check | result | detail |\n|---|---|---|")
            for check, ok, detail in rows:
                print(f"| {check} | {'PASS' if ok else 'FAIL'} | {detail} |")
                failed |= not ok
        if args.measure:
            print("\n".join(measure(args.db, tmp, duration=args.duration, reverse=args.reverse)))
    finally:
        from bench import fixtures

        fixtures.forget_sessions()
        shutil.rmtree(tmp, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
