"""A realistic mix: anonymous and logged-in reads while a steady stream of writes goes on.

    python -m bench.run --db postgres://…/portal_bench --no-pages --mix [--mix-duration 60]
    python -m bench.mix --db postgres://…/portal_bench            # the same

Readers: one wrk process per page, each with its own connections (`READS`), all at once. A
resident page rotates over many residents of its kind (each request picks one of their session
cookies at random), so no page is one person's page replayed. Each wrk's Lua script counts the
non-2xx answers and the page cache's `X-Portal-Cache: hit|miss` header, and wrk gives the page's
own latency distribution (p50/p99).

Writer: a separate process (`python -m bench.mix --writer PLAN`) that does real POSTs through
gunicorn with a session cookie and a CSRF cookie + field, at a fixed rate, in turn: book a meal,
cancel it, sign up for a post, cancel it, enrol a child, withdraw, record a meal at the counter
(canteen staff). Each answer's destination is checked (a refusal redirects elsewhere), and the
cancellations and withdrawals are checked in the database. Every write changes its module's cache
namespace (a new version), so the public pages are measured with misses, as in real use.

Also reported: Redis's keyspace hits and misses over the run (every cache read: sessions, users,
versions, pages, fragments).
"""

import http.client
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

HOST = "127.0.0.1"
RESULTS = Path(__file__).resolve().parent / "results"

# (page key, wrk connections, who): who is None (anonymous) or the persona kind to rotate over.
READS = [
    ("home_anon", 2, None),
    ("programme", 1, None),
    ("day_posts_anon", 1, None),
    ("menu", 1, None),
    ("courses", 1, None),
    ("fund", 1, None),
    ("home", 2, "volunteer"),
    ("day_posts", 1, "volunteer"),
    ("schedule", 1, "volunteer"),
    ("hours", 1, "volunteer"),
    ("my_classes", 1, "parent"),
    ("elder_home", 1, "elder"),
    ("elder_menu", 1, "elder"),
    ("elder_meals", 1, "elder"),
]
PUBLIC_P99_MS = 50.0
RESIDENT_P99_MS = 100.0
WARMUP_SECONDS = 5
QUEUED = re.compile(r"/classes/requests/\d+/$")
WRITES = ("book", "cancel_booking", "signup", "cancel_signup", "enrol", "withdraw", "counter")
MIX_POST_TITLE = "混合负载岗位"
MIX_COURSE_TITLE = "混合负载课程"

LUA = """
local targets = %(targets)s
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args)
  bad = 0; hit = 0; miss = 0; rhit = 0; rmiss = 0
  math.randomseed(os.time() + %(seed)d)
end
function request()
  local t = targets[math.random(#targets)]
  local headers = {["Accept-Encoding"] = "gzip", ["Host"] = "%(host)s"}
  if t[2] ~= "" then headers["Cookie"] = t[2] end
  return wrk.format("GET", t[1], headers)
end
function delay()
  -- each connection is a person reading: a think time between pages (exponential, mean
  -- %(think_ms)d ms), so the readers arrive at about the mix's rate instead of saturating the
  -- server (wrk does not time the think time)
  if %(think_ms)d <= 0 then return 0 end
  return math.floor(-math.log(1 - math.random()) * %(think_ms)d)
end
function response(status, headers, body)
  if status < 200 or status > 299 then bad = bad + 1 end
  local c = headers["X-Portal-Cache"] or headers["x-portal-cache"]
  if c == "hit" then hit = hit + 1 elseif c == "miss" then miss = miss + 1
  elseif c == "resident-hit" then rhit = rhit + 1 elseif c == "resident-miss" then rmiss = rmiss + 1
  end
end
function done(summary, latency, requests)
  local b, h, m = 0, 0, 0
  for _, t in ipairs(threads) do
    b = b + t:get("bad")
    h = h + t:get("hit") + t:get("rhit"); m = m + t:get("miss") + t:get("rmiss")
  end
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests": %%d, "duration_us": %%d, "p50_us": %%d, "p99_us": %%d, "non2xx": %%d,'
    .. ' "socket_errors": %%d, "hits": %%d, "misses": %%d}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), b,
    e.connect + e.read + e.write + e.timeout, h, m))
end
"""


