"""Home page, announcements with images, language and text size, the admin's look, settings."""

import io
import os
import subprocess
import sys
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils.timezone import now
from PIL import Image

from portal.models import Announcement, Community, HouseholdMember, User

pytestmark = pytest.mark.django_db


def png_bytes(size=(1600, 1200), color="red", fmt="PNG"):
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format=fmt)
    return out.getvalue()


# --- home and announcements ------------------------------------------------------------------


def test_the_home_page_speaks_chinese_by_default_even_to_an_english_browser(client, community):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="zh-hans"' in html
    assert community.name in html
    assert "社区公告" in html


def test_the_language_switch_turns_the_site_english_and_back(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    html = client.get("/").content.decode()
    assert '<html lang="en"' in html and "Announcements" in html

    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    assert '<html lang="zh-hans"' in client.get("/").content.decode()


def test_large_text_is_remembered_on_the_account(client, resident):
    client.force_login(resident)
    response = client.post(reverse("text-size"), {"large": "1", "next": "/me/"})
    assert response.status_code == 302 and response.url == "/me/"
    resident.refresh_from_db()
    assert resident.large_text is True
    assert 'class="large-text"' in client.get("/").content.decode()


def test_large_text_is_remembered_in_a_cookie_for_visitors(client):
    client.post(reverse("text-size"), {"large": "1"})
    assert 'class="large-text"' in client.get("/").content.decode()
    client.post(reverse("text-size"), {"large": "0"})
    assert 'class="large-text"' not in client.get("/").content.decode()


def test_text_size_refuses_to_redirect_off_site(client):
    response = client.post(reverse("text-size"), {"large": "1", "next": "https://evil.example/"})
    assert response.url == "/"


def test_text_size_is_post_only(client):
    assert client.get(reverse("text-size")).status_code == 405


def test_the_home_page_runs_a_fixed_number_of_queries(
    client, community, resident, django_assert_max_num_queries
):
    for i in range(40):
        Announcement.objects.create(title=f"公告{i}", body="…")
    client.force_login(resident)
    # Four queries of the shared layer plus each module's section (about four each).
    with django_assert_max_num_queries(24):
        response = client.get("/")
    assert response.status_code == 200


def test_unpublished_and_future_announcements_are_hidden(client):
    Announcement.objects.create(title="草稿公告", body="x", is_published=False)
    Announcement.objects.create(
        title="明天的公告", body="x", published_at=now() + timedelta(days=1)
    )
    shown = Announcement.objects.create(title="今天的公告", body="x")
    html = client.get("/").content.decode()
    assert "今天的公告" in html and "草稿公告" not in html and "明天的公告" not in html
    hidden = Announcement.objects.get(title="草稿公告")
    assert client.get(hidden.get_absolute_url()).status_code == 404
    assert client.get(shown.get_absolute_url()).status_code == 200


def test_the_public_pages_show_no_personal_data(client, parent, child):
    html = client.get("/").content.decode() + client.get("/announcements/").content.decode()
    assert parent.mobile not in html
    assert child.name not in html
    assert "1988-05-21" not in html


@override_settings(MEDIA_ROOT="/tmp/portal-test-media")
def test_an_announcement_image_gets_a_web_sized_thumbnail(client, community_admin):
    client.force_login(community_admin)
    upload = SimpleUploadedFile("poster.png", png_bytes(), content_type="image/png")
    response = client.post(
        reverse("admin:portal_announcement_add"),
        {
            "title": "邻里节海报",
            "body": "欢迎参加",
            "image": upload,
            "is_published": "on",
            "published_at_0": "2026-11-28",
            "published_at_1": "10:00:00",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    a = Announcement.objects.get(title="邻里节海报")
    assert a.created_by == community_admin
    with Image.open(a.thumbnail.path) as thumb:
        assert max(thumb.size) <= 640
        assert thumb.format == "JPEG"
    assert 'src="/media/announcements/thumbs/' in client.get("/").content.decode()


@override_settings(MEDIA_ROOT="/tmp/portal-test-media", PORTAL_MAX_IMAGE_BYTES=50_000)
@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"this is not an image at all", "Upload a valid image"),
        (None, "too large"),
    ],
    ids=["not-an-image", "over-the-limit"],
)
def test_a_bad_image_is_refused_and_saves_nothing(client, community_admin, content, message):
    client.force_login(community_admin)
    client.cookies["portal_language"] = "en"
    if content is None:
        content = png_bytes(size=(1500, 1500), fmt="BMP")  # ~6.7 MB of real image
    upload = SimpleUploadedFile("poster.png", content, content_type="image/png")
    response = client.post(
        reverse("admin:portal_announcement_add"),
        {
            "title": "坏图片",
            "body": "x",
            "image": upload,
            "published_at_0": "2026-11-28",
            "published_at_1": "10:00:00",
        },
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Announcement.objects.filter(title="坏图片").exists()


# --- admin ------------------------------------------------------------------------------------


def test_admin_login_goes_through_the_portals_login(client):
    response = client.get(reverse("admin:login"))
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/?next=")


def test_the_admin_speaks_chinese_and_carries_the_community_name(client, community_admin):
    Community.objects.filter(pk=1).update(name="公园路社区")
    client.force_login(community_admin)
    html = client.get(reverse("admin:index")).content.decode()
    assert "公园路社区 · 管理后台" in html
    assert "公告" in html


def test_staff_edit_the_community_settings_in_one_place(client, community_admin):
    client.force_login(community_admin)
    response = client.get(reverse("admin:portal_community_changelist"))
    assert response.status_code == 302
    assert response.url == reverse("admin:portal_community_change", args=[1])
    assert client.get(response.url).status_code == 200


def test_the_meal_price_range_cannot_be_inverted():
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Community.objects.create(pk=2, meal_price_min=20, meal_price_max=10)


# --- validators, settings, demo ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "ok"),
    [
        ("13800138000", True),
        ("+86 138 0013 8000", True),
        ("19912345678", True),
        ("12800138000", False),
        ("1380013800", False),
        ("138001380000", False),
        ("abc", False),
    ],
    ids=[
        "plain",
        "with-prefix-and-spaces",
        "199",
        "12-prefix",
        "10-digits",
        "12-digits",
        "letters",
    ],
)
def test_mainland_mobile_numbers(number, ok):
    from portal.validators import validate_mainland_mobile

    if ok:
        validate_mainland_mobile(number)
    else:
        with pytest.raises(ValidationError):
            validate_mainland_mobile(number)


