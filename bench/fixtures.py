"""What the benchmark drives: the personas, their session cookies, the pages and the burst targets.

Users come from `bench/results/dataset.json` (written by `bench/dataset.py`) when it is there,
otherwise from the demo data (`manage.py seed_demo`, mobiles 13800000001..09). Everything else
(which festival, which service day, which month) is looked up in the database, so the same code
runs on the demo data and on the large data set. Needs `django.setup()` first.
"""

import json
import re
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.hashers import make_password
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.db import IntegrityError, transaction
from django.db.models import Count, ProtectedError
from django.utils import timezone
from django.utils.crypto import get_random_string

DATASET_FILE = Path(__file__).parent / "results" / "dataset.json"

# Demo persona -> mobile (portal/demo.py).
DEMO_MOBILES = {
    "admin": "13800000001",
    "coordinator": "13800000002",
    "events_staff": "13800000003",
    "canteen_staff": "13800000004",
    "classes_staff": "13800000005",
    "leader": "13800000006",
    "volunteer": "13800000007",
    "parent": "13800000008",
    "elder": "13800000009",
}
BACKEND = "portal.backends.CachedModelBackend"


@dataclass
class Page:
    key: str
    label: str
    url: str
    persona: str | None  # None: anonymous
    kind: str  # "resident", "public" (anonymous), "staff" or "ceiling"
    cookie: str = ""


def load_dataset(db_url: str) -> dict:
    """dataset.json's handles, but only when they were written for the database being measured."""
    if not DATASET_FILE.exists():
        return {}
    data = json.loads(DATASET_FILE.read_text(encoding="utf-8"))
    db_name = db_url.rsplit("/", 1)[-1].split("?", 1)[0]
    if data.get("database") and data["database"] != db_name:
        print(
            f"dataset.json is for database {data['database']!r}, not {db_name!r}: "
            "using the demo personas",
            flush=True,
        )
        return {}
    return data


def _user_from(handle):
    """A user from a dataset handle: an id, a mobile, or a dict with `id`/`pk`/`mobile`."""
    from portal.models import User

    if handle is None:
        return None
    if isinstance(handle, dict):
        for key in ("id", "pk", "user_id"):
            if handle.get(key):
                return User.objects.filter(pk=handle[key]).first()
        if handle.get("mobile"):
            return User.objects.filter(mobile=handle["mobile"]).first()
        return None
    if isinstance(handle, int):
        return User.objects.filter(pk=handle).first()
    text = str(handle)
    if len(text) == 11 and text.isdigit():
        return User.objects.filter(mobile=text).first()
    return User.objects.filter(pk=int(text)).first() if text.isdigit() else None


def persona(name: str, dataset: dict):
    """The user playing `name`: chosen relative to now for the personas whose pages show coming
    rows (`current_persona`), else the dataset's choice, else the demo account."""
    from portal.models import User

    if name in CURRENT_PERSONAS:
        user = current_persona(name)
        if user is not None:
            return user
    for section in ("personas", "users"):
        user = _user_from((dataset.get(section) or {}).get(name))
        if user is not None:
            return user
    user = User.objects.filter(mobile=DEMO_MOBILES[name]).first()
    if user is None:
        raise SystemExit(
            f"No user for persona {name!r}: run `manage.py seed_demo` or bench/dataset.py first."
        )
    return user


