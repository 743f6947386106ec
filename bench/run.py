"""The benchmark: the portal under gunicorn, driven by wrk, with a Markdown report.

    python -m bench.run --db postgres://postgres@127.0.0.1:5432/portal_bench \
        --duration 20 --connections 16 [--burst] [--exports] [--only home,menu]

See bench/README.md ("Running"). Writes bench/results/<timestamp>.md and prints it.
"""

import argparse
import gzip
import http.client
import json
import os
import re
import resource
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
VENV_BIN = Path(sys.executable).parent
HOST = "127.0.0.1"

# Targets from issue 7, the resident pages' from issue 16.
MAX_QUERIES = 12
RATIO_RESIDENT = 0.10
RATIO_PUBLIC = 0.60
MAX_P99_MS = 100.0
MAX_BURST_P99_MS = 1000.0
MAX_EXPORT_S = 1.0  # issue 17: the 10,000-meal month "well under a second"
MAX_FIRST_VIEW_KB = 60.0

WRK_SCRIPT = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) bad = 0 end
function response(status, headers, body)
  if status < 200 or status > 299 then bad = bad + 1 end
end
function done(summary, latency, requests)
  local n = 0
  for _, t in ipairs(threads) do n = n + t:get("bad") end
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests": %d, "duration_us": %d, "bytes": %d, "p50_us": %d, "p99_us": %d,'
    .. ' "non2xx": %d, "socket_errors": %d}\\n',
    summary.requests, summary.duration, summary.bytes, latency:percentile(50),
    latency:percentile(99), n, e.connect + e.read + e.write + e.timeout))
end
"""


def bench_env(db_url: str, static_root: str) -> dict:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=db_url,
        DJANGO_SETTINGS_MODULE="bench.settings",
        DEBUG="0",
        SECRET_KEY=env.get("BENCH_SECRET_KEY") or secrets.token_urlsafe(64),
        ALLOWED_HOSTS=HOST,
        SECURE_SSL_REDIRECT="0",
        STATIC_ROOT=static_root,
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT),
        # Several workers need one shared cache (sessions, page cache, versions), as in
        # production. A database of Redis of its own, emptied at the start of each run.
        REDIS_URL=env.get("BENCH_REDIS_URL") or "redis://127.0.0.1:6379/15",
        CACHE_KEY_PREFIX="bench",
    )
    return env


def collectstatic(env: dict) -> None:
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


class Gunicorn:
    """gunicorn with 2 sync workers in its own process group; killed on exit."""

    def __init__(self, env: dict, port: int, workers: int, log: Path):
        self.port = port
        self.log = log.open("w")
        self.proc = subprocess.Popen(
            [
                str(VENV_BIN / "gunicorn"),
                "portal.wsgi:application",
                "--workers",
                str(workers),
                "--worker-class",
                "sync",
                "--bind",
                f"{HOST}:{port}",
                "--backlog",
                "2048",
                "--timeout",
                "120",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self, path: str = "/bench/ceiling/", timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"gunicorn exited ({self.proc.returncode}); see {self.log.name}")
            try:
                status, _headers, _body = fetch(self.port, path)
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise SystemExit(f"gunicorn did not answer in {timeout}s; see {self.log.name}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()


def fetch(port: int, path: str, cookie: str = "", gzip_ok: bool = True):
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    headers = {"Host": HOST}
    if gzip_ok:
        headers["Accept-Encoding"] = "gzip"
    if cookie:
        headers["Cookie"] = cookie
    conn.request("GET", path, headers=headers)
    resp = conn.getresponse()
    body = resp.read()
    conn.close()
    return resp.status, {k.lower(): v for k, v in resp.getheaders()}, body


def run_wrk(port: int, page, duration: int, connections: int, script: Path) -> dict:
    cmd = [
        "wrk",
        "-t",
        "2",
        "-c",
        str(connections),
        "-d",
        f"{duration}s",
        "--timeout",
        "10s",
        "-s",
        str(script),
        "-H",
        "Accept-Encoding: gzip",
    ]
    if page.cookie:
        cmd += ["-H", f"Cookie: {page.cookie}"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run(
        [*cmd, f"http://{HOST}:{port}{page.url}"], capture_output=True, text=True, check=True
    ).stdout
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    wrk_cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    match = re.search(r"WRKJSON (\{.*\})", out)
    if not match:
        raise SystemExit(f"wrk gave no result for {page.url}:\n{out}")
    data = json.loads(match.group(1))
    data["rps"] = data["requests"] / (data["duration_us"] / 1e6)
    data["wrk_cpu"] = wrk_cpu / (data["duration_us"] / 1e6)  # cores used by the load generator
    return data


def _proc_stat(pid: int) -> list[str]:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return []


def _cpu_seconds(pid: int) -> float:
    fields = _proc_stat(pid)
    if len(fields) < 13:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


class CpuMeter:
    """CPU seconds used by gunicorn's workers and their PostgreSQL backends (from /proc).

    On a machine shared with other work, requests/s and latency depend on what else runs; the
    CPU a request costs the server and its database does much less. The ceiling's CPU per
    request over a page's gives a ratio that other load barely moves."""

    def __init__(self, master_pid: int):
        self.master = master_pid

    def pids(self) -> list[int]:
        from django.db import connection

        workers = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            fields = _proc_stat(int(stat.parent.name))
            if len(fields) > 1 and fields[1] == str(self.master):  # ppid
                workers.append(int(stat.parent.name))
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
                " AND pid <> pg_backend_pid()"
            )
            backends = [row[0] for row in cursor.fetchall()]
        return workers + backends

    def snapshot(self) -> dict[int, float]:
        return {pid: _cpu_seconds(pid) for pid in self.pids()}

    @staticmethod
    def used(before: dict, after: dict) -> float:
        return sum(cpu - before.get(pid, 0.0) for pid, cpu in after.items())