def _lua_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def lua_script(targets: list[tuple[str, str]], seed: int = 0, think_ms: int = 0) -> str:
    """wrk's script for one page: each request picks one (path, cookie) of `targets`, after a
    think time of `think_ms` on average (0: none, the connection reads as fast as it can)."""
    if not targets:
        raise ValueError("a page needs at least one target")
    rows = ",\n  ".join(f"{{{_lua_string(p)}, {_lua_string(c)}}}" for p, c in targets)
    return LUA % {
        "targets": "{\n  " + rows + "\n}",
        "seed": seed,
        "host": HOST,
        "think_ms": think_ms,
    }


def read_plan(page_list, cookies_by_kind: dict[str, list[str]]) -> list[dict]:
    """For each page of READS: its url, connections and targets (one per resident of its kind,
    or one anonymous). `page_list`: fixtures.pages(); `cookies_by_kind`: {kind: [cookie, …]}."""
    by_key = {p.key: p for p in page_list}
    plan = []
    for key, connections, who in READS:
        source = by_key.get(key.removesuffix("_anon")) if key.endswith("_anon") else by_key[key]
        if source is None and key == "home_anon":
            source = by_key["home"]
        if who is None:
            targets = [(source.url, "")]
        else:
            targets = [(source.url, cookie) for cookie in cookies_by_kind.get(who, [])]
        label = source.label if who else f"{source.label.split(' (')[0]} (anonymous)"
        if key in ("home_anon",):
            label = "home (anonymous)"
        plan.append(
            {
                "key": key,
                "label": label,
                "url": source.url,
                "connections": connections,
                "public": who is None,
                "targets": targets,
            }
        )
    return plan


# --------------------------------------------------------------------------------- the writer


def _post(port, path, session_key, fields):
    from django.conf import settings
    from django.utils.crypto import get_random_string

    csrf = get_random_string(32)
    body = urlencode({**fields, "csrfmiddlewaretoken": csrf})
    headers = {
        "Host": HOST,
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": f"{settings.SESSION_COOKIE_NAME}={session_key}; "
        f"{settings.CSRF_COOKIE_NAME}={csrf}",
    }
    conn = http.client.HTTPConnection(HOST, port, timeout=60)
    start = time.perf_counter()
    try:
        conn.request("POST", path, body=body, headers=headers)
        resp = conn.getresponse()
        resp.read()
        status, location = resp.status, resp.getheader("Location") or ""
    except OSError as e:
        status, location = f"error: {e.__class__.__name__}", ""
    finally:
        conn.close()
    return status, location, (time.perf_counter() - start) * 1000


