"""Staff pages: the overview, attendee list and exports, messages, post-event figures."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from events import services
from events.figures import event_figures
from events.models import Booking, Event, Question, Registration
from portal.models import Notice
from tests.events.helpers import add_question, at, make_activity
from tests.exports import (
    FORMULAS,
    csv_rows,
    header_row,
    live_formulas,
    needs_soffice,
    neutralised,
    opens_in_libreoffice,
    title_block,
    workbook,
    xlsx_rows,
)
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def registered(parent, child, activity):
    q = add_question(activity, "T恤尺码", Question.Kind.CHOICE, choices="S\nM")
    services.register(
        activity,
        user=parent,
        members=[parent.member, child],
        answers={parent.member.pk: {q.pk: "M"}, child.pk: {q.pk: "S"}},
    )
    return activity


@pytest.mark.parametrize("name", ["events:attendees", "events:check-in", "events:stall-review"])
def test_staff_pages_are_forbidden_to_others(client, resident, canteen_staff, activity, name):
    for user in (resident, canteen_staff):
        client.force_login(user)
        assert client.get(reverse(name, args=[activity.pk])).status_code == 403
    client.logout()
    assert client.get(reverse(name, args=[activity.pk])).status_code == 302


def test_the_staff_overview_lists_activities_with_counts(client, events_staff, registered):
    client.force_login(events_staff)

    body = client.get(reverse("events:staff")).content.decode()

    assert "趣味运动会" in body and "2/10" in body


def test_the_attendee_list_shows_household_members_and_answers(
    client, events_staff, registered, parent
):
    client.force_login(events_staff)

    body = client.get(reverse("events:attendees", args=[registered.pk])).content.decode()

    assert "张小明" in body and "T恤尺码" in body and "S" in body
    assert parent.masked_mobile in body and parent.mobile not in body


def test_the_csv_export_has_a_row_per_person(client, events_staff, registered):
    client.force_login(events_staff)

    response = client.get(reverse("events:attendees", args=[registered.pk]), {"format": "csv"})

    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode("utf-8-sig").strip().splitlines()
    assert len(lines) == 3
    assert "T恤尺码" in lines[0]
    assert any(line.startswith("张小明") and line.endswith(",S") for line in lines)


def test_the_excel_export_opens_with_the_same_rows(client, events_staff, registered):
    client.force_login(events_staff)

    response = client.get(reverse("events:attendees", args=[registered.pk]), {"format": "xlsx"})

    rows = xlsx_rows(response)
    assert len(rows) == 3
    assert rows[0][-1] == "T恤尺码"
    assert {r[0] for r in rows[1:]} == {"张妈妈", "张小明"}


def test_staff_message_everyone_registered(
    client, events_staff, registered, parent, django_capture_on_commit_callbacks
):
    parent.email = "mum@example.com"
    parent.save()
    client.force_login(events_staff)

    url = reverse("events:message", args=[registered.pk])
    preview = client.post(url, {"text": "请带水杯"})
    assert preview.status_code == 200 and preview.context["counts"]["email"] == 1
    assert not Notice.objects.exists()  # the preview sends nothing

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"text": "请带水杯", "confirm": "True"})

    assert response.status_code == 302
    assert "请带水杯" in Notice.objects.get(recipient=parent).text
    assert len(mail.outbox) == 1


def test_an_empty_message_is_refused(client, events_staff, registered):
    client.force_login(events_staff)

    url = reverse("events:message", args=[registered.pk])
    client.post(url, {"text": " "})
    client.post(url, {"text": " ", "confirm": "True"})

    assert not Notice.objects.exists()


def test_the_attendee_list_runs_a_fixed_number_of_queries(
    community, client, events_staff, festival, django_assert_max_num_queries
):
    activity = make_activity(festival, capacity=200)
    add_question(activity, "问题", required=False)
    for n in range(40):
        user = make_user(f"居民{n}")
        services.register(activity, user=user, members=[user.member])
    client.force_login(events_staff)

    for fmt in ("", "csv", "xlsx"):
        with django_assert_max_num_queries(8):
            response = client.get(reverse("events:attendees", args=[activity.pk]), {"format": fmt})
        assert response.status_code == 200
    with django_assert_max_num_queries(8):
        client.get(reverse("events:staff"))


def test_figures_count_attendance_no_shows_walk_ins_and_new_residents(
    events_staff, parent, child, resident, elder, festival, track, time_machine
):
    earlier = Event.objects.create(
        title="春节游园",
        starts_on=festival.starts_on - timedelta(days=100),
        ends_on=festival.starts_on - timedelta(days=100),
        is_published=True,
    )
    old = make_activity(earlier, registration_opens_at=None)
    booking = Booking.objects.create(activity=old, household_id=elder.household_id, booked_by=elder)
    Registration.objects.create(
        booking=booking, activity=old, member=elder.member, checked_in_at=at(earlier.starts_on, 9)
    )

    sports = make_activity(festival, track=track)
    gala = make_activity(festival, title="联欢", track=None)
    services.register(sports, user=parent, members=[parent.member, child])
    services.register(sports, user=elder, members=[elder.member])
    services.register(gala, user=resident, members=[resident.member])
    time_machine.move_to(at(festival.starts_on, 8), tick=False)  # the gate opens on the day
    for code in Registration.objects.filter(activity=sports).values_list("ticket_code", flat=True):
        if code != Registration.objects.get(member=child).ticket_code:
            services.check_in(by=events_staff, code=code)
    services.record_walk_in(sports, name="路人", by=events_staff)

    figures = event_figures(festival)

    sports_line = dict((a.title, line) for a, line in figures["activities"])["趣味运动会"]
    assert (
        sports_line.registered,
        sports_line.attended,
        sports_line.walk_ins,
        sports_line.no_shows,
    ) == (3, 3, 1, 1)
    assert sports_line.no_show_rate == pytest.approx(33.3)
    assert figures["total"].registered == 4 and figures["total"].no_shows == 2
    assert [t.label for t in figures["tracks"]] == ["睦邻乐", ""]
    assert figures["people_reached"] == 2  # 张妈妈, 刘奶奶 (the walk-in is not a resident on file)
    assert figures["new_people"] == 1  # 刘奶奶 came to the spring fair already
    assert figures["households_reached"] == 2


def test_the_figures_page_for_staff(client, events_staff, resident, festival, registered):
    client.force_login(events_staff)

    response = client.get(reverse("events:figures", args=[festival.pk]))

    assert response.status_code == 200
    assert "趣味运动会" in response.content.decode()
    client.force_login(resident)
    assert client.get(reverse("events:figures", args=[festival.pk])).status_code == 403


def test_staff_ask_the_volunteers_module_for_a_post_for_a_service_stall(
    client, events_staff, festival
):
    from volunteers.models import Post

    stall = make_activity(
        festival, title="便民服务：磨刀", kind="service", needs_registration=False
    )
    client.force_login(events_staff)
    url = reverse("events:volunteer-post", args=[stall.pk])

    response = client.post(url, {"capacity": "3"})

    assert response.status_code == 302
    stall.refresh_from_db()
    post = stall.volunteer_post
    assert (post.title, post.capacity, post.start) == ("便民服务：磨刀", 3, stall.starts_at)
    assert post.source == f"events:activity:{stall.pk}"
    client.post(url, {"capacity": "3"})
    assert Post.objects.count() == 1


def test_deleting_the_volunteer_post_keeps_the_stall(events_staff, festival):
    stall = make_activity(festival, title="便民服务：磨刀", kind="service")
    post = services.create_volunteer_post(stall, capacity=2, by=events_staff)

    post.delete()

    stall.refresh_from_db()
    assert stall.volunteer_post is None
    # and staff may ask for a new one
    again = services.create_volunteer_post(stall, capacity=2, by=events_staff)
    stall.refresh_from_db()
    assert stall.volunteer_post == again


def test_volunteer_posts_only_for_stalls_and_only_by_staff(
    client, events_staff, resident, activity
):
    client.force_login(resident)
    assert (
        client.post(
            reverse("events:volunteer-post", args=[activity.pk]), {"capacity": 2}
        ).status_code
        == 403
    )
    with translation.override("en"), pytest.raises(services.EventError, match="service and"):
        services.create_volunteer_post(activity, capacity=2, by=events_staff)
    activity.refresh_from_db()
    assert activity.volunteer_post is None


def test_the_figures_download_as_csv(client, events_staff, festival, registered):
    client.force_login(events_staff)

    response = client.get(reverse("events:figures", args=[festival.pk]), {"format": "csv"})

    lines = response.content.decode("utf-8-sig").strip().splitlines()
    assert lines[0] == "Figures"
    assert lines[1].startswith("Track,Activity,Registered")
    assert lines[2] == "睦邻乐,趣味运动会,2,0,0,2,100%"
    assert lines[3] == "Total,,2,0,0,2,100%"
    assert lines[-1].endswith(",0")


def test_a_closed_registration_is_shown_as_closed_not_as_places_left(client, festival):
    make_activity(festival, registration_closes_at=at(festival.starts_on, 0) - timedelta(days=30))

    body = client.get(reverse("events:programme", args=[festival.pk])).content.decode()

    assert "Registration closed" in body
    assert "places left" not in body


def test_staff_register_an_elder_who_phones_in(client, events_staff, elder, activity):
    client.force_login(events_staff)
    url = reverse("events:staff-register", args=[activity.pk])

    found = client.get(url, {"q": elder.mobile[-4:]}).content.decode()
    assert "刘奶奶" in found
    response = client.post(
        f"{url}?household={elder.household_id}", {f"person_{elder.member.pk}": "on"}
    )

    assert response.status_code == 302
    booking = Booking.objects.get()
    assert (booking.booked_by, booking.entered_by) == (elder, events_staff)
    assert booking.registrations.get().member == elder.member


def test_staff_registration_follows_the_same_rules(client, events_staff, parent, child, festival):
    activity = make_activity(festival, max_age=12)
    client.force_login(events_staff)

    response = client.post(
        reverse("events:staff-register", args=[activity.pk]) + f"?household={parent.household_id}",
        {f"person_{parent.member.pk}": "on", f"person_{child.pk}": "on"},
    )

    assert response.status_code == 200
    assert "outside the age range" in response.content.decode()
    assert not Booking.objects.exists()


def test_residents_cannot_register_other_households(client, resident, elder, activity):
    client.force_login(resident)

    response = client.post(
        reverse("events:staff-register", args=[activity.pk]) + f"?household={elder.household_id}",
        {f"person_{elder.member.pk}": "on"},
    )

    assert response.status_code == 403
    assert not Booking.objects.exists()


def test_the_figures_page_counts_people_who_came_in_events_words(
    zh_client, events_staff, festival, registered
):
    zh_client.force_login(events_staff)
    page = zh_client.get(reverse("events:figures", args=[festival.pk])).content.decode()
    assert "已到场" in page  # the volunteers' "Attended" (出勤) is for shifts, not visitors


def test_the_exports_neutralise_formula_answers_and_names_and_keep_numbers_numbers(
    client, events_staff, festival, parent, child, activity
):
    text = add_question(activity, "备注", required=False)
    number = add_question(activity, "人数", Question.Kind.NUMBER, required=False)
    child.name = FORMULAS[0]
    child.save()
    activity.title = "@SUM(A1)"
    activity.save()
    services.register(
        activity,
        user=parent,
        members=[parent.member, child],
        answers={
            parent.member.pk: {text.pk: "=1+1", number.pk: "-5"},
            child.pk: {text.pk: "+cmd", number.pk: "2.5"},
        },
    )
    client.force_login(events_staff)
    url = reverse("events:attendees", args=[activity.pk])

    rows = csv_rows(client.get(url, {"format": "csv"}))
    sheet = xlsx_rows(client.get(url, {"format": "xlsx"}))
    figures = csv_rows(client.get(reverse("events:figures", args=[festival.pk]), {"format": "csv"}))

    for found in (rows, sheet):
        assert live_formulas(found) == []
        assert {r[0] for r in found[1:]} == {parent.real_name, neutralised(FORMULAS[0])}
        assert {r[-2] for r in found[1:]} == {neutralised("=1+1"), neutralised("+cmd")}
    assert {r[-1] for r in sheet[1:]} == {-5, 2.5}
    assert live_formulas(figures) == [] and figures[2][1] == neutralised("@SUM(A1)")


@pytest.mark.parametrize(
    ("language", "sheet", "activity_label"),
    [("zh-hans", "参加名单", "活动项目"), ("en", "Attendees", "Activity")],
)
def test_the_excel_attendees_are_titled_with_the_activity_and_ages_are_numbers(
    client, events_staff, registered, language, sheet, activity_label
):
    client.force_login(events_staff)
    client.cookies["portal_language"] = language

    response = client.get(reverse("events:attendees", args=[registered.pk]), {"format": "xlsx"})

    ws = workbook(response).active
    assert ws.title == sheet
    lines = title_block(ws)
    assert lines[0].startswith("公园路社区 ")
    assert any(line.startswith(activity_label) and registered.title in line for line in lines)
    assert any("吴活动" in line for line in lines)
    ages = [ws.cell(row, 2) for row in range(header_row(ws) + 1, ws.max_row + 1)]
    assert ages and all(c.data_type == "n" and c.number_format == "0" for c in ages if c.value)


@pytest.mark.parametrize(
    ("language", "sheets", "total"),
    [("zh-hans", ["统计数据", "覆盖人数"], "合计"), ("en", ["Figures", "Reach"], "Total")],
)
def test_the_excel_figures_total_as_the_page_with_the_rate_in_percent(
    client, events_staff, festival, registered, language, sheets, total
):
    client.force_login(events_staff)
    client.cookies["portal_language"] = language
    url = reverse("events:figures", args=[festival.pk])
    page = client.get(url).context

    response = client.get(url, {"format": "xlsx"})

    book = workbook(response)
    assert book.sheetnames == sheets
    rows = xlsx_rows(response, sheets[0])
    figures = book[sheets[0]]
    last = rows[-1]
    t = page["total"]
    assert last[0] == total
    assert last[2:6] == (t.registered, t.attended, t.walk_ins, t.no_shows)
    assert last[6] == pytest.approx(t.no_show_rate / 100)
    assert figures.cell(figures.max_row, 7).number_format == "0%"
    assert figures.cell(header_row(figures) + 1, 7).number_format == "0%"
    reach = xlsx_rows(response, sheets[1])
    assert reach[1][1] == page["households_reached"] and reach[2][1] == page["new_people"]


@needs_soffice
def test_libreoffice_opens_the_attendees_and_the_figures(
    client, events_staff, festival, registered, tmp_path
):
    client.force_login(events_staff)
    attendees = client.get(reverse("events:attendees", args=[registered.pk]), {"format": "xlsx"})
    opens_in_libreoffice(attendees.content, tmp_path, "attendees")
    figures = client.get(reverse("events:figures", args=[festival.pk]), {"format": "xlsx"})
    opens_in_libreoffice(figures.content, tmp_path, "figures")
