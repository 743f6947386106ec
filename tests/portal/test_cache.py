"""The cache of public pages and shared figures (portal/cache.py): served while right, never
after the data changed, never to the wrong person.

These tests commit their data (transaction=True): inside a test's open transaction with
uncommitted writes the cache is bypassed on purpose, which is itself tested at the end.
"""

from datetime import date

import pytest
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse

from events.models import Event
from portal import cache as portal_cache
from portal.models import Announcement, Community, Notice
from tests.factories import make_user

pytestmark = pytest.mark.django_db(transaction=True)


def _get(client, url="/", **extra):
    response = client.get(url, **extra)
    assert response.status_code == 200
    return response


def test_an_anonymous_page_is_served_from_the_cache_the_second_time(client):
    Community.current()
    assert _get(client)["X-Portal-Cache"] == "miss"
    assert _get(client)["X-Portal-Cache"] == "hit"
    # The stored page is the page: same body.
    assert _get(client).content == _get(Client()).content


def test_a_change_shows_at_once(client):
    Community.current()
    _get(client)
    assert _get(client)["X-Portal-Cache"] == "hit"
    Announcement.objects.create(title="停水通知", body="周三停水")
    response = _get(client)
    assert response["X-Portal-Cache"] == "miss"
    assert "停水通知" in response.content.decode()

    community = Community.current()
    community.name = "公园路社区（新）"
    community.save()
    assert "公园路社区（新）" in _get(client).content.decode()


def test_a_bulk_action_in_the_admin_shows_at_once(client):
    """QuerySet.update() sends no signals: the admin's publish action says what it changed."""
    from portal.models import User

    Community.current()
    day = date(2099, 12, 1)
    event = Event.objects.create(
        title="百家宴二〇九九", starts_on=day, ends_on=day, is_published=False
    )
    url = reverse("events:index")
    assert "百家宴二〇九九" not in _get(Client(), url).content.decode()
    assert _get(Client(), url)["X-Portal-Cache"] == "hit"
    client.force_login(User.objects.create_superuser("root", password="x", mobile="13600000009"))
    changelist = reverse("admin:events_event_changelist")
    response = client.post(
        changelist, {"action": "publish", "_selected_action": [event.pk], "index": 0}
    )
    assert response.status_code == 302
    assert "百家宴二〇九九" in _get(Client(), url).content.decode()


def test_a_logged_in_resident_never_gets_the_visitors_page(client):
    Community.current()
    resident = make_user("王居民")
    _get(Client())
    assert _get(Client())["X-Portal-Cache"] == "hit"
    client.force_login(resident)
    response = _get(client)
    assert "X-Portal-Cache" not in response
    html = response.content.decode()
    assert reverse("profile") in html and "csrfmiddlewaretoken" in html
    # And the resident's page was not stored for visitors.
    assert reverse("profile") not in _get(Client()).content.decode()


def test_language_and_text_size_are_cached_apart(client):
    Community.current()
    chinese = _get(client).content.decode()
    client.cookies["portal_language"] = "en"
    english = _get(client).content.decode()
    assert 'lang="en"' in english and 'lang="zh-hans"' in chinese
    client.cookies["portal_large_text"] = "1"
    assert 'class="large-text"' in _get(client).content.decode()
    del client.cookies["portal_large_text"]
    assert 'class="large-text"' not in _get(client).content.decode()


def test_a_visitor_with_a_message_waiting_gets_a_fresh_page(client):
    Community.current()
    _get(client)
    client.cookies["messages"] = "anything"
    assert "X-Portal-Cache" not in _get(client)


def test_cached_public_pages_carry_no_csrf_token_and_are_not_kept_by_browsers(client):
    Community.current()
    response = _get(client)
    assert "csrfmiddlewaretoken" not in response.content.decode()
    assert "csrftoken" not in response.cookies
    assert "private" in response["Cache-Control"]
    hit = _get(client)
    assert hit["X-Portal-Cache"] == "hit" and "private" in hit["Cache-Control"]


