"""Where a page's time goes, in-process: total, in the database driver, and the hottest code.

    python -m bench.profile --db postgres://postgres@127.0.0.1:5432/portal_bench [--only home]

Same settings, personas and pages as `bench.run` but no server: each page is requested through
django.test.Client (warm), timed over --repeat requests, with the time spent waiting for
PostgreSQL measured by a connection execute wrapper, then profiled with cProfile. Prints a
Markdown table; with --top N also the N hottest portal functions per page (cumulative).
"""

import argparse
import cProfile
import os
import pstats
import sys
import tempfile
import time

from bench.run import HOST, ROOT, bench_env, collectstatic

APPS = ("/portal/", "/volunteers/", "/events/", "/canteen/", "/classes/")


def _cumulative(stats, path_end, name, first=False) -> float:
    """Cumulative seconds of a function (the outermost `Template.render` when `first`)."""
    found = sorted(
        (line, cum)
        for (fn, line, fname), (_cc, _nc, _tt, cum, _callers) in stats.items()
        if fn.endswith(path_end) and fname == name
    )
    if not found:
        return 0.0
    return found[0][1] if first else sum(cum for _line, cum in found)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--only", default="")
    parser.add_argument("--top", type=int, default=3)
    parser.add_argument(
        "--stats", type=int, default=0, help="also print the N functions with most own time"
    )
    args = parser.parse_args(argv)

    static_root = tempfile.mkdtemp(prefix="bench-static-")
    env = bench_env(args.db, static_root)
    os.environ.update({k: v for k, v in env.items() if k != "PYTHONPATH"})
    sys.path.insert(0, str(ROOT))
    collectstatic(env)

    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    from bench import fixtures

    dataset = fixtures.load_dataset(args.db)
    page_list = fixtures.pages(dataset)
    if args.only:
        page_list = [p for p in page_list if p.key in args.only.split(",")]
    fixtures.attach_cookies(page_list, dataset)

    db_time = [0.0, 0]

    def timer(execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            db_time[0] += time.perf_counter() - start
            db_time[1] += 1

    lines = [
        "| page | ms/request | of which DB ms | queries | Python ms | in templates | hottest "
        "portal code (cumulative ms/request under cProfile) |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for page in page_list:
        client = Client(HTTP_HOST=HOST)
        if page.cookie:
            fixtures.set_cookies(client, page.cookie)
        for _ in range(3):
            client.get(page.url)
        db_time[:] = [0.0, 0]
        with connection.execute_wrapper(timer):
            start = time.perf_counter()
            for _ in range(args.repeat):
                client.get(page.url)
            total = (time.perf_counter() - start) / args.repeat * 1000
        db = db_time[0] / args.repeat * 1000
        queries = db_time[1] / args.repeat
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(args.repeat):
            client.get(page.url)
        profiler.disable()
        if args.stats:
            pstats.Stats(profiler).sort_stats("tottime").print_stats(args.stats)
        stats = pstats.Stats(profiler).stats
        own = sorted(
            (
                (cum / args.repeat * 1000, f"{fn.split('/work/main/')[-1]}:{line} {name}")
                for (fn, line, name), (_cc, _nc, _tt, cum, _callers) in stats.items()
                if any(app in fn for app in APPS)
                and "/.venv/" not in fn
                and name not in ("__call__",)
            ),
            reverse=True,
        )[: args.top]
        whole = _cumulative(stats, "django/core/handlers/base.py", "get_response")
        templates = _cumulative(stats, "django/template/base.py", "render", first=True)
        share = f"{templates / whole:.0%}" if whole else "?"
        hot = "; ".join(f"`{where}` {ms:.1f}" for ms, where in own)
        lines.append(
            f"| {page.label} | {total:.1f} | {db:.1f} | {queries:.0f} | {total - db:.1f} "
            f"| {share} | {hot} |"
        )
        print(lines[-1], flush=True)
    fixtures.forget_sessions()
    print()
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
