"""My messages (/inbox/): the person's own notices, newest first; marking read only by POST."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.timezone import now

from portal.models import Notice
from portal.notices import Kind, notify

URL = reverse("inbox")
BADGE = (
    '<span class="badge text-bg-light text-danger inbox-count" data-testid="unread-count">%s</span>'
)


@pytest.fixture(autouse=True)
def _nothing_sent(monkeypatch):
    monkeypatch.setattr("portal.delivery.queue_message", lambda **kwargs: None)


def make_notices(user, n, *, read=0, url="/events/my/"):
    """n notices a minute apart (the last one newest); the `read` oldest are read."""
    start = now() - timedelta(hours=1)
    made = []
    for k in range(n):
        notice = notify(user, Kind.OTHER, f"消息{k}", url)
        Notice.objects.filter(pk=notice.pk).update(
            created_at=start + timedelta(minutes=k), read_at=start if k < read else None
        )
        made.append(notice)
    return made


def test_it_lists_the_persons_own_notices_newest_first_with_the_unread_marked(
    client, resident, elder
):
    make_notices(resident, 3, read=1)
    make_notices(elder, 1, url="/canteen/my/")
    client.force_login(resident)

    response = client.get(URL)

    assert response.status_code == 200
    shown = [n.text for n in response.context["page"].object_list]
    assert shown == ["消息2", "消息1", "消息0"]
    assert response.text.count('data-testid="notice-new"') == 2
    assert 'href="/events/my/"' in response.text
    assert "/canteen/my/" not in response.text


def test_opening_the_inbox_marks_nothing_read(client, resident):
    make_notices(resident, 2)
    client.force_login(resident)

    client.get(URL)
    client.get(URL + "?page=1")

    assert Notice.objects.filter(recipient=resident, read_at__isnull=True).count() == 2


@pytest.mark.parametrize(
    ("query", "first_shown"),
    [("", "消息24"), ("?page=2", "消息4"), ("?page=abc", "消息24"), ("?page=999", "消息4")],
    ids=["first", "second", "not-a-number", "past-the-end"],
)
def test_it_is_paged_twenty_at_a_time_and_any_page_value_is_safe(
    client, resident, query, first_shown
):
    make_notices(resident, 25)
    client.force_login(resident)

    response = client.get(URL + query)

    assert response.status_code == 200
    assert response.context["page"].object_list[0].text == first_shown


@pytest.mark.parametrize("count", [3, 45], ids=["few", "many"])
def test_it_runs_a_fixed_number_of_queries(client, resident, count, django_assert_max_num_queries):
    make_notices(resident, count, read=1)
    client.force_login(resident)
    client.get(URL)  # the session and the user are read once and kept

    # the user and their roles, the community (the test's open transaction bypasses the cache
    # for these), the page's count and rows; the unread count comes from the cache
    with django_assert_max_num_queries(5):
        response = client.get(URL)

    assert response.status_code == 200


def test_it_is_for_logged_in_people_only(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


@pytest.mark.parametrize(
    ("language", "title", "mark"),
    [("zh-hans", "我的消息", "标为已读"), ("en", "My messages", "Mark as read")],
    ids=["chinese", "english"],
)
def test_it_speaks_the_persons_language(client, resident, language, title, mark):
    make_notices(resident, 1)
    client.force_login(resident)
    client.post(reverse("set_language"), {"language": language, "next": URL})

    response = client.get(URL)

    assert title in response.text and mark in response.text


def test_marking_one_notice_read_is_a_post_that_returns_to_the_same_page(client, resident):
    mine, other = make_notices(resident, 2)
    client.force_login(resident)
    url = reverse("inbox-notice-read", args=[mine.pk])

    assert client.get(url).status_code == 405
    response = client.post(url, {"next": URL + "?page=1"})

    assert response.status_code == 302 and response["Location"] == URL + "?page=1"
    mine.refresh_from_db()
    other.refresh_from_db()
    assert mine.read_at is not None and other.read_at is None


def test_nobody_can_mark_anothers_notice_read(client, resident, elder):
    (theirs,) = make_notices(elder, 1)
    client.force_login(resident)

    response = client.post(reverse("inbox-notice-read", args=[theirs.pk]))

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_marking_read_needs_the_csrf_token(resident):
    (notice,) = make_notices(resident, 1)
    client = Client(enforce_csrf_checks=True)
    client.force_login(resident)

    response = client.post(reverse("inbox-notice-read", args=[notice.pk]))

    assert response.status_code == 403
    notice.refresh_from_db()
    assert notice.read_at is None


def test_marking_all_read_touches_only_ones_own_and_says_how_many(client, resident, elder):
    make_notices(resident, 3, read=1)
    make_notices(elder, 2)
    client.force_login(resident)

    assert client.get(reverse("inbox-read-all")).status_code == 405
    response = client.post(reverse("inbox-read-all"), follow=True)

    assert not Notice.objects.filter(recipient=resident, read_at__isnull=True).exists()
    assert Notice.objects.filter(recipient=elder, read_at__isnull=True).count() == 2
    assert any("2" in str(m) for m in response.context["messages"])


def test_the_way_back_never_leaves_the_site(client, resident):
    client.force_login(resident)

    response = client.post(reverse("inbox-read-all"), {"next": "https://evil.example/inbox/"})

    assert response.status_code == 302 and response["Location"] == URL


def test_the_header_shows_the_unread_count_until_the_notices_are_read(client, resident):
    client.force_login(resident)
    home = reverse("home")
    assert 'data-testid="unread-count"' not in client.get(home).text

    make_notices(resident, 3)
    assert BADGE % 3 in client.get(home).text

    client.post(reverse("inbox-read-all"))
    assert 'data-testid="unread-count"' not in client.get(home).text


def test_the_unread_count_asks_the_database_only_after_it_changed(client, resident):
    make_notices(resident, 2)
    client.force_login(resident)
    client.get(URL)

    with CaptureQueriesContext(connection) as unchanged:
        client.get(reverse("profile"))
    notify(resident, Kind.OTHER, "新消息", "")
    with CaptureQueriesContext(connection) as changed:
        response = client.get(reverse("profile"))

    def counts(ctx):
        return [q for q in ctx.captured_queries if "portal_notice" in q["sql"]]

    assert counts(unchanged) == []
    assert len(counts(changed)) == 1
    assert BADGE % 3 in response.text


def test_visitors_see_no_inbox_link(client, community):
    assert 'data-testid="inbox-link"' not in client.get(reverse("home")).text


@pytest.mark.parametrize("pk", [999_999, 2**63 + 5], ids=["missing", "beyond-any-id"])
def test_marking_a_notice_that_does_not_exist_is_a_404(client, resident, pk):
    client.force_login(resident)

    assert client.post(reverse("inbox-notice-read", args=[pk])).status_code == 404