def test_visitors_switch_language_and_text_size_without_a_token():
    visitor = Client(enforce_csrf_checks=True)
    response = visitor.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert visitor.cookies["portal_language"].value == "en"
    response = visitor.post(reverse("text-size"), {"large": "1"})
    assert response.status_code == 302
    assert visitor.cookies["portal_large_text"].value == "1"


def test_a_residents_switches_still_need_the_token():
    resident = make_user("王居民")
    client = Client(enforce_csrf_checks=True)
    client.force_login(resident)
    assert client.post(reverse("text-size"), {"large": "1"}).status_code == 403
    assert client.post(reverse("set_language"), {"language": "en"}).status_code == 403
    resident.refresh_from_db()
    assert not resident.large_text and resident.language != "en"


def test_the_resident_home_page_runs_at_most_twelve_queries(client, django_assert_max_num_queries):
    """Fixed and ≤ 12 with every section showing something, as the data grows."""
    from tests.factories import make_child

    resident = make_user("王居民", birth_date=date(1950, 1, 1))
    make_child(resident, name="王小明", birth_date=date(2018, 9, 1))
    for i in range(30):
        Announcement.objects.create(title=f"公告{i}", body="…")
    client.force_login(resident)
    _get(client)  # the session and the shared figures are cached after the first view
    with django_assert_max_num_queries(12):
        _get(client)
    for i in range(30, 60):
        Announcement.objects.create(title=f"公告{i}", body="…")
        make_user(f"邻居{i}")
    _get(client)
    with django_assert_max_num_queries(12):
        _get(client)


def test_inside_a_transaction_its_own_writes_are_seen_and_never_cached():
    community = Community.current()
    original = community.name
    with pytest.raises(RuntimeError), transaction.atomic():
        community.name = "未提交的名字"
        community.save()
        assert Community.current().name == "未提交的名字"  # its own write, not the cached copy
        assert not portal_cache.usable()
        raise RuntimeError("roll back")
    # Rolled back: nobody is ever served the uncommitted name.
    assert Community.current().name == original
    assert original in _get(Client()).content.decode()


def test_a_value_is_cached_until_its_app_changes():
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    assert portal_cache.cached("t", ("classes",), compute) == 1
    assert portal_cache.cached("t", ("classes",), compute) == 1
    portal_cache.changed("canteen")
    assert portal_cache.cached("t", ("classes",), compute) == 1
    portal_cache.changed("classes")
    assert portal_cache.cached("t", ("classes",), compute) == 2


def test_deploying_with_a_per_process_cache_is_flagged(settings):
    from portal.checks import shared_cache

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert [w.id for w in shared_cache(None)] == ["portal.W001"]
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/1",
        }
    }
    assert shared_cache(None) == []


def test_the_navigation_is_kept_per_page_kind_and_still_marks_where_we_are(client):
    """The nav is rendered once per process for each page kind; it must still be the right one."""
    Community.current()
    for _ in range(2):
        canteen = _get(client, reverse("canteen:index")).content.decode()
        classes = _get(client, reverse("classes:index")).content.decode()
        assert 'href="/canteen/" aria-current="page"' in canteen
        assert 'href="/classes/" aria-current="page"' in classes
        assert 'href="/canteen/" aria-current="page"' not in classes
        # A visitor's log-in link brings them back to the page they were on.
        assert "?next=/canteen/" in canteen and "?next=/classes/" in classes
    client.cookies["portal_language"] = "en"
    assert ">Canteen<" in _get(client, reverse("canteen:index")).content.decode()
    client.force_login(make_user("王居民"))
    html = _get(client, reverse("canteen:index")).content.decode()
    assert reverse("profile") in html and "?next=" not in html