def count_queries(page_list) -> dict:
    """SQL queries per page, in-process with the test client against the same database: of a
    request with the cache emptied first (cold) and of the next one (warm)."""
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    from bench import fixtures

    counts = {}
    for page in page_list:
        client = Client(HTTP_HOST=HOST)
        if page.cookie:
            fixtures.set_cookies(client, page.cookie)
        cache.clear()
        with CaptureQueriesContext(connection) as cold:
            client.get(page.url)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(page.url)
        counts[page.key] = (len(ctx.captured_queries), response.status_code)
        counts[page.key + ":cold"] = len(cold.captured_queries)
        # Without the resident's page kept (what every request after a write costs).
        with override_settings(RESIDENT_PAGE_CACHE_SECONDS=0):
            with CaptureQueriesContext(connection) as uncached:
                client.get(page.url)
        counts[page.key + ":miss"] = len(uncached.captured_queries)
    return counts


def first_view(port: int) -> dict:
    """The home page's first view for an anonymous visitor: HTML + CSS + JS, gzip where served."""
    status, headers, body = fetch(port, "/")
    html = gzip.decompress(body) if headers.get("content-encoding") == "gzip" else body
    parts = [("/", len(body), headers.get("content-encoding", "identity"))]
    text = html.decode("utf-8", "replace")
    assets = re.findall(r'<link[^>]+rel="stylesheet"[^>]*href="([^"]+)"', text)
    assets += re.findall(r'<link[^>]+href="([^"]+)"[^>]*rel="stylesheet"', text)
    assets += re.findall(r'<script[^>]+src="([^"]+)"', text)
    for url in dict.fromkeys(assets):
        if url.startswith("http"):
            parts.append((url, 0, "external (not counted)"))
            continue
        _status, asset_headers, asset_body = fetch(port, url)
        parts.append(
            (
                url,
                len(asset_body),
                asset_headers.get("content-encoding", "identity")
                + f", cache {asset_headers.get('cache-control', 'none')}",
            )
        )
    return {"status": status, "parts": parts, "total": sum(p[1] for p in parts)}


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def pages_table(page_list, results, queries, ceiling_rps) -> list[str]:
    lines = [
        "| page | kind | rows | req/s | × ceiling | p50 ms | p99 ms | bytes | enc | if gzipped "
        "| SQL | SQL miss | SQL cold | non-2xx | wrk CPU | SQL ≤12 | ratio target | p99 < 100 ms |",
        "|---|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---|---|---|",
    ]
    for page in page_list:
        r = results[page.key]
        q, q_status = queries.get(page.key, (None, None))
        ratio = r["rps"] / ceiling_rps if ceiling_rps else 0
        if page.kind == "ceiling":
            q_v, ratio_v = "—", "—"
        else:
            q_v = verdict(q is not None and q <= MAX_QUERIES)
            if page.kind == "staff":
                q_v += " (staff)"
            target = RATIO_PUBLIC if page.kind == "public" else RATIO_RESIDENT
            ratio_v = f"{verdict(ratio >= target)} (≥{target:.0%})"
        p99_v = verdict(r["p99_us"] / 1000 < MAX_P99_MS and r["non2xx"] == 0)
        q_text = f"{q}" if q_status in (200, None) else f"{q} (HTTP {q_status})"
        lines.append(
            f"| {page.label} `{page.url}` | {page.kind} | {r['rows']} | {r['rps']:.0f} "
            f"| {ratio:.2f} "
            f"| {r['p50_us'] / 1000:.1f} | {r['p99_us'] / 1000:.1f} | {r['page_bytes']:,} "
            f"| {r['encoding']} | {r['gzip_bytes']:,} | {q_text} "
            f"| {queries.get(page.key + ':miss', '?')} | {queries.get(page.key + ':cold', '?')} "
            f"| {r['non2xx'] + r['socket_errors']} | {r['wrk_cpu']:.0%} "
            f"| {q_v} | {ratio_v} | {p99_v} |"
        )
    return lines


