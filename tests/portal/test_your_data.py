"""Your data (PIPL): a resident's copy of everything about them and their household, consents
they can withdraw, and deleting the account while the community's accounts stay whole."""

import json
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import translation

from portal.models import AccountDeletion, ConsentChange, HouseholdMember, User
from tests.factories import PASSWORD, make_child, make_user

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 9, 1, 10, 0, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


# ---------------------------------------------------------------- a household with a history


@pytest.fixture
def history(parent, child, volunteer, canteen_staff, teacher_user_for_history):
    """The parent's household has a row in every module; the neighbour has the same kinds."""
    return build_history(parent, child, staff=canteen_staff, teacher=teacher_user_for_history)


@pytest.fixture
def teacher_user_for_history(db):
    return make_user("林老师")


def build_history(parent, child, *, staff, teacher, tag="A", diner=None):
    """One row of each kind the portal holds about `parent` and `child`, marked with `tag`."""
    diner = diner or parent.member
    from canteen import services as canteen
    from canteen.models import Collector, Dish, MealSlot, Menu, ResidentCategory
    from classes import services as classes
    from classes.models import Course, Term, TimetableSlot
    from events import services as events
    from events.models import Activity, Event
    from volunteers import services as volunteers
    from volunteers.models import HoursEntry, Post

    # Canteen: a meal served last week (with a collector and a circumstance), a booking ahead.
    slot = MealSlot.objects.get_or_create(name="午餐", defaults={"order": 1})[0]
    past_menu = Menu.objects.get_or_create(
        day=date(2026, 8, 25), slot=slot, defaults={"price": Decimal("14.00"), "is_published": True}
    )[0]
    past_menu.dishes.add(Dish.objects.create(name=f"红烧肉{tag}"))
    collector = Collector.objects.create(member=diner, name=f"代取人{tag}", mobile="13811112222")
    ResidentCategory.objects.create(
        member=diner, category="low_income", valid_from=date(2026, 1, 1)
    )
    canteen.record_meal(past_menu, diner, by=staff, collector=collector)
    future_menu = Menu.objects.get_or_create(
        day=date(2026, 9, 8), slot=slot, defaults={"price": Decimal("14.00"), "is_published": True}
    )[0]
    future_menu.dishes.add(Dish.objects.create(name=f"清蒸鱼{tag}"))
    canteen.book(future_menu, diner, by=parent)

    # Events: the child came to a past fair; both are registered for one ahead.
    past = Event.objects.create(
        title=f"春节游园{tag}",
        starts_on=date(2026, 2, 1),
        ends_on=date(2026, 2, 1),
        is_published=True,
    )
    fair = Activity.objects.create(
        event=past,
        title=f"游园{tag}",
        place="广场",
        starts_at=datetime(2026, 2, 1, 9, tzinfo=SHANGHAI),
        ends_at=datetime(2026, 2, 1, 11, tzinfo=SHANGHAI),
    )
    from events.models import Booking, Registration

    booking = Booking.objects.create(
        activity=fair, household_id=parent.household_id, booked_by=parent
    )
    Registration.objects.create(
        booking=booking,
        activity=fair,
        member=child,
        answers={"过敏": f"花生{tag}"},
        checked_in_at=datetime(2026, 2, 1, 9, 5, tzinfo=SHANGHAI),
    )
    festival = Event.objects.create(
        title=f"邻里节{tag}",
        starts_on=date(2026, 9, 20),
        ends_on=date(2026, 9, 20),
        is_published=True,
    )
    sports = Activity.objects.create(
        event=festival,
        title=f"运动会{tag}",
        place="篮球场",
        starts_at=datetime(2026, 9, 20, 9, tzinfo=SHANGHAI),
        ends_at=datetime(2026, 9, 20, 11, tzinfo=SHANGHAI),
        needs_registration=True,
        capacity=2,
        household_limit=4,
        registration_opens_at=NOW - timedelta(days=1),
    )
    events.register(sports, user=parent, members=[parent.member, child])
    events.notify(
        parent, "message", f"活动通知{tag}", params={"title": sports.title, "message": "活动通知"}
    )

    # Classes: a course of last term the child attended (fee paid), one this term.
    old_term = Term.objects.create(
        name=f"春季{tag}", starts_on=date(2026, 3, 2), ends_on=date(2026, 6, 30)
    )
    spring = Course.objects.create(
        term=old_term,
        title=f"乐高{tag}",
        subject="lego",
        age_min=5,
        age_max=12,
        capacity=10,
        place="活动室",
        fee=Decimal("100.00"),
        needs_photo_consent=True,
        enrol_opens_at=datetime(2026, 2, 1, tzinfo=SHANGHAI),
        enrol_closes_at=datetime(2026, 2, 28, tzinfo=SHANGHAI),
    )
    TimetableSlot.objects.create(course=spring, weekday=5, starts_at="09:00", ends_at="10:30")
    classes.generate_sessions(spring)
    from classes.models import Attendance, Enrolment

    spring_enrolment = Enrolment.objects.create(
        course=spring,
        child=child,
        enrolled_by=parent,
        status=Enrolment.Status.ENROLLED,
        photo_consent=True,
        pickup_people=f"外婆{tag}",
        fee=Decimal("100.00"),
    )
    session = spring.sessions.order_by("date").first()
    Attendance.objects.create(session=session, enrolment=spring_enrolment, mark="present")
    session.status = session.Status.HELD
    session.save(update_fields=["status"])
    classes.record_fee_payment(spring_enrolment, by=teacher)
    term = Term.objects.create(
        name=f"秋季{tag}", starts_on=date(2026, 9, 7), ends_on=date(2026, 12, 31)
    )
    autumn = Course.objects.create(
        term=term,
        title=f"画画{tag}",
        subject="painting",
        age_min=5,
        age_max=12,
        capacity=1,
        place="活动室",
        needs_photo_consent=True,
        enrol_opens_at=NOW - timedelta(days=3),
        enrol_closes_at=NOW + timedelta(days=3),
    )
    TimetableSlot.objects.create(course=autumn, weekday=6, starts_at="09:00", ends_at="10:30")
    classes.enrol(parent, autumn, child, photo_consent=True, pickup_people=f"爷爷{tag}")

    # Volunteers: the parent served a post (hours) and signed up for one ahead.
    served = Post.objects.create(
        title=f"补鞋{tag}",
        place="广场",
        start=datetime(2026, 8, 10, 9, tzinfo=SHANGHAI),
        end=datetime(2026, 8, 10, 11, tzinfo=SHANGHAI),
        capacity=3,
    )
    volunteers.ensure_profile(parent)
    from volunteers.models import Signup

    signup = Signup.objects.create(post=served, volunteer=parent, seat=1, attendance="attended")
    HoursEntry.objects.create(
        volunteer=parent,
        signup=signup,
        post=served,
        served_on=date(2026, 8, 10),
        hours=Decimal("2.00"),
        kind="credit",
        reason="",
    )
    ahead = Post.objects.create(
        title=f"磨刀{tag}",
        place="广场",
        start=datetime(2026, 9, 10, 8 + ord(tag) - ord("A"), tzinfo=SHANGHAI),
        end=datetime(2026, 9, 10, 9 + ord(tag) - ord("A"), tzinfo=SHANGHAI),
        capacity=1,
    )
    volunteers.sign_up(ahead, parent)
    volunteers.set_name_visibility(parent, True)
    return {
        "meal_menu": past_menu,
        "future_menu": future_menu,
        "sports": sports,
        "fair": fair,
        "spring": spring,
        "autumn": autumn,
        "served": served,
        "ahead": ahead,
    }


