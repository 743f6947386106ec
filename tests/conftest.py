"""Personas every module's tests share: a few named people, made once per test."""

from datetime import date

import pytest
from django.utils import translation

from portal import roles
from portal.models import Community
from tests.factories import make_child, make_user


def pytest_configure(config):
    """Connections close at the end of each request in tests (production keeps them a minute).

    The live server's threads serve the browser tests over kept-alive sockets and outlive the
    test database (session fixtures end in reverse order and the browser tests come first): a
    connection kept after a request stopped pytest from dropping the database at the end of a
    PostgreSQL run.
    """
    from django.conf import settings

    for database in settings.DATABASES.values():
        database["CONN_MAX_AGE"] = 0


def pytest_collection_modifyitems(config, items):
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"]
    if "postgresql" in engine:
        return
    skip = pytest.mark.skip(
        reason="needs PostgreSQL (row locks, real concurrency): set DATABASE_URL=postgres://…"
    )
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session", autouse=True)
def _no_connection_outlives_the_run(django_db_setup, django_db_blocker):
    """Before pytest drops the PostgreSQL test database, no other session may hold it.

    Threads that ended (the live server's request threads, the concurrency tests' workers, the
    task runs inside them) can leave their connection object to Python's cyclic garbage
    collector (a connection and its helpers refer to each other), so its socket stays open until
    a collection runs; dropping the database then warned that it was "being accessed by other
    users". At the end of the run: collect, then wait for those sessions to end. Whatever still
    holds the database after five seconds is named in a warning, never silently ended.
    """
    yield
    import gc
    import time

    from django.db import connection

    if connection.vendor != "postgresql":
        return
    gc.collect()
    query = (
        "SELECT pid, state, backend_start, left(query, 80) FROM pg_stat_activity "
        "WHERE datname = current_database() AND pid <> pg_backend_pid()"
    )
    with django_db_blocker.unblock():
        others = []
        for _ in range(50):
            with connection.cursor() as cursor:
                cursor.execute(query)
                others = cursor.fetchall()
            if not others:
                break
            gc.collect()
            time.sleep(0.1)
        if others:  # named, then ended, so the database can still be dropped
            import threading
            import warnings

            threads = sorted(t.name for t in threading.enumerate())
            warnings.warn(
                f"sessions still on the test database at the end: {others}; threads: {threads}",
                stacklevel=1,
            )
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
        connection.close()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Real hashing is slow on purpose; tests make many accounts and need no brute-force cost."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def english():
    """Assertions read the English source strings (the portal's default is 简体中文).

    A test package whose tests all read English makes it autouse in its conftest by overriding
    it: `@pytest.fixture(autouse=True)` on `def english(english): return english`.
    """
    with translation.override("en"):
        yield


@pytest.fixture
def english_client():
    """A test client that asks for the pages in English (the cookie the language switcher sets).

    A package reading English pages overrides `client` with it.
    """
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def clock_start():
    """The moment `frozen_clock` stops the clock at: each package that freezes it sets its own."""
    pytest.fail("frozen_clock needs a moment: define a `clock_start` fixture in the conftest")


@pytest.fixture
def frozen_clock(time_machine, clock_start):
    """The clock stands still at `clock_start` (a test may still travel elsewhere); returns it.

    A package whose tests all run at one moment makes it autouse by overriding it; a module that
    needs the real clock (threads) overrides it again with a fixture that does nothing.
    """
    time_machine.move_to(clock_start, tick=False)
    return clock_start


@pytest.fixture(autouse=True)
def _empty_cache():
    """Every test runs the real cache path (portal.cache) on a shared local-memory cache, which
    outlives each test's rolled-back transaction: start every test without it."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _settings_rows(request, _empty_cache):
    """The community's and each module's settings row exist, as they do in real use. (They are
    made on first use: a test's first request would otherwise write them, which makes stale
    everything that request cached.)"""
    marker = request.node.get_closest_marker("django_db")
    names = request.fixturenames
    if (
        "transactional_db" in names
        or "live_server" in names
        or (marker is not None and marker.kwargs.get("transaction"))
    ):
        request.getfixturevalue("transactional_db")
    elif marker is not None or "db" in names:
        request.getfixturevalue("db")
    else:
        return
    from django.apps import apps as django_apps

    from portal.singleton import SingletonSettings

    for model in django_apps.get_models():
        if issubclass(model, SingletonSettings):
            model.current()


@pytest.fixture
def community(db):
    return Community.current()


@pytest.fixture
def resident(db):
    return make_user("王居民", birth_date=date(1985, 5, 5), building="3", unit="1", room="302")


@pytest.fixture
def elder(db):
    """A resident aged 60+ (born 1950)."""
    return make_user("刘奶奶", birth_date=date(1950, 2, 14), building="6", unit="1", room="101")


@pytest.fixture
def parent(db):
    return make_user("张妈妈", birth_date=date(1988, 5, 21), building="5", unit="1", room="301")


@pytest.fixture
def child(parent):
    """The parent's child, aged 8 in 2026."""
    return make_child(parent, name="张小明", birth_date=date(2018, 9, 1))


@pytest.fixture
def volunteer(db):
    return make_user("李志愿", role_list=[roles.RESIDENT, roles.VOLUNTEER], building="4")


@pytest.fixture
def team_leader(db):
    return make_user(
        "陈队长", role_list=[roles.RESIDENT, roles.VOLUNTEER, roles.TEAM_LEADER], building="3"
    )


@pytest.fixture
def coordinator(db):
    return make_user("周协调", role_list=[roles.VOLUNTEER_COORDINATOR])


@pytest.fixture
def events_staff(db):
    return make_user("吴活动", role_list=[roles.EVENTS_STAFF])


@pytest.fixture
def canteen_staff(db):
    return make_user("郑食堂", role_list=[roles.CANTEEN_STAFF])


@pytest.fixture
def alliance_staff(db):
    return make_user("赵联盟", role_list=[roles.ALLIANCE_STAFF])


@pytest.fixture
def classes_staff(db):
    return make_user("王课堂", role_list=[roles.CLASSES_STAFF])


@pytest.fixture
def community_admin(db):
    return make_user("管理员", role_list=[roles.COMMUNITY_ADMIN])


@pytest.fixture
def outsider(db):
    """Someone with an account and no role at all."""
    return make_user("路人", role_list=[])


@pytest.fixture(autouse=True)
def _sms_outbox(settings):
    """Texts go to `portal.sms.outbox` (like mail.outbox) and tasks run at once, in every test."""
    from portal import sms

    settings.SMS_BACKEND = "locmem"
    settings.NOTICES_STRICT_PARAMS = True  # a notice lacking its kind's SMS_PARAMS is an error
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    sms.outbox.clear()
    yield sms.outbox
    sms.outbox.clear()
