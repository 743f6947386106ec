"""The browser audit: every page each persona uses, at 360×740, in Chinese, English and large text.

Each page must have no axe-core violation (WCAG 2.0/2.1/2.2 A and AA), no horizontal overflow,
and — on the pages residents use — no tap target under 44×44 CSS px and no text under 16 px. On
English pages no Chinese string of our catalogues may show (an untranslated or wrongly cached
string), and on Chinese pages no English msgid that has a translation.

The demo community (`seed_demo`) provides the data, so the pages are the ones a newcomer sees.
All problems are collected and reported together.
"""

import gettext
import io
import json
import os
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from tests.browser.helpers import PHONE

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
MODES = ("zh", "en", "large")
CJK = re.compile(r"[\u4e00-\u9fff]")

# Visible interactive elements smaller than 44×44 px (WCAG 2.5.5, the age-friendly target),
# except links inside running text (WCAG's inline exception) and hidden inputs.
TAP_TARGETS_JS = """
() => {
  const small = [];
  const els = document.querySelectorAll(
    'a[href], button, input:not([type=hidden]), select, textarea, summary, [role=button]');
  for (const el of els) {
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || style.display === 'none') continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    if (el.closest('.skip-link')) continue;
    if (el.tagName === 'A' && style.display === 'inline') {
      const block = el.closest('p, li, td, dd, span, label, small, h1, h2, h3, h4, h5');
      if (block && block.textContent.trim() !== el.textContent.trim()) continue;
    }
    let w = r.width, h = r.height;
    if ((el.type === 'checkbox' || el.type === 'radio') && el.labels && el.labels.length) {
      const lr = el.labels[0].getBoundingClientRect();
      w = Math.max(w, lr.right - Math.min(r.left, lr.left));
      h = Math.max(h, lr.height);
    }
    if (w < 43.5 || h < 43.5) {
      small.push(`${el.tagName.toLowerCase()} "${(el.innerText || el.value || el.name || '')
        .trim().slice(0, 30)}" ${Math.round(w)}×${Math.round(h)}`);
    }
  }
  return small.slice(0, 12);
}
"""

SMALL_TEXT_JS = """
() => {
  const small = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const text = node.textContent.trim();
    if (!text) continue;
    const el = node.parentElement;
    const style = getComputedStyle(el);
    if (style.display === 'none' || style.visibility === 'hidden') continue;
    if (el.closest('.visually-hidden, .skip-link, script, style, svg')) continue;
    const rect = el.getBoundingClientRect();
    if (rect.width === 0 || rect.height === 0) continue;
    if (parseFloat(style.fontSize) < 15.5) {
      small.push(`"${text.slice(0, 24)}" ${style.fontSize}`);
    }
  }
  return small.slice(0, 8);
}
"""

VISIBLE_TEXTS_JS = """
() => {
  const texts = new Set();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const el = walker.currentNode.parentElement;
    if (el.closest('script, style, [lang="zh-hans"], [lang="zh"], [translate="no"]')) continue;
    const t = walker.currentNode.textContent.trim();
    if (t) texts.add(t);
  }
  for (const el of document.querySelectorAll('input[type=submit], [placeholder], [aria-label]')) {
    for (const v of [el.value, el.placeholder, el.getAttribute('aria-label')]) {
      if (v && v.trim()) texts.add(v.trim());
    }
  }
  return [...texts];
}
"""


def _catalogue_strings():
    """(Chinese translations, English msgids) of our catalogues, the longer ones only."""
    chinese, english = set(), set()
    for mo_path in ROOT.glob("**/locale/zh_Hans/LC_MESSAGES/django.mo"):
        if ".venv" in mo_path.parts:
            continue
        with mo_path.open("rb") as f:
            catalog = gettext.GNUTranslations(f)._catalog
        for msgid, msgstr in catalog.items():
            if not isinstance(msgid, str) or not msgid or "%" in msgid or "{" in msgid:
                continue
            msgid = msgid.split("\x04")[-1]
            # The services' names (睦邻食堂…) are also places in the community's own content.
            if len(msgstr) >= 4 and CJK.search(msgstr) and not msgstr.startswith("睦邻"):
                chinese.add(msgstr)
            if len(msgid) >= 12 and " " in msgid:
                english.add(msgid)
    return chinese, english


