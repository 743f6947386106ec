"""The modules are declared once (each app's AppConfig, read by portal.modules), and that
declaration is what the navigation, the home page, page titles, the caches, the roles, the URLs
and a resident's data go by."""

import json
import re

import pytest
from django.apps import apps
from django.core.cache import caches
from django.urls import resolve, reverse

from portal import cache as portal_cache
from portal import modules, privacy, roles, views
from portal.models import Community
from tests.factories import make_user

pytestmark = pytest.mark.django_db

SIX = ["volunteers", "events", "canteen", "classes", "fund", "alliance"]
NAV_LINK = re.compile(r'<li><a href="([^"?]*)[^>]*>.*?<span>([^<]*)</span></a></li>', re.S)


@pytest.fixture
def nav_rendered_anew():
    """The navigation is kept per process (the "local" cache): render it anew before and after."""
    caches["local"].clear()
    yield
    caches["local"].clear()


def _nav(client) -> list[tuple[str, str]]:
    """(href, label) of each link of the top navigation on the home page."""
    html = client.get(reverse("home")).content.decode()
    top = html[html.index('<ul class="nav-links nav-links-top">') :]
    return NAV_LINK.findall(top[: top.index("</ul>")])


def test_the_registry_lists_exactly_the_six_modules_in_order():
    assert modules.labels() == SIX


def test_each_module_keeps_its_pages_at_its_label_under_its_own_namespace():
    for module in modules.modules():
        assert resolve(f"/{module.label}/").namespace == module.label
        if module.nav_label is not None:
            assert reverse(module.nav_url).startswith(f"/{module.label}/")


def test_each_module_is_kept_by_a_staff_role():
    for module in modules.modules():
        assert module.staff_role in roles.ADMIN_ROLES


def test_the_navigation_links_the_modules_in_order_with_their_labels(client, nav_rendered_anew):
    Community.current()
    assert _nav(client) == [
        ("/", "首页"),
        ("/volunteers/", "志愿"),
        ("/events/", "活动"),
        ("/canteen/", "食堂"),
        ("/classes/", "课堂"),
        ("/alliance/", "联盟"),
        ("/accounts/login/", "登录"),
    ]


def test_a_module_declaring_a_link_gets_one_in_its_place(client, monkeypatch, nav_rendered_anew):
    Community.current()
    fund = apps.get_app_config("fund")
    monkeypatch.setattr(fund, "nav_label", "微基金", raising=False)
    monkeypatch.setattr(fund, "nav_icon", "¥", raising=False)
    monkeypatch.setattr(fund, "nav_url", "fund:index", raising=False)

    hrefs = [href for href, _label in _nav(client)]

    assert hrefs[4:7] == ["/classes/", "/fund/", "/alliance/"]


def test_a_module_off_the_registry_leaves_the_navigation(client, monkeypatch, nav_rendered_anew):
    Community.current()
    monkeypatch.setattr(apps.get_app_config("events"), "portal_module", False)

    assert "/events/" not in [href for href, _label in _nav(client)]


def test_the_home_page_shows_a_section_of_each_module_that_has_one_in_order(client):
    Community.current()
    assert (
        views.HOME_SECTION_APPS
        == modules.having("home")
        == [
            "volunteers",
            "events",
            "canteen",
            "classes",
            "alliance",
        ]
    )

    response = client.get(reverse("home"))

    used = [t.name for t in response.templates if t.name.endswith("/_home_section.html")]
    assert list(dict.fromkeys(used)) == [
        f"{app}/_home_section.html" for app in SIX if app != "fund"
    ]


def test_a_residents_data_holds_every_modules_part_in_order():
    assert [app for app, _export in privacy.hooks("export")] == SIX
    assert [app for app, _forget in privacy.hooks("forget")] == SIX
    assert [app for app, _left in privacy.hooks("member_left")] == ["events", "canteen", "classes"]


def test_a_module_off_the_registry_leaves_a_residents_data(client, monkeypatch):
    client.force_login(make_user("王居民"))

    def tables():
        response = client.get(reverse("my-data-json"))
        assert response.status_code == 200
        return set(json.loads(response.content)["tables"])

    with_alliance = tables()
    monkeypatch.setattr(apps.get_app_config("alliance"), "portal_module", False)
    without = tables()

    assert "alliance_needs" in with_alliance and "fund_entries_recorded" in with_alliance
    assert with_alliance - without == {
        "alliance_needs",
        "alliance_ratings",
        "alliance_party_member",
        "alliance_partner_contact",
    }


def test_each_module_has_a_cache_generation_and_its_title():
    assert portal_cache.CONTENT == ("portal", *SIX)
    assert portal_cache.NAMESPACES == ("portal", *SIX, "people")
    assert {app: str(title) for app, title in modules.section_titles().items()} == {
        "volunteers": "志愿服务",
        "events": "社区活动",
        "canteen": "睦邻食堂",
        "classes": "睦邻课堂",
        "fund": "微基金",
        "alliance": "党建联盟",
    }


def test_each_staff_role_keeps_the_modules_it_kept():
    assert roles.app_permissions() == {
        roles.COMMUNITY_ADMIN: ["portal"],
        roles.VOLUNTEER_COORDINATOR: ["volunteers"],
        roles.EVENTS_STAFF: ["events"],
        roles.CANTEEN_STAFF: ["canteen"],
        # classes staff keep the community micro-fund, as when it was the classroom's
        roles.CLASSES_STAFF: ["classes", "fund"],
        roles.ALLIANCE_STAFF: ["alliance"],
    }