def test_a_transaction_makes_entries_stale_at_once_and_again_when_it_commits():
    before = portal_cache.versions(["portal"])
    with transaction.atomic():
        Announcement.objects.create(title="甲", body="…")
        during = portal_cache.versions(["portal"])
        assert during != before  # at once
        Announcement.objects.create(title="乙", body="…")
        again = portal_cache.versions(["portal"])
        assert again != during  # each change at once
        assert not portal_cache.usable()
    committed = portal_cache.versions(["portal"])
    assert committed != again  # and once more when it commits
    assert portal_cache.usable()
    with pytest.raises(RuntimeError), transaction.atomic():
        Announcement.objects.create(title="丙", body="…")
        raise RuntimeError("roll back")
    assert portal_cache.usable()  # nothing of the rolled-back transaction is pending


def test_what_another_request_stored_before_the_commit_is_not_served_after_it():
    """Between the first increment and the commit, another request reads the committed rows and
    may store them under the new version: the increment at commit makes that entry stale."""
    import threading

    def elsewhere():  # another request: its own thread, nothing uncommitted
        portal_cache.cached("t", ("portal",), lambda: "before the commit")
        connection.close()

    with transaction.atomic():
        Announcement.objects.create(title="甲", body="…")
        thread = threading.Thread(target=elsewhere)
        thread.start()
        thread.join()
    assert portal_cache.cached("t", ("portal",), lambda: "after the commit") == "after the commit"


def test_the_logged_in_users_row_is_kept_but_never_outlives_a_change(client):
    Community.current()
    resident = make_user("王居民")
    client.force_login(resident)
    _get(client, reverse("profile"))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        _get(client, reverse("profile"))
    assert not any('FROM "portal_user"' in q["sql"] for q in ctx.captured_queries)
    # Deactivated (or a new password): the next request is logged out, not served the old row.
    resident.is_active = False
    resident.save()
    response = client.get(reverse("profile"))
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_a_deploy_makes_everything_cached_stale():
    """`migrate` runs on every deploy: pages rendered by the old templates are not served after."""
    from django.apps import apps
    from django.db.models.signals import post_migrate

    before = portal_cache.versions(portal_cache.NAMESPACES)
    post_migrate.send(
        sender=apps.get_app_config("portal"), app_config=apps.get_app_config("portal")
    )
    after = portal_cache.versions(portal_cache.NAMESPACES)
    assert all(b != a for b, a in zip(before, after, strict=True))


def test_a_role_given_or_taken_counts_from_the_next_request(client):
    from portal import roles

    resident = make_user("王居民")
    client.force_login(resident)
    counter = reverse("canteen:counter")
    assert client.get(counter).status_code == 403
    assert client.get(counter).status_code == 403  # now kept in the cache, roles included
    roles.grant_role(resident, roles.CANTEEN_STAFF)
    assert client.get(counter).status_code == 200
    roles.revoke_role(resident, roles.CANTEEN_STAFF)
    assert client.get(counter).status_code == 403


def test_the_kept_user_row_follows_roles_that_change_nothing_else():
    """A volunteer role changes only the groups (no save of the user): still seen at once."""
    from portal import roles
    from portal.backends import CachedModelBackend

    resident = make_user("王居民")
    backend = CachedModelBackend()
    assert not backend.get_user(resident.pk).has_role(roles.VOLUNTEER)
    assert not backend.get_user(resident.pk).has_role(roles.VOLUNTEER)  # from the cache
    roles.grant_role(resident, roles.VOLUNTEER)
    assert backend.get_user(resident.pk).has_role(roles.VOLUNTEER)
    roles.revoke_role(resident, roles.VOLUNTEER)
    assert not backend.get_user(resident.pk).has_role(roles.VOLUNTEER)