def _writer(plan_file: str) -> int:
    """The writer process: the plan's POSTs at its rate until its deadline; results to a file."""
    import django

    django.setup()
    from canteen.models import Booking
    from classes.models import Enrolment
    from volunteers.models import Signup

    plan = json.loads(Path(plan_file).read_text(encoding="utf-8"))
    port, rate, actors = plan["port"], plan["rate"], plan["actors"]
    deadline = time.monotonic() + plan["duration"]
    records = []
    menus, today_menus = plan["menus"], plan["today_menus"]
    children = {a["child"]: a for a in actors}
    tick = 0
    state = {}
    next_at = time.monotonic()
    while time.monotonic() < deadline:
        kind = WRITES[tick % len(WRITES)]
        actor = actors[(tick // len(WRITES)) % len(actors)]
        cycle = tick // (len(WRITES) * len(actors))
        ok, status, ms = False, None, 0.0
        if kind == "book":
            menu = menus[(tick // len(WRITES) + cycle) % len(menus)]
            status, loc, ms = _post(
                port, "/canteen/book/", actor["session"], {"menu": menu, "member": actor["member"]}
            )
            m = re.search(r"/canteen/bookings/(\d+)/$", loc)
            ok = status == 302 and m is not None
            state["booking"] = int(m.group(1)) if m else None
        elif kind == "cancel_booking":
            pk = state.pop("booking", None)
            if pk is None:
                tick += 1
                continue
            status, loc, ms = _post(port, f"/canteen/bookings/{pk}/cancel/", actor["session"], {})
            ok = (
                status == 302
                and Booking.objects.filter(pk=pk, status=Booking.Status.CANCELLED).exists()
            )
        elif kind == "signup":
            status, loc, ms = _post(
                port, f"/volunteers/posts/{plan['post']}/sign-up/", actor["session"], {}
            )
            ok = status == 302 and loc.endswith("/volunteers/me/schedule/")
        elif kind == "cancel_signup":
            signup = (
                Signup.objects.active()
                .filter(post_id=plan["post"], volunteer_id=actor["user"])
                .values_list("pk", flat=True)
                .first()
            )
            if signup is None:
                tick += 1
                continue
            status, loc, ms = _post(
                port, f"/volunteers/signups/{signup}/cancel/", actor["session"], {}
            )
            ok = status == 302 and loc.endswith("/volunteers/me/schedule/")
        elif kind == "enrol":
            status, loc, ms = _post(
                port,
                f"/classes/courses/{plan['course']}/enrol/",
                actor["session"],
                {"child": actor["child"], "pickup_people": "张妈妈（母亲）"},
            )
            # Decided in the request (no queue), or accepted into the queue: the request's page,
            # which the task worker running beside the mix resolves in arrival order.
            ok = status == 302 and (
                loc.endswith("/classes/mine/") or QUEUED.search(loc) is not None
            )
        elif kind == "withdraw":
            # The oldest enrolment the writer's enrolments made and the task worker decided (the
            # one just asked for is decided SETTLE_SECONDS later), withdrawn by its parent.
            found = (
                Enrolment.objects.filter(course_id=plan["course"], child_id__in=children)
                .exclude(status=Enrolment.Status.WITHDRAWN)
                .order_by("pk")
                .values_list("pk", "child_id")
                .first()
            )
            if found is None:
                tick += 1
                continue
            enrolment, child = found
            status, loc, ms = _post(
                port, f"/classes/enrolments/{enrolment}/withdraw/", children[child]["session"], {}
            )
            ok = (
                status == 302
                and Enrolment.objects.filter(
                    pk=enrolment, status=Enrolment.Status.WITHDRAWN
                ).exists()
            )
        elif kind == "counter":
            if not today_menus:
                tick += 1
                continue
            menu = today_menus[cycle % len(today_menus)]
            status, loc, ms = _post(
                port,
                f"/canteen/counter/{actor['member']}/",
                plan["staff_session"],
                {"action": "record", "menu": menu, "collector": ""},
            )
            ok = status == 302 and re.search(r"/canteen/meals/\d+/$", loc) is not None
        records.append({"kind": kind, "status": status, "ok": ok, "ms": ms})
        tick += 1
        next_at += 1 / rate
        time.sleep(max(0.0, next_at - time.monotonic()))
    Path(plan["out"]).write_text(json.dumps(records), encoding="utf-8")
    return 0


# ------------------------------------------------------------------------- set-up and report


def _mix_targets():
    """A fresh open post (no team, 03:00 at night, 1,000 places) and a fresh open first-come
    course (10,000 places, ages 0–18): the writer's sign-ups and enrolments go there, and are
    undone by its cancellations and withdrawals. Earlier runs' ones are removed."""
    from datetime import timedelta

    from django.db import transaction
    from django.utils import timezone

    from classes.models import Course, Enrolment, EnrolmentRequest, Term
    from volunteers.models import Post, Signup, VolunteerSettings

    now = timezone.now()
    with transaction.atomic():
        old = Course.objects.filter(title__startswith=MIX_COURSE_TITLE)
        EnrolmentRequest.objects.filter(course__in=old).delete()
        Enrolment.objects.filter(course__in=old).delete()
        old.delete()
        Signup.objects.filter(post__title__startswith=MIX_POST_TITLE).delete()
        Post.objects.filter(title__startswith=MIX_POST_TITLE).delete()
        term = Term.objects.filter(ends_on__gte=timezone.localdate()).order_by("starts_on").first()
        term = term or Term.objects.order_by("-starts_on").first()
        course = Course.objects.create(
            term=term,
            title=MIX_COURSE_TITLE,
            subject=Course._meta.get_field("subject").choices[0][0],
            age_min=0,
            age_max=18,
            place="混合负载教室",
            capacity=10000,
            enrol_opens_at=now - timedelta(hours=1),
            enrol_closes_at=now + timedelta(days=7),
            mode=Course.Mode.FCFS,
            needs_photo_consent=False,
            is_published=True,
        )
        rules = VolunteerSettings.current()
        # After both the sign-up and the cancellation cut-offs: each sign-up can be undone.
        hours = max(rules.signup_closes_hours, rules.cancel_cutoff_hours) + 1
        earliest = timezone.localtime(now + timedelta(hours=hours))
        start = earliest.replace(hour=3, minute=0, second=0, microsecond=0)
        if start < earliest:
            start += timedelta(days=1)
        post = Post.objects.create(
            title=MIX_POST_TITLE,
            place="混合负载地点",
            start=start,
            end=start + timedelta(hours=1),
            capacity=1000,
        )
    return course, post


def _write_actors(n: int, dataset: dict, fixtures) -> list[dict]:
    """n residents with a child and a household member of their own, each with a session."""
    from portal.models import HouseholdMember

    pairs = [(u, c) for u, c in fixtures.burst_users(n, dataset) if c is not None]
    selves = dict(
        HouseholdMember.objects.filter(
            user_id__in=[u.pk for u, _c in pairs], relation=HouseholdMember.Relation.SELF
        ).values_list("user_id", "pk")
    )
    keys = fixtures.burst_sessions([u for u, _c in pairs])
    return [
        {"user": u.pk, "session": keys[u.pk], "child": c.pk, "member": selves[u.pk]}
        for u, c in pairs
        if u.pk in selves
    ]


def _redis_stats() -> dict:
    from django_redis import get_redis_connection

    info = get_redis_connection("default").info("stats")
    return {k: info.get(k, 0) for k in ("keyspace_hits", "keyspace_misses")}


def _percentile(values, q):
    if not values:
        return 0.0
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * q))]


def run(
    port: int,
    dataset: dict,
    fixtures,
    duration: int = 60,
    rate: float = 4.0,
    master_pid=None,
    read_rate: float = 60.0,
) -> list[str]:
    """The mix against gunicorn on `port`, through nginx as in production; returns the report's
    lines.

    nginx matters here: a reader with a think time opens its next connection at once but sends
    its request only after thinking, and a sync gunicorn worker that accepted that connection
    would wait for it, idle, while the others queue (the first runs measured exactly that: the
    bare view took 1.3–1.9 s with the CPU 79 % idle). nginx buffers whole requests and hands
    gunicorn only complete ones, which is why production runs sync workers behind it.
    """

    from bench.run import free_port
    from bench.rush_proxy import Nginx

    RESULTS.mkdir(parents=True, exist_ok=True)
    access = RESULTS / f"mix-{time.strftime('%Y%m%d-%H%M%S')}-access.log"
    proxy = Nginx(free_port(), [port], access_log=access)
    try:
        proxy.wait_ready()
        lines = _run(proxy.port, dataset, fixtures, duration, rate, master_pid, read_rate, access)
    finally:
        proxy.stop()
    return lines + slowest_requests(access)


def slowest_requests(access_log: Path, count: int = 12) -> list[str]:
    """The mix's slowest requests by their time in gunicorn, from nginx's access log: where a
    p99 comes from (a page rebuilt after a write, or a request waiting behind one)."""
    rows = []
    for line in access_log.read_text(errors="replace").splitlines():
        upstream, total, status, request = line.split(" ", 3)
        try:
            rows.append((float(total), float(upstream.split(",")[-1]), status, request.strip('"')))
        except ValueError:
            continue
    rows.sort(reverse=True)
    out = [
        "",
        f"Slowest of the {len(rows):,} requests nginx passed on in the measured run (its access"
        f" log, `{access_log.name}`): in all, and of that in gunicorn (its listen queue"
        " included).",
        "",
        "| in all ms | in gunicorn ms | status | request |",
        "|---:|---:|---:|---|",
    ]
    for total, upstream, status, request in rows[:count]:
        out.append(f"| {total * 1000:.0f} | {upstream * 1000:.0f} | {status} | `{request[:90]}` |")
    return out


def _run(
    port, dataset, fixtures, duration, rate, master_pid, read_rate, access_log=None
) -> list[str]:
    from django.utils import timezone

    from bench.run import CpuMeter
    from canteen.models import Menu

    page_list = fixtures.pages(dataset)
    cookies = {}
    for kind in ("volunteer", "parent", "elder"):
        users = fixtures.coming_users(kind, 30)
        cookies[kind] = [fixtures.session_cookie(u) for u in users]
    reads = read_plan(page_list, cookies)

    course, post = _mix_targets()
    actors = _write_actors(300, dataset, fixtures)
    moment = timezone.now()
    today = timezone.localdate()
    menus = [
        m.pk
        for m in Menu.objects.published().filter(day__gt=today).order_by("day", "slot__order")[:40]
        if m.is_bookable(moment)
    ]
    today_menus = list(Menu.objects.published().filter(day=today).values_list("pk", flat=True))
    staff = fixtures.persona("canteen_staff", dataset)
    staff_cookie = fixtures.session_cookie(staff)
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    plan_file = RESULTS / f"mix-{stamp}-plan.json"
    out_file = RESULTS / f"mix-{stamp}-writes.json"
    plan_file.write_text(
        json.dumps(
            {
                "port": port,
                "rate": rate,
                "duration": duration,
                "actors": actors,
                "menus": menus,
                "today_menus": today_menus,
                "post": post.pk,
                "course": course.pk,
                "staff_session": staff_cookie.partition("=")[2],
                "out": str(out_file),
            }
        ),
        encoding="utf-8",
    )
    scripts = []
    connections = sum(p["connections"] for p in reads)
    for i, page in enumerate(reads):
        path = RESULTS / f"mix-{stamp}-{page['key']}.lua"
        think_ms = int(connections * 1000 / read_rate) if read_rate > 0 else 0
        path.write_text(
            lua_script(page["targets"], seed=i * 7919, think_ms=think_ms), encoding="utf-8"
        )
        scripts.append(path)

    meter = CpuMeter(master_pid) if master_pid else None
    env = dict(os.environ)
    # As in production, a task worker runs beside the servers: it decides the queued enrolments
    # (so the writer's withdrawals find them) and sends the notices' texts.
    from bench.rush_proxy import TaskWorker

    worker = TaskWorker(env, RESULTS / f"mix-{stamp}-worker.log")

    def readers(seconds: int) -> list:
        procs = []
        for page, script in zip(reads, scripts, strict=True):
            cmd = [
                "wrk",
                "-t1",
                f"-c{page['connections']}",
                f"-d{seconds}s",
                "--timeout",
                "10s",
                "-s",
                str(script),
                f"http://{HOST}:{port}{page['url']}",
            ]
            procs.append(subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True))
        return procs

    # A warm-up, as for the pages one at a time: the readers alone for a few seconds, so the
    # workers have imported and connected and the pages are cached once. Without it the run's
    # first 16 requests, all at once on empty caches, waited 1–1.8 s and were the whole p99.
    for proc in readers(WARMUP_SECONDS):
        proc.communicate()
    if access_log is not None:
        access_log.write_text("")  # nginx appends: what follows is the measured run only
    before = _redis_stats()
    cpu_before = meter.snapshot() if meter else {}
    writer = subprocess.Popen(
        [sys.executable, "-m", "bench.mix", "--writer", str(plan_file)],
        cwd=Path(__file__).resolve().parent.parent,
        env=env,
    )
    outs = [p.communicate()[0] for p in readers(duration)]
    writer.wait(timeout=duration + 120)
    worker.stop()
    after = _redis_stats()
    cpu = CpuMeter.used(cpu_before, meter.snapshot()) if meter else 0.0
    for script in scripts:
        script.unlink(missing_ok=True)
    plan_file.unlink(missing_ok=True)

    lines = [
        "## Mix: reads and writes at once",
        "",
        f"{duration} s; {connections} reading connections over {len(reads)} pages (one wrk "
        "each; resident pages rotate over up to 30 residents of their kind), "
        + (
            f"each reading with a think time between pages (exponential, mean "
            f"{connections * 1000 / read_rate:.0f} ms: about {read_rate:g} reads a second in all)"
            if read_rate > 0
            else "each reading as fast as the server answers (closed loop, saturated)"
        )
        + f", and one writer process posting {rate:g} writes a second.",
        "",
        "| page | who | conns | req/s | p50 ms | p99 ms | non-2xx | page cache hits | target |",
        "|---|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    served = 0
    for page, out in zip(reads, outs, strict=True):
        match = re.search(r"WRKJSON (\{.*\})", out or "")
        if not match:
            lines.append(f"| {page['label']} | — | — | — | — | — | — | — | no result |")
            continue
        r = json.loads(match.group(1))
        served += r["requests"]
        rps = r["requests"] / (r["duration_us"] / 1e6)
        seen = r["hits"] + r["misses"]
        hits = f"{r['hits'] / seen:.0%} of {seen:,}" if seen else "—"
        limit = PUBLIC_P99_MS if page["public"] else RESIDENT_P99_MS
        p99 = r["p99_us"] / 1000
        who = "anonymous" if page["public"] else f"{len(page['targets'])} residents"
        verdict = "PASS" if p99 < limit and r["non2xx"] + r["socket_errors"] == 0 else "FAIL"
        lines.append(
            f"| {page['label']} `{page['url']}` | {who} | {page['connections']} | {rps:.0f} "
            f"| {r['p50_us'] / 1000:.1f} | {p99:.1f} | {r['non2xx'] + r['socket_errors']} "
            f"| {hits} | {verdict} (p99 < {limit:.0f} ms) |"
        )
    records = json.loads(out_file.read_text(encoding="utf-8")) if out_file.exists() else []
    out_file.unlink(missing_ok=True)
    lines += [
        "",
        "| write | done | succeeded | p50 ms | p99 ms | statuses |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for kind in WRITES:
        mine = [r for r in records if r["kind"] == kind]
        statuses = {}
        for r in mine:
            statuses[str(r["status"])] = statuses.get(str(r["status"]), 0) + 1
        times = [r["ms"] for r in mine]
        lines.append(
            f"| {kind} | {len(mine)} | {sum(r['ok'] for r in mine)} "
            f"| {_percentile(times, 0.5):.0f} | {_percentile(times, 0.99):.0f} | {statuses} |"
        )
    hits = after["keyspace_hits"] - before["keyspace_hits"]
    misses = after["keyspace_misses"] - before["keyspace_misses"]
    lines += [
        "",
        f"Writes: {len(records)} in {duration} s ({len(records) / duration:.1f}/s); a write "
        "succeeded when its answer led where a success leads (a booking's page, my schedule, "
        "my children's classes, the meal's receipt) and, for cancellations and withdrawals, "
        "the row changed in the database.",
        f"Reads served: {served:,} ({served / duration:.0f}/s). Server CPU (gunicorn workers and "
        f"their PostgreSQL backends) per request, reads and writes together: "
        f"{cpu * 1000 / max(1, served + len(records)):.2f} ms.",
        f"Redis over the run: {hits:,} hits, {misses:,} misses "
        f"({hits / max(1, hits + misses):.1%} hits; every cache read: sessions, users, "
        "versions, pages, shared parts).",
        "",
    ]
    return lines


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--writer"]:
        return _writer(argv[1])
    from bench import run as bench_run

    return bench_run.main([*argv, "--no-pages", "--mix"])


if __name__ == "__main__":
    sys.exit(main())