@pytest.fixture
def neighbour(db):
    """Another household with the same kinds of records: none of it may leak into the export."""
    return make_user("隔壁老李", email="li@example.org", building="9")


@pytest.fixture
def neighbours_history(neighbour, canteen_staff, teacher_user_for_history, history):
    kid = make_child(neighbour, name="隔壁小红", birth_date=date(2018, 3, 3))
    return build_history(
        neighbour, kid, staff=canteen_staff, teacher=teacher_user_for_history, tag="B"
    )


def _export(client, user):
    client.force_login(user)
    response = client.get(reverse("my-data-json"))
    assert response.status_code == 200
    return response, json.loads(response.content)


# ---------------------------------------------------------------- the copy


EVERY_TABLE = [
    "account",
    "roles",
    "household_members",
    "consents",
    "volunteer_profile",
    "volunteer_signups",
    "service_hours",
    "event_registrations",
    "notices",
    "canteen_bookings",
    "canteen_meals",
    "canteen_categories",
    "canteen_collectors",
    "class_enrolments",
    "class_attendance",
    "class_fee_payments",
]


def test_the_copy_holds_rows_from_every_module_about_me_and_my_household(
    client, parent, child, history, neighbours_history, neighbour
):
    response, data = _export(client, parent)

    assert response["Content-Disposition"].startswith('attachment; filename="my-data-')
    assert "no-store" in response["Cache-Control"] or "private" in response["Cache-Control"]
    tables = data["tables"]
    empty = [key for key in EVERY_TABLE if not tables.get(key)]
    assert empty == []
    text = response.content.decode()
    for mine in [
        "乐高A",
        "画画A",
        "补鞋A",
        "磨刀A",
        "运动会A",
        "游园A",
        "花生A",
        "代取人A",
        "活动通知A",
    ]:
        assert mine in text
    assert child.name in text and parent.mobile in text
    assert tables["canteen_meals"][0]["subsidy"] is not None
    assert tables["service_hours"][0]["hours"] == "2.00"


