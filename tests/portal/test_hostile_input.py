"""Hostile input never gives a 500, and a hostile POST changes nothing.

The demo community is seeded once for the module (real data on every page). Each persona then
crawls the portal from its start pages, collecting every page, every GET filter and every form;
hypothesis drives them with hostile values (NUL bytes, impossible and out-of-range dates,
non-numbers where ids go, 100,000-character strings) next to an explicit table of the cases an
outside audit found. Run it on SQLite and on PostgreSQL (NUL bytes only crash PostgreSQL).
"""

import re
from collections import Counter
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import transaction
from django.test import Client, override_settings
from django.urls import Resolver404, get_resolver, resolve
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

HUGE = "x" * 100_000
NUL = "\x00"
BAD_DATES = ["9999-12-31", "0001-01-01", "2026-02-30", "2026-13-01", "10000-01-01", "2026-00-10"]
BAD_MONTHS = ["9999-12", "0001-01", "2026-13", "2026-00", "10000-01", "2026"]
BAD_NUMBERS = ["abc", "-1", "1e999", "99999999999999999999999", "NaN", "１２", "1.5", " "]
KNOWN_NASTY = [NUL, f"a{NUL}b", HUGE, "<script>", "' OR 1=1 --", "../../etc/passwd", "=1+1"]
HOSTILE_VALUES = [*KNOWN_NASTY, *BAD_DATES, *BAD_MONTHS, *BAD_NUMBERS]

# Every parameter a view of the portal reads from the query string (grep request.GET, GET forms).
GET_PARAMETERS = [
    "week", "month", "day", "q", "household", "mobile", "code", "page", "format", "funder",
    "year", "skill", "correct", "past", "print", "download", "start", "end", "age", "track",
    "audience", "child", "weekday", "subject", "next", "member",
]  # fmt: skip

START_PAGES = {
    None: ["/", "/announcements/", "/volunteers/", "/events/", "/canteen/", "/classes/",
           "/fund/", "/volunteers/verify/", "/privacy/"],
    "elder": ["/canteen/", "/canteen/me/", "/canteen/me/card/", "/canteen/me/collectors/",
              "/me/", "/me/household/"],
    "parent": ["/classes/", "/classes/mine/", "/events/", "/events/my/", "/me/household/"],
    "volunteer": ["/volunteers/posts/", "/volunteers/me/schedule/", "/volunteers/me/hours/",
                  "/volunteers/calendar/", "/canteen/deliveries/"],
    "leader": ["/volunteers/lead/"],
    "coordinator": ["/volunteers/coordinator/", "/volunteers/coordinator/report/"],
    "events_staff": ["/events/staff/"],
    "canteen_staff": ["/canteen/counter/", "/canteen/staff/week/", "/canteen/staff/settlement/",
                      "/canteen/staff/love-meals/", "/canteen/staff/check-on/"],
    "classes_staff": ["/classes/teach/", "/classes/statistics/", "/fund/manage/"],
    "admin": ["/admin/", "/admin/portal/user/", "/admin/canteen/mealrecord/"],
}  # fmt: skip
# Crawling stops after this many pages per persona; each url name is visited once.
MAX_PAGES = 60
SKIP_PREFIXES = ("/static/", "/media/", "/accounts/logout", "/language/", "/text-size/")

tally = Counter()
errors = []


