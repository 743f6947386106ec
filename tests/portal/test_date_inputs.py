"""Every date and time input carries an ISO value, in every form and language.

A browser's date input shows nothing for `2026/11/30` (the Chinese display format) and submits
it empty, so a form rendered in Chinese lost its dates on the first submit.
"""

import importlib
from collections import Counter
from datetime import date, datetime, time
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django import forms
from django.urls import reverse
from django.utils import translation

from classes.models import ClassSession, Teacher, Term
from portal.widgets import DateInput, DateTimeInput, MonthInput, TimeInput
from tests.canteen.helpers import make_menu
from tests.classes.helpers import make_course
from tests.factories import make_user

ISO_PARSERS = {
    "date": date.fromisoformat,
    "time": time.fromisoformat,
    "datetime-local": datetime.fromisoformat,
    "month": lambda v: date.fromisoformat(f"{v}-01"),
}
LANGUAGES = pytest.mark.parametrize("language", ["zh-hans", "en"], ids=["chinese", "english"])


class _Inputs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.inputs, self.ids = [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.append(attrs["id"])
        if tag == "input" and attrs.get("type") in ISO_PARSERS:
            self.inputs.append(attrs)


def parse(html: str) -> _Inputs:
    parser = _Inputs()
    parser.feed(html)
    return parser


def assert_iso_values(html: str, *, expected: int) -> list[dict]:
    """Every date/time input has a value its browser input accepts; returns the inputs."""
    found = parse(html).inputs
    assert len(found) >= expected, found
    for attrs in found:
        value = attrs.get("value")
        assert value, f"{attrs.get('name')} renders no value"
        ISO_PARSERS[attrs["type"]](value)  # raises on 2026/11/30
        if attrs["type"] == "date":
            assert len(value) == 10, value
    return found


# Every form class of the portal --------------------------------------------------------------

FORM_MODULES = [
    "portal.forms",
    "volunteers.forms",
    "events.forms",
    "canteen.forms",
    "classes.forms",
]


def _portal_forms():
    for name in FORM_MODULES:
        importlib.import_module(name)
    seen, todo = set(), [forms.BaseForm]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            if sub not in seen:
                seen.add(sub)
                todo.append(sub)
    return sorted(
        (c for c in seen if c.__module__ in FORM_MODULES),
        key=lambda c: f"{c.__module__}.{c.__name__}",
    )


TEMPORAL = {
    forms.DateTimeField: (datetime(2026, 11, 30, 9, 5), DateTimeInput),
    forms.DateField: (date(2026, 11, 30), (DateInput, MonthInput)),
    forms.TimeField: (time(9, 5), TimeInput),
}


def _temporal_fields():
    for form_class in _portal_forms():
        for name, field in form_class.base_fields.items():
            for kind, (value, widgets) in TEMPORAL.items():
                if isinstance(field, kind):
                    yield pytest.param(field, value, widgets, id=f"{form_class.__name__}.{name}")
                    break


def test_the_portal_has_date_and_time_fields_to_check():
    assert len(list(_temporal_fields())) >= 15


@LANGUAGES
@pytest.mark.parametrize(("field", "value", "widgets"), list(_temporal_fields()))
def test_every_date_and_time_field_renders_an_iso_value(field, value, widgets, language):
    assert isinstance(field.widget, widgets), "use the ISO widgets of portal.widgets"
    with translation.override(language):
        html = field.widget.render("x", field.prepare_value(value))
    (attrs,) = parse(html).inputs
    assert ISO_PARSERS[attrs["type"]](attrs["value"])
    # What the browser sends back is what the field reads.
    assert field.clean(attrs["value"]) == (
        value.replace(day=1) if attrs["type"] == "month" else value
    )


# The staff and resident pages that carry them ----------------------------------------------


@pytest.fixture
def in_language(client):
    def switch(language):
        client.cookies["portal_language"] = language
        return client

    return switch


@LANGUAGES
def test_the_fund_ledger_forms_render_iso_dates_and_submit_them(
    in_language, classes_staff, language
):
    client = in_language(language)
    client.force_login(classes_staff)
    html = client.get(reverse("fund:manage")).content.decode()
    inputs = assert_iso_values(html, expected=4)
    # Post the income form as the browser would: with the values it shows.
    income_date = next(i["value"] for i in inputs if i["id"] == "income_date")
    response = client.post(
        reverse("fund:income"),
        {"date": income_date, "amount": "10", "category": "donation", "description": "捐款"},
    )
    assert response.status_code == 302
    from fund.models import FundEntry

    assert FundEntry.objects.get().date.isoformat() == income_date


def test_forms_sharing_the_fund_page_never_share_element_ids(client, classes_staff):
    client.force_login(classes_staff)
    ids = parse(client.get(reverse("fund:manage")).content.decode()).ids
    assert "income_date" in ids and "spending_date" in ids
    assert [i for i, n in Counter(ids).items() if n > 1] == []


@LANGUAGES
def test_the_move_session_form_shows_the_sessions_date_and_times(db, in_language, language):
    term = Term.objects.create(name="秋季", starts_on=date(2026, 9, 7), ends_on=date(2026, 12, 31))
    teacher = Teacher.objects.create(name="林老师", user=make_user("林老师"))
    course = make_course(term, teacher=teacher, sessions=True)
    session = ClassSession.objects.filter(course=course).first()
    client = in_language(language)
    client.force_login(teacher.user)
    html = client.get(reverse("classes:register", args=[session.pk])).content.decode()
    inputs = {i["name"]: i["value"] for i in assert_iso_values(html, expected=3)}
    assert inputs["day"] == session.date.isoformat()
    assert inputs["starts_at"] == session.starts_at.strftime("%H:%M")


@LANGUAGES
def test_the_menu_form_shows_the_menus_day(in_language, canteen_staff, language):
    menu = make_menu(date(2026, 11, 30), price="14.00")
    client = in_language(language)
    client.force_login(canteen_staff)
    html = client.get(reverse("canteen:menu-edit", args=[menu.pk])).content.decode()
    (day,) = assert_iso_values(html, expected=1)
    assert day["value"] == "2026-11-30"
    assert menu.price == Decimal("14.00")


@LANGUAGES
def test_the_love_meal_page_shows_its_day(in_language, canteen_staff, language):
    client = in_language(language)
    client.force_login(canteen_staff)
    love = client.get(reverse("canteen:love-meals"), {"day": "2026-12-08"}).content.decode()
    (day,) = assert_iso_values(love, expected=1)
    assert day["value"] == "2026-12-08"


@LANGUAGES
def test_the_residents_birth_dates_show_in_profile_and_household(
    in_language, parent, child, language
):
    client = in_language(language)
    client.force_login(parent)
    profile = client.get(reverse("profile")).content.decode()
    (birth,) = assert_iso_values(profile, expected=1)
    assert birth["value"] == parent.birth_date.isoformat()
    member = client.get(reverse("household-member-edit", args=[child.pk])).content.decode()
    (birth,) = assert_iso_values(member, expected=1)
    assert birth["value"] == "2018-09-01"


# Element ids on the staff pages with several forms -------------------------------------------


def _duplicate_ids(html: str) -> list[str]:
    return sorted(i for i, n in Counter(parse(html).ids).items() if n > 1)


def test_the_counter_page_forms_have_their_own_ids(client, canteen_staff, elder):
    from django.utils import timezone

    from canteen.models import MealSlot, Menu

    slot = MealSlot.objects.get_or_create(name="午餐", defaults={"order": 1})[0]
    Menu.objects.create(day=timezone.localdate(), slot=slot, price="14.00", is_published=True)
    client.force_login(canteen_staff)
    html = client.get(reverse("canteen:counter-member", args=[elder.member.pk])).content.decode()
    assert _duplicate_ids(html) == []


def test_the_coordinators_page_forms_have_their_own_ids(client, coordinator, resident, volunteer):
    from volunteers import services as volunteer_services

    volunteer_services.submit_volunteer_offer(resident, message="周末")
    volunteer_services.submit_volunteer_offer(volunteer, message="晚上")
    client.force_login(coordinator)
    html = client.get(reverse("volunteers:coordinator")).content.decode()
    assert _duplicate_ids(html) == []


def test_the_leaders_pages_forms_have_their_own_ids(client, team_leader, resident, volunteer):
    from volunteers import services as volunteer_services
    from volunteers.models import Team

    team = Team.objects.create(name="补鞋队", slug="shoes", leader=team_leader, is_open=False)
    volunteer_services.apply_to_team(resident, team)
    volunteer_services.apply_to_team(volunteer, team)
    client.force_login(team_leader)
    html = client.get(reverse("volunteers:lead-team", args=[team.slug])).content.decode()
    assert _duplicate_ids(html) == []