def test_the_copy_never_holds_anything_of_another_household(
    client, parent, history, neighbours_history, neighbour
):
    response, _data = _export(client, parent)

    text = response.content.decode()
    for theirs in [
        "隔壁老李",
        "隔壁小红",
        neighbour.mobile,
        "li@example.org",
        "乐高B",
        "花生B",
        "代取人B",
        "活动通知B",
        "补鞋B",
        "游园B",
    ]:
        assert theirs not in text


def test_the_readable_copy_is_a_printable_page_with_a_fixed_number_of_queries(
    client, parent, child, history, django_assert_max_num_queries
):
    client.force_login(parent)
    with django_assert_max_num_queries(35) as few:
        small = client.get(reverse("my-data-export"))
    for i in range(5):
        make_child(parent, name=f"孩子{i}", birth_date=date(2017, 1, 1))
    kid = HouseholdMember.objects.get(name="孩子0")
    build_history(parent, kid, staff=parent, teacher=parent, tag="C", diner=kid)
    with django_assert_max_num_queries(len(few.captured_queries)):
        big = client.get(reverse("my-data-export"))

    assert small.status_code == big.status_code == 200
    page = big.content.decode()
    assert 'data-testid="table-class_attendance"' in page and "孩子0" in page
    assert "no-store" in big["Cache-Control"] or "private" in big["Cache-Control"]


def test_the_copy_needs_a_log_in(client, parent):
    for name in ("my-data", "my-data-json", "my-data-export", "account-delete"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and "login" in response.url


# ---------------------------------------------------------------- consents


def test_withdrawing_the_name_consent_hides_the_name_on_the_public_team_page(
    client, volunteer, team_leader
):
    from volunteers import services
    from volunteers.models import Membership, Team

    team = Team.objects.create(name="补鞋队", slug="shoe", leader=team_leader)
    Membership.objects.create(team=team, user=volunteer, status=Membership.Status.APPROVED)
    services.set_name_visibility(volunteer, True)
    page = reverse("volunteers:team-detail", args=[team.slug])
    assert volunteer.real_name in client.get(page).content.decode()
    client.force_login(volunteer)
    mine = client.get(reverse("my-data")).content.decode()
    assert "2026-09-01" in mine  # when it was given

    response = client.post(reverse("consent-change"), {"consent": "name_public", "given": "0"})

    assert response.status_code == 302
    client.logout()
    assert volunteer.real_name not in client.get(page).content.decode()
    volunteer.volunteer_profile.refresh_from_db()
    assert not volunteer.volunteer_profile.show_name_publicly
    assert list(ConsentChange.objects.filter(user=volunteer).values_list("given", flat=True)) == [
        False,
        True,
    ]


def test_withdrawing_photo_consent_clears_it_on_every_class_and_the_teachers_list(
    client, parent, child, history
):
    from classes.models import Enrolment

    client.force_login(parent)
    assert "乐高A" in client.get(reverse("my-data")).content.decode()

    client.post(reverse("consent-change"), {"consent": "photo", "given": "0"})

    assert not Enrolment.objects.filter(child=child, photo_consent=True).exists()
    assert ConsentChange.objects.filter(user=parent, consent="photo", given=False).exists()
    assert "乐高A" not in client.get(reverse("my-data")).content.decode()


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"consent": "photo", "given": "1"},
        {"consent": "nope", "given": "0"},
        {"consent": "name_public", "given": "x\x00"},
    ],
    ids=["empty", "photo-given-here", "unknown", "bad-value"],
)
def test_an_unknown_consent_change_is_a_400_that_changes_nothing(client, parent, history, data):
    client.force_login(parent)
    with translation.override("en"):
        response = client.post(reverse("consent-change"), data)
    assert response.status_code == 400
    assert not ConsentChange.objects.filter(user=parent, given=False).exists()