def machine() -> str:
    mem = subprocess.run(["free", "-h"], capture_output=True, text=True).stdout.splitlines()
    load = Path("/proc/loadavg").read_text().split()[:3]
    cpu = "?"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    total = mem[1].split()[1] if len(mem) > 1 else "?"
    return (
        f"{os.cpu_count()} cores (nproc), {cpu}; memory: {total}"
        f" total; load average before the run {' '.join(load)}"
    )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True, help="PostgreSQL URL of the data set to measure")
    parser.add_argument("--duration", type=int, default=20, help="seconds of load per page")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of load before measuring")
    parser.add_argument("--only", default="", help="comma-separated page keys (default: all)")
    parser.add_argument("--no-pages", action="store_true", help="skip the page timings")
    parser.add_argument("--burst", action="store_true", help="also run the 1,000-request burst")
    parser.add_argument("--burst-size", type=int, default=1000)
    parser.add_argument("--exports", action="store_true", help="also time the exports")
    parser.add_argument(
        "--no-resident-cache",
        action="store_true",
        help="serve residents' pages without keeping them (RESIDENT_PAGE_CACHE_SECONDS=0)",
    )
    parser.add_argument(
        "--mix", action="store_true", help="also run the mix of reads and writes (bench/mix.py)"
    )
    parser.add_argument("--mix-duration", type=int, default=60, help="seconds of the mix")
    parser.add_argument("--mix-rate", type=float, default=4.0, help="writes a second in the mix")
    parser.add_argument(
        "--mix-read-rate",
        type=float,
        default=60.0,
        help="reads a second in the mix, from think times (0: every connection reads flat out)",
    )
    args = parser.parse_args(argv)

    # A plain `kill` must still stop gunicorn and remove the temporary STATIC_ROOT.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install -y wrk")
    RESULTS.mkdir(parents=True, exist_ok=True)
    static_root = tempfile.mkdtemp(prefix="bench-static-")
    env = bench_env(args.db, static_root)
    if args.no_resident_cache:
        env["RESIDENT_PAGE_CACHE_SECONDS"] = "0"
    os.environ.update({k: env[k] for k in env if k not in ("PYTHONPATH",)})
    sys.path.insert(0, str(ROOT))
    print("collectstatic into", static_root, flush=True)
    collectstatic(env)

    import django

    django.setup()
    from django.core.cache import cache

    from bench import fixtures

    cache.clear()  # nothing cached by an earlier run (of other data or code) is served
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    dataset = fixtures.load_dataset(args.db)
    report = [
        f"# Benchmark {stamp} UTC",
        "",
        f"- Database: `{args.db.rsplit('@', 1)[-1]}`; data set: "
        + ("bench/results/dataset.json" if dataset else "demo personas (manage.py seed_demo)"),
        f"- Machine: {machine()}",
        f"- gunicorn {args.workers} sync workers, DEBUG=0; wrk -t2 -c{args.connections} "
        f"-d{args.duration}s (shares the 2 cores with gunicorn and PostgreSQL)",
        "- Residents' page cache: "
        + ("off (RESIDENT_PAGE_CACHE_SECONDS=0)" if args.no_resident_cache else "as configured"),
        "",
    ]
    port = free_port()
    server = Gunicorn(env, port, args.workers, RESULTS / f"{stamp}-gunicorn.log")
    out = RESULTS / f"{stamp}.md"
    try:
        server.wait_ready()
        if not args.no_pages:
            report += measure_pages(args, port, dataset, fixtures, server.proc.pid)
            out.write_text("\n".join(report) + "\n", encoding="utf-8")  # kept if a later part fails
        if args.mix:
            from bench import mix

            report += mix.run(
                port,
                dataset,
                fixtures,
                args.mix_duration,
                args.mix_rate,
                server.proc.pid,
                args.mix_read_rate,
            )
        if args.burst:
            from bench import burst

            report += burst.run(port, args.burst_size, dataset)
        if args.exports:
            from bench import exports

            report += exports.run(dataset)
    finally:
        server.stop()
        shutil.rmtree(static_root, ignore_errors=True)
        fixtures.forget_sessions()
    text = "\n".join(report) + "\n"
    out.write_text(text, encoding="utf-8")
    print(text)
    print(f"written to {out.relative_to(ROOT)}")
    return 0