class _Page(HTMLParser):
    """The links and forms of a page."""

    def __init__(self):
        super().__init__()
        self.links, self.forms = [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and (attrs.get("href") or "").startswith("/"):
            self.links.append(attrs["href"])
        elif tag == "form":
            self.forms.append(
                {
                    "method": (attrs.get("method") or "get").lower(),
                    "action": attrs.get("action"),
                    "fields": [],
                }  # fmt: skip
            )
        elif tag in ("input", "select", "textarea") and self.forms and attrs.get("name"):
            kind = attrs.get("type", tag)
            if kind not in ("submit", "file") and attrs["name"] != "csrfmiddlewaretoken":
                self.forms[-1]["fields"].append((attrs["name"], kind, attrs.get("value") or ""))


_clients = {}


def _client(user):
    """One logged-in client per persona (logging in again would touch `last_login`)."""
    key = user.pk if user is not None else None
    if key not in _clients:
        _clients[key] = Client(raise_request_exception=False)
        if user is not None:
            _clients[key].force_login(user)
    return _clients[key]


def _request(client, method, url, data=None):
    """The response; a 500 is counted and noted in `errors` (each test asserts it has none)."""
    response = getattr(client, method)(url, data or {})
    tally["requests"] += 1
    if response.status_code >= 500:
        tally["500s"] += 1
        exc = getattr(response, "exc_info", None)
        detail = repr(exc[1])[:200] if exc else response.status_code
        errors.append(f"{method.upper()} {url[:120]} {_short(data)} -> {detail}")
    return response


@pytest.fixture
def no_500():
    """Fails the test with every request of it that answered 500."""
    errors.clear()
    yield
    assert errors == []


def _short(data):
    """The posted data for a failure message, long values cut short."""
    return {k: v[:20] if isinstance(v, str) else v for k, v in (data or {}).items()}


def _snapshot():
    """Every row of every model the portal owns: a hostile POST must leave all of them alone."""
    state = {}
    for model in apps.get_models():
        if model._meta.app_label in ("sessions", "admin", "contenttypes"):
            continue
        # repr: JSON columns come back as dicts on PostgreSQL, and rows are compared as sets
        state[model._meta.label] = [repr(row) for row in model.objects.order_by("pk").values_list()]
    return state


def _changes(before, after):
    """The rows that differ between two snapshots, for a readable failure."""
    changed = []
    for label, rows in after.items():
        old = set(before.get(label, []))
        changed += [(label, "now", row) for row in rows if row not in old]
        changed += [(label, "was", row) for row in old - set(rows)]
    return changed


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo community, seeded once and rolled back after the module."""
    from portal.demo import seed_people

    with (
        django_db_blocker.unblock(),
        override_settings(
            MEDIA_ROOT=tmp_path_factory.mktemp("media"),
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        ),
    ):
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            call_command("seed_demo", verbosity=0)
            people = seed_people()
            errors.clear()
            _clients.clear()
            sites = _crawl(people, _object_pages(people))
            yield {"people": people, "sites": sites, "crawl_errors": list(errors)}
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def _object_pages(people):
    """Start pages about one thing each (a roster, a session, a diner), so the crawl reaches
    the forms on them even when no link leads there from a start page."""
    from canteen.models import MealRecord
    from classes.models import ClassSession, Course
    from events.models import Activity
    from volunteers.models import Post

    post = Post.objects.filter(team__leader=people["leader"]).order_by("-start").first()
    session = ClassSession.objects.order_by("-date").first()
    course = Course.objects.first()
    activity = Activity.objects.order_by("-starts_at").first()
    meal = MealRecord.objects.order_by("-pk").first()
    return {
        "leader": [f"/volunteers/roster/{post.pk}/", f"/volunteers/roster/{post.pk}/edit/"],
        "parent": [f"/events/activity/{activity.pk}/register/", f"/classes/courses/{course.pk}/"],
        "volunteer": [f"/volunteers/posts/{post.pk}/"],
        "events_staff": [
            f"/events/staff/activity/{activity.pk}/check-in/",
            f"/events/staff/activity/{activity.pk}/attendees/",
            f"/events/staff/activity/{activity.pk}/register/?household={people['parent'].household_id}",
        ],
        "canteen_staff": [f"/canteen/counter/{meal.member_id}/", f"/canteen/meals/{meal.pk}/"],
        "classes_staff": [
            f"/classes/teach/sessions/{session.pk}/",
            f"/classes/teach/courses/{course.pk}/",
            f"/classes/teach/courses/{course.pk}/enrol-for/?mobile={people['parent'].mobile}",
        ],
    }


def _crawl(people, object_pages):
    """Each persona crawls from its start pages (every url name once per persona). The fuzzed
    pages are every url name once (the first persona to open it), the forms every action once.
    """
    sites, fuzzed, actions = {}, set(), set()
    for key, starts in START_PAGES.items():
        user = people[key] if key else None
        client = _client(user)
        starts = [*starts, *object_pages.get(key, [])]
        queue, pages, forms, visited = list(starts), [], [], set()
        while queue and len(visited) < MAX_PAGES:
            url = queue.pop(0)
            path = urlsplit(url).path
            if path.startswith(SKIP_PREFIXES) or "format=" in url:
                continue
            try:
                name = _name_of(path)
            except Resolver404:
                continue
            if name in visited or (path.startswith("/admin/") and url not in starts):
                continue
            visited.add(name)
            response = _request(client, "get", url)
            if response.status_code == 302:
                visited.discard(name)
                queue.insert(0, response["Location"])
                continue
            if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                continue
            if name not in fuzzed:
                fuzzed.add(name)
                pages.append((name, url, resolve(path)))
            parsed = _Page()
            parsed.feed(response.content.decode())
            queue += [link for link in parsed.links if link not in queue]
            for form in parsed.forms:
                form["action"] = form["action"] or path
                target = urlsplit(form["action"]).path
                if target.startswith(SKIP_PREFIXES + ("/admin/",)):
                    continue
                if form["method"] == "get":  # a filter: open it as a page with its defaults
                    query = urlencode([(n, v) for n, _kind, v in form["fields"]])
                    queue.append(f"{target}?{query}")
                    continue
                try:
                    target_name = _name_of(target)
                except Resolver404:
                    continue
                if target_name not in actions:
                    actions.add(target_name)
                    forms.append(form)
        sites[key] = {"user": user, "pages": pages, "forms": forms}
    return sites


def _reach(world):
    """The portal's url names neither opened nor posted to by the crawl."""
    sites = world["sites"].values()
    reached = {name for site in sites for name, _url, _match in site["pages"]}
    reached |= {_name_of(form["action"]) for site in sites for form in site["forms"]}
    return _url_names() - reached


def _name_of(url):
    """The namespaced url name of a path (Resolver404 if none)."""
    match = resolve(urlsplit(url).path)
    return f"{match.namespace}:{match.url_name}"


def _url_names():
    """Every named URL of the portal's own pages."""
    root = get_resolver()
    names = {f":{p.name}" for p in root.url_patterns if getattr(p, "name", None)}
    for namespace in ("volunteers", "events", "canteen", "classes", "alliance"):
        patterns = root.namespace_dict[namespace][1].url_patterns
        names |= {f"{namespace}:{p.name}" for p in patterns}
    return names


hostile = st.one_of(
    st.sampled_from(HOSTILE_VALUES),
    st.text(max_size=30).map(lambda t: t + NUL),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
)


def fuzz(examples):
    return settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=True,  # the same inputs on every run and on both databases
        phases=[Phase.explicit, Phase.generate],  # no shrinking: the message names the input
        suppress_health_check=list(HealthCheck),
    )


