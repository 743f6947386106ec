"""Staff's admin: web-sized images, publishing, cloning a festival as a draft, raising capacity."""

from datetime import date
from io import BytesIO
from types import SimpleNamespace

import pytest
from django.contrib.admin.sites import site
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from events import services
from events.models import Activity, Event, Question, Registration
from portal.models import Notice
from tests.events.helpers import add_question, make_activity

pytestmark = pytest.mark.django_db


def png(size=(2000, 1500)):
    out = BytesIO()
    Image.new("RGB", size, "red").save(out, format="PNG")
    return SimpleUploadedFile("poster.png", out.getvalue(), content_type="image/png")


def test_a_poster_gets_a_web_sized_copy(settings, tmp_path, festival):
    settings.MEDIA_ROOT = tmp_path

    activity = make_activity(festival, image=png())

    assert activity.thumbnail.name.endswith("-thumb.jpg")
    with Image.open(activity.thumbnail.path) as img:
        assert max(img.size) <= 960


def test_cloning_copies_tracks_activities_and_questions_as_an_unpublished_draft(
    parent, child, festival, track
):
    activity = make_activity(festival, track=track)
    q = add_question(activity, "T恤尺码", Question.Kind.CHOICE, choices="S\nM")
    services.register(activity, user=parent, members=[child], answers={child.pk: {q.pk: "S"}})

    copy = services.clone_event(festival, starts_on=date(2027, 6, 12), title="第二届")

    assert not copy.is_published and copy.cloned_from == festival
    assert (copy.starts_on, copy.ends_on) == (date(2027, 6, 12), date(2027, 6, 13))
    assert list(copy.tracks.values_list("name", flat=True)) == ["睦邻乐"]
    new = copy.activities.get()
    assert new.track.event == copy
    assert new.starts_at.date() == date(2027, 6, 12)
    assert new.registration_opens_at == activity.registration_opens_at + (
        date(2027, 6, 12) - festival.starts_on
    )
    assert list(new.questions.values_list("label", "choices")) == [("T恤尺码", "S\nM")]
    assert not Registration.objects.filter(activity=new).exists()
    assert festival.activities.count() == 1


def test_the_admin_action_clones_to_next_year(client, events_staff, festival, track):
    make_activity(festival, track=track)
    client.force_login(events_staff)

    response = client.post(
        reverse("admin:events_event_changelist"),
        {"action": "clone_as_draft", "_selected_action": [festival.pk]},
    )

    assert response.status_code == 302
    copy = Event.objects.exclude(pk=festival.pk).get()
    assert copy.starts_on == date(2027, 6, 13)
    assert not copy.is_published
    assert copy.activities.count() == 1


def test_the_admin_publish_action(client, events_staff):
    draft = Event.objects.create(title="草稿", starts_on=date(2026, 7, 1), ends_on=date(2026, 7, 1))
    client.force_login(events_staff)

    client.post(
        reverse("admin:events_event_changelist"),
        {"action": "publish", "_selected_action": [draft.pk]},
    )

    draft.refresh_from_db()
    assert draft.is_published


def test_raising_capacity_in_the_admin_promotes_the_waiting_list(
    rf, events_staff, resident, parent, child, festival
):
    activity = make_activity(festival, capacity=1)
    services.register(activity, user=resident, members=[resident.member])
    family = services.register(activity, user=parent, members=[parent.member, child])
    model_admin = site._registry[Activity]
    request = rf.post("/")
    request.user = events_staff
    request._messages = SimpleNamespace(add=lambda *a, **k: None)
    activity.capacity = 3

    model_admin.save_model(request, activity, SimpleNamespace(changed_data=["capacity"]), True)

    assert set(family.registrations.values_list("status", flat=True)) == {"confirmed"}
    assert Notice.objects.filter(recipient=parent).exists()