def test_the_home_page_shows_the_teaching_link_to_teachers_only_and_at_once(client):
    from classes.models import Teacher

    Community.current()
    teach = reverse("classes:teach")
    resident = make_user("李老师")
    client.force_login(resident)
    assert f'href="{teach}"' not in _get(client).content.decode()
    assert f'href="{teach}"' not in _get(client).content.decode()  # the teachers' set is cached
    teacher = Teacher.objects.create(name="李老师", user=resident)
    assert f'href="{teach}"' in _get(client).content.decode()
    teacher.user = None
    teacher.save()
    assert f'href="{teach}"' not in _get(client).content.decode()


def test_each_site_name_has_its_own_cached_pages(client, settings):
    """Pages may carry absolute links: one host's page is never served for another."""
    settings.ALLOWED_HOSTS = ["a.example.org", "b.example.org"]
    Community.current()
    assert _get(client, HTTP_HOST="a.example.org")["X-Portal-Cache"] == "miss"
    assert _get(client, HTTP_HOST="b.example.org")["X-Portal-Cache"] == "miss"
    assert _get(client, HTTP_HOST="b.example.org")["X-Portal-Cache"] == "hit"


def test_a_stored_page_is_not_served_past_its_time_limit(client, settings, time_machine):
    """Clock-driven changes (a window opening) show within PUBLIC_PAGE_CACHE_SECONDS, also from
    the copy a worker keeps in its own memory."""
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    start = datetime(2026, 11, 29, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    time_machine.move_to(start, tick=False)
    Community.current()
    assert _get(client)["X-Portal-Cache"] == "miss"
    time_machine.move_to(start + timedelta(seconds=settings.PUBLIC_PAGE_CACHE_SECONDS - 1))
    assert _get(client)["X-Portal-Cache"] == "hit"
    time_machine.move_to(start + timedelta(seconds=settings.PUBLIC_PAGE_CACHE_SECONDS + 1))
    assert _get(client)["X-Portal-Cache"] == "miss"


def test_a_resident_logged_in_through_the_form_gets_the_kept_row(client):
    """The log-in form goes through allauth's backend: its sessions read the row via the cache."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import PASSWORD

    resident = make_user("王居民", mobile="13900009999")
    response = client.post("/accounts/login/", {"login": "13900009999", "password": PASSWORD})
    assert response.status_code == 302
    _get(client, reverse("profile"))
    with CaptureQueriesContext(connection) as ctx:
        assert _get(client, reverse("profile")).context["user"] == resident
    assert not any('FROM "portal_user"' in q["sql"] for q in ctx.captured_queries)


def test_the_community_kept_in_process_follows_a_change_made_outside_within_the_limit(
    settings, time_machine
):
    """An UPDATE that sends no signal (SQL, a shell) shows within CONTENT_CACHE_SECONDS, also
    in a worker that keeps the settings in its own memory."""
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    start = datetime(2026, 11, 29, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    time_machine.move_to(start, tick=False)
    Community.current()  # creates the row (a change): the next read is the one kept
    original = Community.current().name
    Community.objects.filter(pk=1).update(name="外部改名")
    assert Community.current().name == original  # kept: nothing said it changed
    time_machine.move_to(start + timedelta(seconds=settings.CONTENT_CACHE_SECONDS + 1))
    assert Community.current().name == "外部改名"


def test_a_notice_updates_the_badge_and_leaves_the_kept_user_alone(client):
    """Every notice (a booking confirmed, a place given) would otherwise reload the person's row
    and roles on their next page."""
    from django.test.utils import CaptureQueriesContext

    from portal.notices import notify

    Community.current()
    resident = make_user("王居民")
    client.force_login(resident)
    assert 'data-testid="unread-count"' not in _get(client, reverse("profile")).content.decode()
    notify(resident, Notice.Kind.OTHER, "您的预订已确认。", "/")
    with CaptureQueriesContext(connection) as ctx:
        page = _get(client, reverse("profile"))
    assert not any('FROM "portal_user"' in q["sql"] for q in ctx.captured_queries)
    assert any('FROM "portal_notice"' in q["sql"] for q in ctx.captured_queries)  # the badge
    assert 'data-testid="unread-count">1</span>' in page.content.decode()