def _coming_volunteer(k=1):
    """Volunteers (not staff) with hours credited and the most coming posts (ties: lowest id)."""
    from volunteers.models import HoursEntry, Signup

    credited = HoursEntry.objects.values("volunteer_id")
    row = (
        Signup.objects.active()
        .filter(post__end__gt=timezone.now(), volunteer__is_staff=False)
        .filter(volunteer_id__in=credited)
        .values("volunteer_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "volunteer_id")[:k]
    )
    return [r["volunteer_id"] for r in row]


def _coming_parent(k=1):
    """Parents whose children have places in courses with the most coming sessions."""
    from classes.models import ClassSession, Enrolment
    from portal.models import User

    today = timezone.localdate()
    hh = "course__enrolments__child__household_id"
    row = (
        ClassSession.objects.filter(
            date__gte=today,
            course__enrolments__status=Enrolment.Status.ENROLLED,
            course__enrolments__child__household__isnull=False,
        )
        .exclude(status=ClassSession.Status.CANCELLED)
        .values(hh)
        .annotate(n=Count("pk"))
        .order_by("-n", hh)[:k]
    )
    ids = []
    for r in row:
        user = User.objects.filter(household_id=r[hh], is_staff=False).order_by("pk").first()
        if user is not None:
            ids.append(user.pk)
    return ids


def _coming_elder(k=1):
    """Elders (not staff) with the most lunches and dinners booked this week (today + 6 days)."""
    from canteen.models import Booking

    today = timezone.localdate()
    row = (
        Booking.objects.filter(
            status=Booking.Status.BOOKED,
            menu__day__gte=today,
            menu__day__lte=today + timedelta(days=6),
            member__user__isnull=False,
            member__user__is_staff=False,
            member__user__birth_date__lte=today.replace(year=today.year - 60),
        )
        .values("member__user_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "member__user_id")[:k]
    )
    return [r["member__user_id"] for r in row]


# Personas whose pages show what is coming: picked in the database at run time, so the pages
# measured have rows on the day the bench runs, however old the data set is.
CURRENT_PERSONAS = {
    "volunteer": _coming_volunteer,
    "parent": _coming_parent,
    "elder": _coming_elder,
}


def coming_users(name: str, k: int) -> list:
    """Up to k users of this kind with the most coming rows, most first."""
    from portal.models import User

    ids = CURRENT_PERSONAS[name](k)
    found = User.objects.in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]


def current_persona(name: str):
    users = coming_users(name, 1)
    return users[0] if users else None


def session_data(user) -> dict:
    return {
        SESSION_KEY: str(user.pk),
        BACKEND_SESSION_KEY: BACKEND,
        HASH_SESSION_KEY: user.get_session_auth_hash(),
    }


# Session keys this run created, removed again by `forget_sessions()` at the end.
CREATED_SESSIONS: list[str] = []


def forget_sessions() -> None:
    Session.objects.filter(session_key__in=CREATED_SESSIONS).delete()
    CREATED_SESSIONS.clear()


def session_cookie(user) -> str:
    """A real logged-in session, created directly in the database; returns the cookie header."""
    store = SessionStore()
    store.update(session_data(user))
    store.create()
    CREATED_SESSIONS.append(store.session_key)
    # A browser also keeps the CSRF cookie the first page gave it (its secret: 32 characters).
    csrf = get_random_string(32)
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}; {settings.CSRF_COOKIE_NAME}={csrf}"


def set_cookies(client, cookie: str) -> None:
    """Put a Cookie header's cookies ("a=1; b=2") on a django.test.Client."""
    for part in cookie.split(";"):
        name, _sep, value = part.strip().partition("=")
        if name:
            client.cookies[name] = value


def _handle_id(dataset: dict, *keys):
    value = dataset
    for key in keys:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    if isinstance(value, dict):
        value = value.get("id") or value.get("pk")
    return value


