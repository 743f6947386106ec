"""Scale-out rehearsal (issue 16): two gunicorn instances behind nginx, one PostgreSQL, one Redis,
one media folder and two task workers; every change made through one is served by the other at
once. Runs `bench.scaleout.rehearse` against the test database (about a minute)."""

import shutil
import tempfile
from pathlib import Path

import pytest
from django.db import connection

pytestmark = [pytest.mark.postgres, pytest.mark.scaleout, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def cluster_db_url():
    s = connection.settings_dict
    return f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def test_two_servers_serve_each_others_changes_at_once(settings, cluster_db_url):
    if shutil.which("nginx") is None:
        pytest.skip("needs nginx")
    from bench import scaleout
    from bench.run import collectstatic

    # this process enqueues the last check's tasks for the two db_workers
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    tmp = Path(tempfile.mkdtemp(prefix="test-scaleout-"))
    try:
        env = scaleout.cluster_env(cluster_db_url, tmp)
        # sessions made here (bench.fixtures.session_cookie) are signed with the servers' key
        settings.SECRET_KEY = env["SECRET_KEY"]
        # and passwords hashed as the servers check them (the tests' MD5 is not in production)
        from django.conf import global_settings

        settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS
        collectstatic(env)
        scaleout.flush_redis()
        people = scaleout.make_people()
        cluster = scaleout.Cluster(env, tmp)
        try:
            rows = scaleout.rehearse(cluster, people)
        finally:
            cluster.stop()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    failed = [f"{check}: {detail}" for check, ok, detail in rows if not ok]
    assert len(rows) == 6 and failed == []