def test_registrations_are_read_only_in_the_admin(client, events_staff, resident, activity):
    reg = services.register(activity, user=resident, members=[resident.member]).registrations.get()
    client.force_login(events_staff)

    assert client.get(reverse("admin:events_registration_changelist")).status_code == 200
    assert client.get(reverse("admin:events_registration_add")).status_code == 403
    page = client.get(reverse("admin:events_registration_change", args=[reg.pk]))
    assert reg.ticket_token not in page.content.decode()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ("other-track", "track"),
        ("ends-before", "ends_at"),
        ("ages-reversed", "max_age"),
        ("no-places", "capacity"),
    ],
    ids=["track-of-another-event", "ends-before-it-starts", "ages-reversed", "no-places"],
)
def test_the_activity_form_refuses_inconsistent_settings(festival, track, change, field):
    from django.core.exceptions import ValidationError

    activity = make_activity(festival, track=track)
    if change == "other-track":
        other = Event.objects.create(
            title="别的", starts_on=date(2026, 8, 1), ends_on=date(2026, 8, 1)
        )
        activity.track = other.tracks.create(name="睦邻歌")
    elif change == "ends-before":
        activity.ends_at = activity.starts_at.replace(hour=8)
    elif change == "ages-reversed":
        activity.min_age, activity.max_age = 12, 5
    else:
        activity.capacity = 0

    with pytest.raises(ValidationError) as info:
        activity.full_clean()
    assert field in info.value.message_dict


def test_the_event_admin_page_lists_its_activities(client, events_staff, festival, activity):
    client.force_login(events_staff)

    response = client.get(reverse("admin:events_event_change", args=[festival.pk]))

    assert response.status_code == 200
    assert "趣味运动会" in response.content.decode()


def test_bookings_cannot_be_deleted_in_the_admin(client, events_staff, resident, activity):
    booking = services.register(activity, user=resident, members=[resident.member])
    client.force_login(events_staff)

    assert client.get(reverse("admin:events_booking_delete", args=[booking.pk])).status_code == 403
    assert Registration.objects.filter(booking=booking).exists()


def test_a_new_time_or_place_set_in_the_admin_is_told_to_every_household_booked(
    rf, events_staff, resident, parent, child, festival
):
    from datetime import timedelta

    activity = make_activity(festival, capacity=1)
    services.register(activity, user=resident, members=[resident.member])
    services.register(activity, user=parent, members=[parent.member, child])  # waiting
    model_admin = site._registry[Activity]
    said = []
    request = rf.post("/")
    request.user = events_staff
    request._messages = SimpleNamespace(add=lambda level, text, *a, **k: said.append(str(text)))

    activity.title = "邻里游园会"
    model_admin.save_model(request, activity, SimpleNamespace(changed_data=["title"]), True)
    assert not Notice.objects.filter(kind=Notice.Kind.TIME_CHANGED).exists() and not said

    activity.place = "社区广场北侧"
    activity.starts_at += timedelta(hours=1)
    activity.ends_at += timedelta(hours=1)
    model_admin.save_model(
        request, activity, SimpleNamespace(changed_data=["place", "starts_at", "ends_at"]), True
    )
    told = Notice.objects.filter(kind=Notice.Kind.TIME_CHANGED)
    assert set(told.values_list("recipient", flat=True)) == {resident.pk, parent.pk}
    assert "社区广场北侧" in told.get(recipient=parent).text
    assert said == ["2 households were told of the new time or place."]


def test_an_activity_people_booked_is_not_deleted_in_the_admin(
    client, events_staff, resident, festival
):
    """Their places would vanish without a word; one nobody booked goes."""
    booked = make_activity(festival, title="剪纸课")
    services.register(booked, user=resident, members=[resident.member])
    empty = make_activity(festival, title="无人报名")
    client.force_login(events_staff)

    page = client.get(reverse("admin:events_activity_delete", args=[booked.pk]))
    assert page.status_code == 200 and f"剪纸课 · {resident.member.full_name}" in page.text
    client.post(reverse("admin:events_activity_delete", args=[booked.pk]), {"post": "yes"})
    client.post(
        reverse("admin:events_activity_changelist"),
        {"action": "delete_selected", "_selected_action": [booked.pk], "post": "yes"},
    )
    assert Activity.objects.filter(pk=booked.pk).exists()

    response = client.post(
        reverse("admin:events_activity_delete", args=[empty.pk]), {"post": "yes"}
    )
    assert response.status_code == 302 and not Activity.objects.filter(pk=empty.pk).exists()

    # nor the festival it belongs to, which would take its activities with it
    page = client.get(reverse("admin:events_event_delete", args=[festival.pk]))
    assert f"剪纸课 · {resident.member.full_name}" in page.text
    client.post(reverse("admin:events_event_delete", args=[festival.pk]), {"post": "yes"})
    assert Activity.objects.filter(pk=booked.pk).exists()