def _pages(world):
    return [
        (site["user"], url) for site in world["sites"].values() for _n, url, _m in site["pages"]
    ]


def _get(user, url, params):
    base = urlsplit(url)
    query = urlencode({**dict(parse_qsl(base.query)), **params})
    return _request(_client(user), "get", f"{base.path}?{query}")


# The audit's cases, on every page: every parameter at once with one kind of bad value.
KNOWN_CASES = ["9999-12-31", "0001-01-01", "2026-02-30", "2026-13", "abc", f"a{NUL}b", "x" * 5000]


@pytest.mark.django_db
def test_every_page_the_crawl_reached_answered_below_500(world):
    print("\nnot reached:", sorted(_reach(world)))
    assert world["crawl_errors"] == []


@pytest.mark.django_db
@pytest.mark.parametrize("value", KNOWN_CASES, ids=["year-9999", "year-1", "feb-30", "month-13",
                                                    "not-a-number", "nul", "long"])  # fmt: skip
def test_known_hostile_values_in_every_parameter_of_every_page_answer_below_500(
    world, value, no_500
):
    for user, url in _pages(world):
        _get(user, url, dict.fromkeys(GET_PARAMETERS, value))


@pytest.mark.django_db
def test_every_get_filter_of_every_page_answers_below_500(world, no_500):
    pages = _pages(world)

    @fuzz(150)
    @given(
        st.sampled_from(pages),
        st.dictionaries(st.sampled_from(GET_PARAMETERS), hostile, min_size=1, max_size=3),
    )
    def drive(page, params):
        _get(*page, params)

    drive()