def _pages(people):
    """(persona, url, resident page?) for every page the audit visits."""
    from django.db.models import Count

    from canteen.models import MealRecord
    from classes.models import ClassSession, Course
    from events.models import Activity, Event, Registration
    from portal.models import Announcement
    from volunteers.models import Post, ServiceDay, Team

    festival = Event.objects.annotate(n=Count("activities")).order_by("-n", "pk").first()
    activity = Activity.objects.filter(event=festival).order_by("pk").first()
    team = Team.objects.order_by("pk").first()
    day = ServiceDay.objects.order_by("date").last()
    post = Post.objects.filter(service_day=day).order_by("pk").first() if day else None
    course = Course.objects.order_by("pk").first()
    announcement = Announcement.objects.order_by("pk").first()
    elder_meal = (
        MealRecord.objects.filter(member__household=people["elder"].household)
        .order_by("-pk")
        .first()
    )
    registration = (
        Registration.objects.filter(booking__household=people["parent"].household)
        .order_by("pk")
        .first()
    )
    session = ClassSession.objects.filter(course__teacher__user=people["teacher"]).first()

    public = [
        "/",
        reverse("announcement-list"),
        reverse("announcement-detail", args=[announcement.pk]),
        reverse("privacy"),
        reverse("account_login"),
        reverse("account_signup"),
        reverse("volunteers:index"),
        reverse("volunteers:teams"),
        reverse("volunteers:team-detail", args=[team.slug]),
        reverse("volunteers:calendar"),
        reverse("volunteers:verify"),
        reverse("events:index"),
        reverse("events:programme", args=[festival.pk]),
        reverse("events:timetable", args=[festival.pk]),
        reverse("events:activity", args=[activity.pk]),
        reverse("canteen:index"),
        reverse("classes:index"),
        reverse("classes:course", args=[course.pk]),
        reverse("classes:statistics"),
        reverse("fund:index"),
    ]
    if day:
        public.append(reverse("volunteers:day-detail", args=[day.date.isoformat()]))
    pages = [(None, url, True) for url in public]
    resident = ["/", reverse("profile"), reverse("household")]
    pages += [("elder", url, True) for url in resident]
    pages += [
        ("elder", reverse("canteen:index"), True),
        ("elder", reverse("canteen:my-meals"), True),
        ("elder", reverse("canteen:card"), True),
        ("elder", reverse("canteen:collectors"), True),
    ]
    if elder_meal:
        pages.append(("elder", reverse("canteen:receipt", args=[elder_meal.pk]), True))
    pages += [
        ("parent", "/", True),
        ("parent", reverse("classes:index"), True),
        ("parent", reverse("classes:mine"), True),
        ("parent", reverse("classes:course", args=[course.pk]), True),
        ("parent", reverse("events:my"), True),
        ("parent", reverse("events:activity", args=[activity.pk]), True),
    ]
    if registration is not None:
        pages.append(("parent", reverse("events:ticket", args=[registration.ticket_token]), True))
    pages += [
        ("volunteer", "/", True),
        ("volunteer", reverse("volunteers:index"), True),
        ("volunteer", reverse("volunteers:posts-for-me"), True),
        ("volunteer", reverse("volunteers:my-schedule"), True),
        ("volunteer", reverse("volunteers:my-hours"), True),
        # the certificate overflowed in large text and hid the bottom navigation
        ("volunteer", _certificate(people["volunteer"]).get_absolute_url(), True),
    ]
    pages += [
        ("elder", reverse("inbox"), True),
        ("parent", reverse("classes:enrol", args=[course.pk]), True),
    ]
    if post:
        pages.append(("volunteer", reverse("volunteers:post-detail", args=[post.pk]), True))
    led = Team.objects.filter(leader=people["leader"]).order_by("pk").first()
    led_post = Post.objects.filter(team=led).order_by("-pk").first()
    pages += [
        ("leader", reverse("volunteers:lead"), False),
        ("leader", reverse("volunteers:lead-team", args=[led.slug]), False),
    ]
    if led_post:
        pages.append(("leader", reverse("volunteers:roster", args=[led_post.pk]), False))
        pages.append(("leader", reverse("volunteers:post-call-off", args=[led_post.pk]), False))
    pages += [
        ("coordinator", reverse("volunteers:coordinator"), False),
        ("events_staff", reverse("events:staff"), False),
        ("events_staff", reverse("events:check-in", args=[activity.pk]), False),
        ("events_staff", reverse("events:attendees", args=[activity.pk]), False),
        ("events_staff", reverse("events:figures", args=[festival.pk]), False),
        ("canteen_staff", reverse("canteen:counter"), False),
        (
            "canteen_staff",
            reverse("canteen:counter-member", args=[_self_member(people["elder"]).pk]),
            False,
        ),
        ("canteen_staff", reverse("canteen:week-plan"), False),
        ("canteen_staff", reverse("canteen:settlement"), False),
        ("canteen_staff", reverse("canteen:love-meals"), False),
        ("canteen_staff", reverse("canteen:check-on"), False),
        ("classes_staff", reverse("classes:teach"), False),
        ("classes_staff", reverse("fund:manage"), False),
        ("teacher", reverse("classes:teach"), False),
    ]
    if session:
        pages.append(("teacher", reverse("classes:register", args=[session.pk]), False))
    admin_pages = {
        "coordinator": ["/admin/", "/admin/volunteers/post/"],
        "events_staff": [
            "/admin/",
            "/admin/events/activity/",
            reverse("admin:events_activity_call_off", args=[activity.pk]),
        ],
        "canteen_staff": [
            "/admin/",
            "/admin/canteen/menu/",
            reverse("admin:canteen_menu_call_off", args=[_a_menu().pk]),
        ],
        "classes_staff": ["/admin/", "/admin/classes/course/"],
        "admin": [
            "/admin/",
            "/admin/portal/user/",
            f"/admin/portal/user/{people['parent'].pk}/change/",
            "/admin/portal/household/",
        ],
    }
    for persona, urls in admin_pages.items():
        pages += [(persona, url, False) for url in urls]
    return pages