def measure_pages(args, port, dataset, fixtures, master_pid) -> list[str]:
    meter = CpuMeter(master_pid)
    page_list = fixtures.pages(dataset)
    if args.only:
        wanted = {"ceiling", *args.only.split(",")}
        page_list = [p for p in page_list if p.key in wanted]
    users = fixtures.attach_cookies(page_list, dataset)
    print("counting queries in-process", flush=True)
    queries = count_queries(page_list)
    script = RESULTS / "wrk-count-status.lua"
    script.write_text(WRK_SCRIPT, encoding="utf-8")
    results = {}
    for page in page_list:
        status, headers, body = fetch(port, page.url, page.cookie)
        if status != 200:
            print(f"  warning: {page.url} answered HTTP {status}", flush=True)
        if args.warmup:
            run_wrk(port, page, args.warmup, args.connections, script)
        print(f"  {page.key}: {args.duration}s at {args.connections} connections", flush=True)
        cpu_before = meter.snapshot()
        r = run_wrk(port, page, args.duration, args.connections, script)
        r["cpu_ms"] = CpuMeter.used(cpu_before, meter.snapshot()) * 1000 / max(1, r["requests"])
        r["page_bytes"] = len(body)
        r["encoding"] = headers.get("content-encoding", "identity")
        r["gzip_bytes"] = len(body if r["encoding"] == "gzip" else gzip.compress(body, 6))
        r["status"] = status
        html = gzip.decompress(body) if r["encoding"] == "gzip" else body
        r["rows"] = fixtures.rows_in_html(html.decode("utf-8", "replace"))
        results[page.key] = r
    # The ceiling again at the end: other load on the box drifts during a long run, so the
    # ratios use the mean of the two ceiling measurements.
    ceiling = page_list[0]
    print(f"  {ceiling.key} (again): {args.duration}s", flush=True)
    cpu_before = meter.snapshot()
    again = run_wrk(port, ceiling, args.duration, args.connections, script)
    again["cpu_ms"] = CpuMeter.used(cpu_before, meter.snapshot()) * 1000 / max(1, again["requests"])
    ceiling_rps = (results["ceiling"]["rps"] + again["rps"]) / 2
    ceiling_cpu = (results["ceiling"]["cpu_ms"] + again["cpu_ms"]) / 2
    lines = ["## Personas", "", "| persona | user id | age | what their pages show (now) |"]
    lines += ["|---|---:|---:|---|"]
    today = datetime.now(UTC).date()
    for name, user in users.items():
        age = user.age_on(today) if user.birth_date else "?"
        lines.append(f"| {name} | {user.pk} | {age} | {fixtures.persona_facts(name, user)} |")
    lines += [
        "",
        "The volunteer, parent and elder are picked in the database when the run starts: the "
        "volunteer with the most coming posts (and hours credited), the parent whose children "
        "have the most coming sessions, the elder with the most meals booked this week.",
        "",
        "## Pages",
        "",
    ]
    lines += pages_table(page_list, results, queries, ceiling_rps)
    lines += [
        "",
        "### CPU per request (gunicorn workers + their PostgreSQL backends)",
        "",
        "| page | kind | CPU ms/request | × ceiling (CPU) | ≥ 0.10 |",
        "|---|---|---:|---:|---|",
    ]
    for page in page_list:
        cpu = results[page.key]["cpu_ms"]
        ratio = ceiling_cpu / cpu if cpu else 0
        ok = "—" if page.kind == "ceiling" else verdict(ratio >= RATIO_RESIDENT)
        lines.append(f"| {page.label} | {page.kind} | {cpu:.2f} | {ratio:.2f} | {ok} |")
    lines += [
        "",
        f"Ceiling: {results['ceiling']['cpu_ms']:.2f} ms of CPU a request at the start, "
        f"{again['cpu_ms']:.2f} at the end; ratios use the mean, {ceiling_cpu:.2f}. "
        "Read from /proc before and after each wrk run: the workers' and their database "
        "backends' user + system time over the requests served (wrk's own CPU is not in it). "
        "Other work on the machine barely moves it, unlike requests/s.",
    ]
    lines += [
        "",
        f"Ceiling: {results['ceiling']['rps']:.0f} req/s at the start, {again['rps']:.0f} at the "
        f"end (p99 {again['p99_us'] / 1000:.1f} ms); ratios use the mean, {ceiling_rps:.0f}.",
    ]
    lines += [
        "",
        "rows = `<li>` and `<tr>` elements inside `<main>` of the page measured (what the "
        "page lists; the navigation is outside `<main>`); "
        "SQL miss = of a warm request with the resident's page cache off "
        "(RESIDENT_PAGE_CACHE_SECONDS=0: what a view after a write costs); "
        "SQL = queries of one warm request (the second one) through django.test.Client; "
        "SQL cold = of the first one, with the cache (sessions, pages, figures) emptied; "
        "bytes = one response body as sent with `Accept-Encoding: gzip`; enc = its "
        "Content-Encoding (HTML is not compressed: no GZipMiddleware); if gzipped = its size "
        "after gzip -6; non-2xx includes socket errors; wrk CPU = the load generator's share "
        "of one core (taken from the 2 the server has).",
        "",
    ]
    fv = first_view(port)
    lines += ["## Home page first view (anonymous)", "", "| resource | bytes | served as |"]
    lines += ["|---|---:|---|"]
    lines += [f"| `{url}` | {size:,} | {how} |" for url, size, how in fv["parts"]]
    kb = fv["total"] / 1024
    lines += [
        f"| **total** | **{fv['total']:,}** ({kb:.1f} KB) | "
        f"{verdict(kb <= MAX_FIRST_VIEW_KB)} (≤ {MAX_FIRST_VIEW_KB:.0f} KB) |",
        "",
    ]
    return lines


if __name__ == "__main__":
    sys.exit(main())