@pytest.mark.django_db
def test_hostile_path_parameters_answer_below_500(world, no_500):
    for site in world["sites"].values():
        client = _client(site["user"])
        for _name, url, match in site["pages"]:
            words = {k: v for k, v in match.kwargs.items() if isinstance(v, str)}
            for key in words:
                for value in ("%00", "a%00b", "9999-12-31", "2026-02-30", "0001-01-01", "x" * 5000):
                    path = urlsplit(url).path.replace(words[key], value, 1)
                    _request(client, "get", path)


def _forms(world):
    return [(site["user"], form) for site in world["sites"].values() for form in site["forms"]]


@pytest.mark.django_db
def test_every_form_refuses_nul_and_huge_values_and_changes_nothing(world, no_500):
    forms = _forms(world)
    before = _snapshot()

    def post(user, form, data):
        response = _request(_client(user), "post", form["action"], data)
        assert response.status_code == 400, (form["action"], _short(data), response.status_code)

    for user, form in forms:
        names = [name for name, _kind, _value in form["fields"]] or ["poison"]
        post(user, form, {names[0]: f"a{NUL}b"})
        post(user, form, dict.fromkeys(names, HUGE))

    @fuzz(60)
    @given(st.sampled_from(forms), st.data())
    def drive(user_form, data):
        user, form = user_form
        names = [name for name, _kind, _value in form["fields"]] or ["poison"]
        values = data.draw(st.fixed_dictionaries(dict.fromkeys(names, hostile)))
        values[data.draw(st.sampled_from(names))] = data.draw(
            st.sampled_from([NUL, HUGE, f"9{NUL}"])
        )
        post(user, form, values)

    drive()
    assert _changes(before, _snapshot()) == []


def _typed_hostile(kind, default):
    if kind == "date":
        return st.sampled_from(BAD_DATES)
    if kind == "month":
        return st.sampled_from(BAD_MONTHS)
    if kind in ("number", "select") or (kind == "hidden" and re.fullmatch(r"\d+", default)):
        return st.sampled_from(BAD_NUMBERS)
    return None


@pytest.mark.django_db
def test_forms_with_typed_fields_refuse_bad_dates_and_numbers_and_change_nothing(world, no_500):
    for user, form in _forms(world):
        typed = {n: _typed_hostile(k, v) for n, k, v in form["fields"]}
        typed = {n: s for n, s in typed.items() if s is not None}
        if not typed:
            continue
        rest = {n: v for n, _k, v in form["fields"] if n not in typed}
        before = _snapshot()
        _fuzz_typed(_client(user), form["action"], typed, rest)()
        assert _changes(before, _snapshot()) == [], form["action"]


def _fuzz_typed(client, action, typed, rest):
    @fuzz(3)
    @given(st.fixed_dictionaries(typed))
    def drive(data):
        _request(client, "post", action, {**rest, **data})

    return drive