def _settings_with(env):
    full = {
        k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS"}
    }
    full.update(env)
    return subprocess.run(
        [sys.executable, "-c", "import portal.settings"], env=full, capture_output=True, text=True
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"DEBUG": "0"}, "SECRET_KEY"),
        ({"DEBUG": "0", "SECRET_KEY": "x" * 60}, "ALLOWED_HOSTS"),
        ({"DEBUG": "perhaps"}, "DEBUG must be one of"),
        ({"DB_CONN_MAX_AGE": "soon"}, "DB_CONN_MAX_AGE must be a whole number"),
    ],
    ids=["no-secret-in-production", "no-hosts-in-production", "bad-bool", "bad-int"],
)
def test_settings_refuse_bad_configuration_loudly(env, message):
    result = _settings_with(env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and message in result.stderr


def test_production_settings_start_with_a_real_secret_and_hosts():
    result = _settings_with({"DEBUG": "0", "SECRET_KEY": "k" * 60, "ALLOWED_HOSTS": "a.example"})
    assert result.returncode == 0, result.stderr


def test_seed_demo_is_idempotent_and_prints_the_log_ins():
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    counts = (User.objects.count(), HouseholdMember.objects.count(), Announcement.objects.count())
    call_command("seed_demo", stdout=io.StringIO())
    assert (
        User.objects.count(),
        HouseholdMember.objects.count(),
        Announcement.objects.count(),
    ) == counts
    text = out.getvalue()
    assert "13800000001" in text and "neighbour2026" in text
    elder = User.objects.get(mobile="13800000009")
    assert elder.age_on(now().date()) >= 60
    parent = User.objects.get(mobile="13800000008")
    assert parent.household.members.filter(relation="child").count() == 1


def test_a_residents_language_choice_follows_them_to_a_new_phone(client, resident):
    client.force_login(resident)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    resident.refresh_from_db()
    assert resident.language == "en"
    assert resident.preferred_language() == "en"

    from django.test import Client

    new_phone = Client()
    new_phone.force_login(resident)
    assert '<html lang="en"' in new_phone.get("/").content.decode()


def test_an_unknown_language_is_not_remembered(client, resident):
    client.force_login(resident)
    client.post(reverse("set_language"), {"language": "xx", "next": "/"})
    resident.refresh_from_db()
    assert resident.language == ""
    assert resident.preferred_language() == "zh-hans"


@pytest.mark.parametrize(
    ("value", "shown"),
    [(Decimal("1234.5"), "¥1,234.50"), (Decimal("4"), "¥4.00"), (None, "¥0.00")],
    ids=["thousands", "whole-yuan", "nothing"],
)
def test_the_shared_yuan_filter_shows_amounts_one_way(value, shown):
    from django.template import Context, Template

    rendered = Template("{% load portal_tags %}{{ v|yuan }}").render(Context({"v": value}))
    assert rendered == shown


def test_pages_vary_on_the_cookie_that_carries_the_language(client):
    assert "Cookie" in client.get("/")["Vary"]


def test_seed_demo_prints_every_log_in_and_no_raw_mail(capsys, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    text = out.getvalue()
    printed = capsys.readouterr().out
    assert "Content-Type:" not in printed and "Subject:" not in printed
    for mobile in [f"138000000{n:02d}" for n in range(1, 11)]:
        assert mobile in text, mobile
    assert "teacher" in text and "http://127.0.0.1:8000/" in text