def test_someone_who_never_volunteered_does_not_become_a_volunteer_by_the_name_form(
    client, resident
):
    from volunteers.models import VolunteerProfile

    client.force_login(resident)
    response = client.post(reverse("consent-change"), {"consent": "name_public", "given": "1"})

    assert response.status_code == 400
    assert not VolunteerProfile.objects.filter(user=resident).exists()


def test_consents_change_only_by_post(client, parent):
    client.force_login(parent)
    assert client.get(reverse("consent-change")).status_code == 405


# ---------------------------------------------------------------- deleting the account


def _ledgers():
    """Every accounting record, exactly: none may change when an account is deleted."""
    from canteen.models import MealRecord, SubsidyLine
    from classes import stats
    from classes.models import Attendance, FeePayment
    from events.figures import event_figures
    from fund.models import FundEntry
    from volunteers.models import Certificate, HoursEntry

    figures = {}
    from events.models import Event

    for event in Event.objects.filter(starts_on__lt=date(2026, 9, 1)):
        f = event_figures(event)
        figures[event.pk] = (f["total"].registered, f["total"].attended, f["people_reached"])
    return {
        "meals": list(MealRecord.objects.order_by("pk").values()),
        "subsidy_lines": list(SubsidyLine.objects.order_by("pk").values()),
        "fund": list(FundEntry.objects.order_by("pk").values()),
        "fees": list(FeePayment.objects.order_by("pk").values()),
        "hours": list(HoursEntry.objects.order_by("pk").values()),
        "certificates": list(Certificate.objects.order_by("pk").values()),
        "attendance": list(Attendance.objects.order_by("pk").values()),
        "class_totals": stats._totals(),
        "festival": figures,
    }


def _delete(client, user, *, follow=False, **data):
    client.force_login(user)
    payload = {"password": PASSWORD, "confirm": "注销我的账号"}
    payload.update(data)
    return client.post(reverse("account-delete"), payload, follow=follow)


def test_deleting_my_account_keeps_the_accounts_unchanged_and_pseudonymised(
    client, parent, child, history, neighbours_history
):
    from canteen.models import Booking as MealBooking
    from classes.models import Enrolment
    from events.models import Registration
    from portal.models import Notice
    from volunteers.models import Membership, Signup

    before = _ledgers()
    pk = parent.pk

    response = _delete(client, parent)

    assert response.status_code == 302 and response.url == reverse("home")
    assert _ledgers() == before
    user = User.objects.get(pk=pk)
    assert user.real_name == f"已注销用户 #{pk}"
    assert (user.mobile, user.email, user.birth_date, user.building) == (None, "", None, "")
    assert not user.is_active and not user.has_usable_password()
    assert not user.emailaddress_set.exists()
    # The child had classes: kept under a number, without name or birth date.
    child.refresh_from_db()
    assert child.name == f"已注销成员 #{child.pk}" and child.birth_date is None
    # Future places are gone; what happened stays.
    assert not MealBooking.objects.filter(menu=history["future_menu"], member__user=user).exists()
    assert (
        not Registration.objects.filter(activity=history["sports"])
        .filter(member__household_id=user.household_id)
        .exists()
    )
    assert Registration.objects.get(activity=history["fair"]).answers == {}
    assert not Enrolment.objects.filter(course=history["autumn"], child=child).exists()
    assert Enrolment.objects.get(course=history["spring"], child=child).pickup_people == ""
    assert not Signup.objects.filter(post=history["ahead"], volunteer=user).exists()
    assert Signup.objects.filter(post=history["served"], volunteer=user).exists()
    assert not Notice.objects.filter(recipient=user).exists()
    assert not Membership.objects.filter(user=user).exists()
    assert not ConsentChange.objects.filter(user=user).exists()
    # Logged out everywhere.
    assert client.get(reverse("profile")).status_code == 302


def test_deleting_gives_the_freed_places_to_the_next_in_line(
    client, parent, child, history, neighbour
):
    from classes import services as classes
    from classes.models import Enrolment

    kid = make_child(neighbour, name="隔壁小红", birth_date=date(2018, 3, 3))
    waiting = classes.enrol(
        neighbour, history["autumn"], kid, photo_consent=False, pickup_people="奶奶"
    )
    assert waiting.status == Enrolment.Status.WAITLISTED

    _delete(client, parent)

    waiting.refresh_from_db()
    assert waiting.status == Enrolment.Status.ENROLLED