def _largest_month() -> date:
    from django.db.models.functions import TruncMonth

    from canteen.models import MealRecord

    row = (
        MealRecord.objects.annotate(bench_month=TruncMonth("day"))
        .values("bench_month")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    return row["bench_month"] if row else timezone.localdate().replace(day=1)


def largest_month(dataset: dict) -> date:
    given = _handle_id(dataset, "canteen", "largest_month") or dataset.get("largest_month")
    if given:
        return date.fromisoformat(str(given)[:10]).replace(day=1)
    month = _largest_month()
    return month.date() if hasattr(month, "date") else month


def _festival_pk(dataset: dict) -> int:
    from events.models import Event

    pk = _handle_id(dataset, "festival") or _handle_id(dataset, "events", "festival")
    if pk:
        return int(pk)
    today = timezone.localdate()
    event = (
        Event.objects.filter(ends_on__gte=today).order_by("starts_on").first()
        or Event.objects.order_by("-starts_on").first()
    )
    if event is None:
        raise SystemExit("No festival in the database.")
    return event.pk


def _service_day(dataset: dict) -> str:
    from volunteers.models import ServiceDay

    given = _handle_id(dataset, "service_day")
    if given:
        given = str(given)
        if "-" in given:
            return given[:10]
        return ServiceDay.objects.get(pk=int(given)).date.isoformat()
    today = timezone.localdate()
    days = ServiceDay.objects.annotate(n=Count("posts")).filter(n__gt=0)
    day = days.filter(date__gte=today).order_by("date").first() or days.order_by("-date").first()
    if day is None:
        raise SystemExit("No service day with posts in the database.")
    return day.date.isoformat()


def pages(dataset: dict) -> list[Page]:
    """The issue's page list with real URLs, plus the ceiling."""
    month = largest_month(dataset)
    return [
        Page("ceiling", "ceiling (bare view)", "/bench/ceiling/", None, "ceiling"),
        Page("home", "home (resident)", "/", "volunteer", "resident"),
        Page("home_anon", "home (anonymous)", "/", None, "public"),
        Page(
            "programme",
            "festival programme",
            f"/events/{_festival_pk(dataset)}/",
            None,
            "public",
        ),
        Page(
            "day_posts",
            "service day's posts",
            f"/volunteers/days/{_service_day(dataset)}/",
            "volunteer",
            "resident",
        ),
        Page("schedule", "my schedule", "/volunteers/me/schedule/", "volunteer", "resident"),
        Page("hours", "my hours", "/volunteers/me/hours/", "volunteer", "resident"),
        Page("menu", "menu of the week", "/canteen/", None, "public"),
        Page("counter", "canteen counter", "/canteen/counter/", "canteen_staff", "staff"),
        Page("courses", "course list", "/classes/", None, "public"),
        Page("my_classes", "my children's classes", "/classes/mine/", "parent", "resident"),
        Page("fund", "fund (public)", "/fund/", None, "public"),
        Page("elder_home", "home (elder)", "/", "elder", "resident"),
        Page("elder_menu", "menu and booking (elder)", "/canteen/", "elder", "resident"),
        Page("elder_meals", "my meals (elder)", "/canteen/me/", "elder", "resident"),
        Page("parent_home", "home (parent)", "/", "parent", "resident"),
        Page(
            "settlement",
            f"monthly settlement {month:%Y-%m}",
            f"/canteen/staff/settlement/?month={month:%Y-%m}",
            "canteen_staff",
            "staff",
        ),
    ]


def attach_cookies(page_list: list[Page], dataset: dict) -> dict:
    """Log each persona in once; returns {persona: user}."""
    users = {}
    cookies = {}
    for page in page_list:
        if page.persona is None:
            continue
        if page.persona not in users:
            users[page.persona] = persona(page.persona, dataset)
            cookies[page.persona] = session_cookie(users[page.persona])
        page.cookie = cookies[page.persona]
    return users


# ------------------------------------------------------------------------------------ the burst

BURST_PREFIX = "bench-burst-"
BURST_POST_TITLE = "压测岗位"
BURST_COURSE_TITLE = "压测课程"


@transaction.atomic
def burst_users(n: int, dataset: dict) -> list[tuple]:
    """(user, child member) pairs: the dataset's burst users, else n generated families."""
    from portal.models import Household, HouseholdMember, User

    handles = (dataset.get("burst") or {}).get("users") or []
    users, child_ids = [], {}
    for handle in handles[:n]:
        user = _user_from(handle)
        if user is not None:
            users.append(user)
            if isinstance(handle, dict) and handle.get("child_id"):
                child_ids[user.pk] = handle["child_id"]
    if not users:
        users = list(User.objects.filter(username__startswith=BURST_PREFIX).order_by("pk")[:n])
    if len(users) < n:
        start = len(users)
        new_households = Household.objects.bulk_create(
            [Household(building="99", unit="9", room=f"B{i:04d}") for i in range(start, n)]
        )
        new_users = User.objects.bulk_create(
            [
                User(
                    username=f"{BURST_PREFIX}{i:04d}",
                    mobile=f"199{i:08d}",
                    real_name=f"压测家长{i:04d}",
                    password=make_password(None),
                    household=hh,
                    building="99",
                    unit="9",
                    room=f"B{i:04d}",
                )
                for i, hh in zip(range(start, n), new_households, strict=True)
            ]
        )
        HouseholdMember.objects.bulk_create(
            [
                HouseholdMember(
                    household=u.household, user=u, relation=HouseholdMember.Relation.SELF
                )
                for u in new_users
            ]
            + [
                HouseholdMember(
                    household=u.household,
                    name=f"压测孩子{i:04d}",
                    birth_date=date(timezone.localdate().year - 8, 3, 1),
                    relation=HouseholdMember.Relation.CHILD,
                )
                for i, u in zip(range(start, n), new_users, strict=True)
            ]
        )
        users += new_users
    if child_ids:
        kids = HouseholdMember.objects.in_bulk(list(child_ids.values()))
        return [(u, kids.get(child_ids.get(u.pk))) for u in users]
    children = {}
    for child in HouseholdMember.objects.filter(
        household_id__in=[u.household_id for u in users],
        relation=HouseholdMember.Relation.CHILD,
    ).order_by("pk"):
        children.setdefault(child.household_id, child)
    return [(u, children.get(u.household_id)) for u in users]


def burst_sessions(users) -> dict[int, str]:
    """One session per burst user, inserted in bulk; {user pk: session key}."""
    expire = timezone.now() + timedelta(days=1)
    store = SessionStore()
    rows, keys = [], {}
    for user in users:
        key = get_random_string(32, "abcdefghijklmnopqrstuvwxyz0123456789")
        keys[user.pk] = key
        rows.append(
            Session(
                session_key=key, session_data=store.encode(session_data(user)), expire_date=expire
            )
        )
    Session.objects.bulk_create(rows, batch_size=500)
    CREATED_SESSIONS.extend(keys.values())
    return keys


@transaction.atomic
def burst_targets(capacity_course: int = 20, capacity_post: int = 5):
    """A fresh 20-place first-come course open for enrolment, and a fresh 5-place open post."""
    from classes.models import Course, Enrolment, Term
    from volunteers.models import Post, VolunteerSettings

    now = timezone.now()
    stamp = timezone.localtime(now).strftime("%Y-%m-%d %H:%M:%S")
    # Earlier bursts' courses: remove them and their enrolments (the benchmark's own rows), so
    # the burst children do not carry more courses into the clash check on every run.
    old = Course.objects.filter(title__startswith=BURST_COURSE_TITLE)
    try:
        with transaction.atomic():
            Enrolment.objects.filter(course__in=old).delete()
            old.delete()
    except (ProtectedError, IntegrityError):
        pass
    term = Term.objects.order_by("-starts_on").first()
    if term is None:
        term = Term.objects.create(
            name="压测学期", starts_on=timezone.localdate(), ends_on=timezone.localdate()
        )
    course = Course.objects.create(
        term=term,
        title=f"{BURST_COURSE_TITLE} {stamp}",
        subject=Course._meta.get_field("subject").choices[0][0],
        age_min=0,
        age_max=18,
        place="压测教室",
        capacity=capacity_course,
        enrol_opens_at=now - timedelta(hours=1),
        enrol_closes_at=now + timedelta(days=7),
        mode=Course.Mode.FCFS,
        needs_photo_consent=False,
        is_published=True,
    )
    # Earlier bursts' posts would make every sign-up "overlap another of your posts": remove
    # them (they are the benchmark's own rows). The post starts at 03:00 the first night after
    # the sign-up cut-off, when the data set's real posts do not run.
    Post.objects.filter(title__startswith=BURST_POST_TITLE).delete()
    rules = VolunteerSettings.current()
    earliest = timezone.localtime(now + timedelta(hours=rules.signup_closes_hours + 1))
    start = earliest.replace(hour=3, minute=0, second=0, microsecond=0)
    if start < earliest:
        start += timedelta(days=1)
    post = Post.objects.create(
        title=f"{BURST_POST_TITLE} {stamp}",
        place="压测地点",
        start=start,
        end=start + timedelta(hours=2),
        capacity=capacity_post,
    )
    return course, post


# ------------------------------------------------------------------------- what a page shows

_MAIN = re.compile(r"<main\b.*?</main>", re.S)
_ROWS = re.compile(r"<(?:li|tr)\b")


def rows_in_html(html: str) -> int:
    """List items and table rows inside <main> (the navigation is outside it): how many rows
    the page measured shows, counted the same way on every page."""
    match = _MAIN.search(html)
    return len(_ROWS.findall(match.group(0) if match else html))


def persona_facts(name: str, user) -> str:
    """What this persona has that their pages show, counted in the database now."""
    from canteen.models import Booking
    from classes.models import ClassSession, Enrolment
    from volunteers.models import HoursEntry, Signup

    now = timezone.now()
    today = timezone.localdate()
    if name == "volunteer":
        coming = Signup.objects.active().filter(volunteer=user, post__end__gt=now).count()
        served = Signup.objects.filter(volunteer=user, hours_confirmed_at__isnull=False).count()
        credits = HoursEntry.objects.filter(volunteer=user).count()
        return f"{coming} coming posts, {served} posts served, {credits} hours credits"
    if name == "parent":
        places = Enrolment.objects.filter(
            child__household_id=user.household_id,
            status=Enrolment.Status.ENROLLED,
            course__term__ends_on__gte=today,
        )
        sessions = (
            ClassSession.objects.filter(course__in=places.values("course"), date__gte=today)
            .exclude(status=ClassSession.Status.CANCELLED)
            .count()
        )
        return f"{places.count()} places this term, {sessions} coming sessions"
    if name == "elder":
        week = Booking.objects.filter(
            member__household_id=user.household_id,
            status=Booking.Status.BOOKED,
            menu__day__gte=today,
            menu__day__lte=today + timedelta(days=6),
        ).count()
        return f"{week} meals booked this week (household), born {user.birth_date}"
    return ""