def _audit_cases(people):
    """The requests an outside audit saw answer 500, and their neighbours: (who, method, url,
    data). A POST among them must change nothing."""
    from classes.models import ClassSession, Course
    from events.models import Activity
    from volunteers.models import Post

    post = Post.objects.filter(team__leader=people["leader"]).first().pk
    activity, course = Activity.objects.first().pk, Course.objects.first().pk
    session = ClassSession.objects.first().pk
    staff_register = f"/events/staff/activity/{activity}/register/"
    far_period = "start=9999-12-31&end=9999-12-31"
    return [
        (None, "get", "/canteen/?week=9999-12-31", None),
        (None, "get", "/canteen/?week=0001-01-01", None),
        (None, "get", "/canteen/?week=2026-02-30", None),
        (None, "get", "/volunteers/verify/?code=%00", None),
        (None, "get", "/volunteers/days/9999-12-31/", None),
        (None, "get", "/events/my/ticket/%00/", None),
        (None, "get", "/volunteers/calendar/%00.ics", None),
        (None, "get", "/classes/mine/calendar/%00.ics", None),
        ("elder", "get", "/canteen/me/?month=2026-13", None),
        ("elder", "get", "/canteen/me/?month=9999-12", None),
        ("elder", "post", "/canteen/book/", {"week": "9999-12-31", "menu": "abc"}),
        ("canteen_staff", "get", "/canteen/staff/settlement/?month=0001-01", None),
        ("canteen_staff", "get", "/canteen/staff/settlement/?month=9999-12&format=xlsx", None),
        ("canteen_staff", "get", "/canteen/staff/settlement/?format=csv&funder=a%0D%0Ab", None),
        ("canteen_staff", "get", "/canteen/staff/week/?week=9999-12-31", None),
        ("canteen_staff", "post", "/canteen/staff/week/", {"week": "9999-12-31", "action": "copy"}),
        ("canteen_staff", "get", "/canteen/counter/?q=%00", None),
        ("canteen_staff", "get", "/canteen/staff/menus/new/?day=9999-12-31", None),
        ("canteen_staff", "get", "/canteen/staff/love-meals/?day=9999-12-31", None),
        ("canteen_staff", "get", "/canteen/staff/love-meals/9999-12-31/routes/", None),
        ("canteen_staff", "post", "/canteen/staff/settlement/close/", {"month": "9999-12"}),
        ("canteen_staff", "post", "/canteen/staff/love-meals/", {"day": "9999-12-31"}),
        ("events_staff", "get", f"/events/staff/activity/{activity}/check-in/?q=%00", None),
        ("events_staff", "get", f"{staff_register}?q=%00", None),
        ("events_staff", "get", f"{staff_register}?household=abc", None),
        ("events_staff", "get", f"{staff_register}?household={'9' * 30}", None),
        ("events_staff", "get", "/events/staff/ticket/%00/", None),
        ("classes_staff", "get", f"/classes/teach/courses/{course}/enrol-for/?mobile=%00", None),
        ("classes_staff", "get", f"/classes/teach/sessions/{session}/?q=%00", None),
        ("classes_staff", "get", f"/fund/statement.csv?{far_period}", None),
        ("classes_staff", "get", "/classes/statistics/%00.csv", None),
        ("classes_staff", "post", f"/classes/teach/sessions/{session}/move/",
         {"day": "9999-12-31", "starts_at": "09:00", "ends_at": "10:00"}),
        ("classes_staff", "post", "/fund/income/",
         {"date": "9999-12-31", "amount": "10", "category": "donation", "description": "x"}),
        ("leader", "post", f"/volunteers/roster/{post}/add/", {"user": "abc"}),
        ("leader", "post", f"/volunteers/roster/{post}/add/", {"user": "9" * 30}),
        ("leader", "post", f"/volunteers/roster/{post}/add/", {"user": "-1"}),
        ("coordinator", "get", "/volunteers/coordinator/report/?year=99999", None),
        ("coordinator", "post", "/volunteers/coordinator/copy/",
         {"source": "9999-12-31", "target": "9999-12-31"}),
        ("coordinator", "post", "/volunteers/coordinator/days/9999-12-31/message/", {"text": "hi"}),
        ("admin", "get", "/admin/portal/user/?q=%00", None),
        ("admin", "get", "/admin/canteen/mealrecord/?q=%00", None),
        ("admin", "get", f"/admin/canteen/menu/?slot={'9' * 20}", None),
        ("admin", "get", f"/admin/volunteers/post/?team=-{'9' * 20}", None),
        ("admin", "get", "/admin/classes/course/?term=abc", None),
        ("admin", "get", "/admin/events/activity/abc/change/", None),
    ]  # fmt: skip


@pytest.mark.django_db
def test_the_audits_cases_answer_below_500_and_change_nothing(world, no_500):
    before = _snapshot()
    for who, method, url, data in _audit_cases(world["people"]):
        user = world["people"][who] if who else None
        response = _request(_client(user), method, url, data)
        assert response.status_code < 500, url
    assert _changes(before, _snapshot()) == []


@pytest.mark.django_db
def test_the_fuzz_run_made_requests_and_no_500(world):
    print(f"\nhostile input: {tally['requests']} requests, {tally['500s']} answered 500")
    assert tally["requests"] > 0
    assert tally["500s"] == 0