def _a_menu():
    from canteen.models import Menu

    return Menu.objects.published().order_by("-day", "pk").first()


@pytest.fixture
def demo_people(db):
    from portal.models import User

    call_command("seed_demo", stdout=io.StringIO())
    mobiles = {
        "admin": "13800000001",
        "coordinator": "13800000002",
        "events_staff": "13800000003",
        "canteen_staff": "13800000004",
        "classes_staff": "13800000005",
        "leader": "13800000006",
        "volunteer": "13800000007",
        "parent": "13800000008",
        "elder": "13800000009",
        "teacher": "13800000010",
    }
    return {key: User.objects.get(mobile=mobile) for key, mobile in mobiles.items()}


def _context(browser, live_server, user, mode):
    # axe-core is injected as a script the portal's Content-Security-Policy would (rightly)
    # refuse: the audit's browser bypasses the policy, the pages are as served.
    context = browser.new_context(
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
        base_url=live_server.url,
        bypass_csp=True,
    )
    context.set_default_timeout(15_000)
    cookies = []
    host = live_server.url.split("//", 1)[1].split(":")[0]
    if user is not None:
        user.language = "en" if mode == "en" else "zh-hans"
        user.large_text = mode == "large"
        user.save(update_fields=["language", "large_text"])
        client = Client()
        client.force_login(user)
        session = client.cookies[settings.SESSION_COOKIE_NAME].value
        cookies.append(
            {"name": settings.SESSION_COOKIE_NAME, "value": session, "domain": host, "path": "/"}
        )
    if mode == "en":
        cookies.append(
            {"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "domain": host, "path": "/"}
        )
    if mode == "large":
        cookies.append({"name": "portal_large_text", "value": "1", "domain": host, "path": "/"})
    context.add_cookies(cookies)
    return context


def _audit_page(page, url, *, resident, mode, chinese, english):
    problems = []
    response = page.goto(url)
    page.wait_for_load_state("load")
    if response is None or response.status >= 400:
        return [f"status {response.status if response else 'none'}"]
    overflow = page.evaluate(
        "() => document.scrollingElement.scrollWidth - document.documentElement.clientWidth"
    )
    if overflow > 1:
        problems.append(f"overflows by {overflow}px")
    page.add_script_tag(content=AXE)
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS
    )
    for violation in result["violations"]:
        targets = [", ".join(map(str, node["target"])) for node in violation["nodes"][:3]]
        problems.append(f"axe {violation['id']} ({violation['impact']}): {targets}")
    if resident:
        small = page.evaluate(TAP_TARGETS_JS)
        if small:
            problems.append(f"tap targets under 44px: {small}")
        tiny = page.evaluate(SMALL_TEXT_JS)
        if tiny:
            problems.append(f"text under 16px: {tiny}")
    texts = page.evaluate(VISIBLE_TEXTS_JS)
    if mode == "en":
        shown = sorted({t for t in texts if t in chinese})
        if shown:
            problems.append(f"Chinese strings on an English page: {shown[:5]}")
    else:
        shown = sorted({t for t in texts if t in english})
        if shown:
            problems.append(f"English strings on a Chinese page: {shown[:5]}")
    return problems


@pytest.mark.parametrize("mode", MODES)
def test_every_page_passes_the_audit_at_360_px(browser, live_server, demo_people, mode):
    modes = os.environ.get("PORTAL_AUDIT_MODES")
    if modes and mode not in modes.split(","):
        pytest.skip(f"PORTAL_AUDIT_MODES={modes}")
    chinese, english = _catalogue_strings()
    report = {}
    pages = _selected(_pages(demo_people))
    by_persona = {}
    for persona, url, resident in pages:
        by_persona.setdefault(persona, []).append((url, resident))
    for persona, urls in by_persona.items():
        user = demo_people[persona] if persona else None
        context = _context(browser, live_server, user, mode)
        page = context.new_page()
        for url, resident in urls:
            problems = _audit_page(
                page, url, resident=resident, mode=mode, chinese=chinese, english=english
            )
            if problems:
                report[f"{persona or 'visitor'} {url}"] = problems
        context.close()
    assert not report, f"{len(report)} of {len(pages)} pages fail in mode {mode}:\n" + json.dumps(
        report, ensure_ascii=False, indent=1
    )


def _certificate(volunteer):
    from volunteers import services
    from volunteers.models import Certificate

    return Certificate.objects.filter(volunteer=volunteer).first() or services.issue_certificate(
        volunteer
    )


def _selected(pages):
    """PORTAL_AUDIT_PAGES (a regular expression) narrows the audit to the matching
    "persona url" lines, e.g. PORTAL_AUDIT_PAGES='certificate|canteen'; PORTAL_AUDIT_MODES
    (comma-separated) to some of zh, en, large."""
    pattern = os.environ.get("PORTAL_AUDIT_PAGES")
    if not pattern:
        return pages
    return [p for p in pages if re.search(pattern, f"{p[0] or 'visitor'} {p[1]}")]


def _self_member(user):
    return user.household.members.get(user=user)