def test_staff_see_a_deletion_log_without_personal_data(
    client, parent, child, history, community_admin, canteen_staff
):
    mobile, name = parent.mobile, parent.real_name
    _delete(client, parent)

    log = AccountDeletion.objects.get()
    assert log.account_id == parent.pk
    assert log.kept["canteen.mealrecord"] == 1 and log.kept["volunteers.hoursentry"] == 1
    assert log.removed["canteen.booking"] == 1 and log.removed["portal.notice"] >= 1
    assert mobile not in json.dumps([log.removed, log.kept])
    client.force_login(community_admin)
    page = client.get(reverse("admin:portal_accountdeletion_changelist"))
    assert page.status_code == 200
    detail = client.get(reverse("admin:portal_accountdeletion_change", args=[log.pk]))
    text = detail.content.decode()
    assert detail.status_code == 200 and f"#{parent.pk}" in text
    assert name not in text and mobile not in text and child.name not in text
    client.force_login(canteen_staff)
    assert client.get(reverse("admin:portal_accountdeletion_changelist")).status_code == 403


@pytest.mark.parametrize(
    "data",
    [
        {"password": "wrong"},
        {"confirm": "yes"},
        {"confirm": ""},
        {"password": ""},
        {"confirm": "注销我的账号\\x00"},
    ],
    ids=["wrong-password", "wrong-words", "no-words", "no-password", "nul-byte"],
)
def test_deleting_needs_my_password_and_the_words_typed_out(client, parent, history, data):
    response = _delete(client, parent, **data)

    assert response.status_code == 200
    assert response.context["form"].errors
    parent.refresh_from_db()
    assert parent.is_active and parent.real_name == "张妈妈"
    assert not AccountDeletion.objects.exists()


def test_the_words_are_in_the_language_of_the_page(client, parent):
    client.cookies["portal_language"] = "en"
    response = _delete(client, parent, confirm="Delete  my account")
    assert response.status_code == 302
    assert AccountDeletion.objects.filter(account_id=parent.pk).exists()


def test_opening_the_delete_page_deletes_nothing(client, parent):
    client.force_login(parent)
    response = client.get(reverse("account-delete"))
    assert response.status_code == 200
    parent.refresh_from_db()
    assert parent.is_active


def test_a_staff_account_is_not_deleted_from_the_portal(client, canteen_staff):
    response = _delete(client, canteen_staff, follow=True)

    assert "社区办公室" in response.content.decode()
    canteen_staff.refresh_from_db()
    assert canteen_staff.is_active and canteen_staff.mobile
    assert not AccountDeletion.objects.exists()


def test_members_shared_with_another_account_holder_stay(client, parent, child, resident):
    resident.household = parent.household
    resident.save(update_fields=["household"])

    _delete(client, parent)

    child.refresh_from_db()
    assert child.name == "张小明" and child.birth_date is not None
    assert HouseholdMember.objects.filter(pk=child.pk).exists()


def test_members_with_no_record_are_deleted(client, parent, child):
    _delete(client, parent)
    assert not HouseholdMember.objects.filter(pk=child.pk).exists()


@pytest.mark.parametrize(
    ("language", "words"), [("zh-hans", "我的数据"), ("en", "Your data")], ids=["zh", "en"]
)
def test_the_your_data_page_speaks_both_languages_in_a_few_queries(
    client, parent, child, history, language, words, django_assert_max_num_queries
):
    client.cookies["portal_language"] = language
    client.force_login(parent)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("my-data"))
    page = response.content.decode()
    assert response.status_code == 200 and words in page
    assert 'name="consent" value="photo"' in page and 'name="consent" value="name_public"' in page
    assert reverse("account-delete") in page
    assert reverse("my-data") in client.get(reverse("profile")).content.decode()


def test_the_privacy_notice_says_what_is_kept_and_how_to_export_withdraw_and_delete(client):
    page = client.get(reverse("privacy")).content.decode()

    for part in ('id="export"', 'id="consents"', 'id="delete"', 'id="kept"'):
        assert part in page
    for words in ("我的数据", "已注销用户", "补贴", "服务时长", "考勤", "JSON"):
        assert words in page
    assert "请联系社区办公室" not in page  # deleting no longer needs the office


def test_guessing_the_password_on_the_delete_page_is_rate_limited(client, parent):
    client.force_login(parent)
    url = reverse("account-delete")
    statuses = [
        client.post(url, {"password": f"guess{i}", "confirm": "注销我的账号"}).status_code
        for i in range(12)
    ]

    assert statuses[0] == 200 and statuses[-1] == 429
    response = client.post(url, {"password": PASSWORD, "confirm": "注销我的账号"})
    assert response.status_code == 429
    parent.refresh_from_db()
    assert parent.is_active
