"""Every public page says what it is: a page-specific meta description and a title with the
page's name, then where it is (the module), then the community.

"Public" is what the permission matrix declares: every URL an anonymous visitor gets a 200 from.
"""

import html
import re

import pytest
from django.urls import reverse
from django.utils import translation

from portal.models import Community
from tests.portal.test_permission_matrix import MATRIX, _world

pytestmark = pytest.mark.django_db

DESCRIPTION = re.compile(r'<meta name="description" content="([^"]*)">')
TITLE = re.compile(r"<title>(.*?)</title>", re.S)
GENERIC = (
    "The Neighbourly Portal of %(name)s: volunteering, events, the canteen and classes "
    "for residents."
)
SECTIONS = {
    "volunteers": "Volunteers",
    "events": "Events",
    "canteen": "Neighbour Canteen",
    "classes": "Neighbour Classroom",
    "fund": "Micro-fund",
    "alliance": "Party-building alliance",
}


@pytest.fixture
def world(time_machine):
    time_machine.move_to("2026-09-01 10:00 +08:00", tick=False)
    return _world()


def _public_pages(args):
    for name, row in MATRIX.items():
        if row["anonymous"] == 200:
            yield name, reverse(name, kwargs=args.get(name))


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_public_page_has_its_own_description_and_a_title_saying_where(
    client, world, language
):
    _people, args, _reg = world
    client.cookies["portal_language"] = language
    community = Community.current().name
    with translation.override(language):
        generic = translation.gettext(GENERIC) % {"name": community}
        sections = {ns: translation.gettext(label) for ns, label in SECTIONS.items()}
    seen = {}
    problems = []
    checked = 0
    for name, url in _public_pages(args):
        response = client.get(url)
        assert response.status_code == 200, name
        if not response["Content-Type"].startswith("text/html"):
            continue  # calendar feeds
        checked += 1
        page = response.content.decode()
        found = DESCRIPTION.findall(page)
        if len(found) != 1:
            problems.append(f"{name}: {len(found)} meta descriptions")
            continue
        description = html.unescape(found[0]).strip()
        if not description or description == generic:
            problems.append(f"{name}: no description of its own")
        elif description in seen:
            problems.append(f"{name}: the same description as {seen[description]}")
        seen.setdefault(description, name)
        title = " ".join(html.unescape(TITLE.search(page).group(1)).split())
        parts = [p.strip() for p in title.split(" · ")]
        if len(parts) < 2 or parts[-1] != community or not parts[0] or parts[0] == community:
            problems.append(f"{name}: title {title!r} does not name the page")
        namespace, _sep, url_name = name.rpartition(":")
        if namespace in sections and url_name != "index" and sections[namespace] not in parts:
            problems.append(f"{name}: title {title!r} does not say the module")
    assert checked >= 25
    assert problems == []
