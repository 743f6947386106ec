"""services.register / cancel_registration / promote_waiting: the rules of a place."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.utils import translation

from events import services
from events.models import Booking, Question, Registration
from portal.models import Notice
from tests.events.helpers import NOW, add_question, at, make_activity
from tests.factories import make_child, make_user

pytestmark = pytest.mark.django_db

C, W, X = (
    Registration.Status.CONFIRMED,
    Registration.Status.WAITING,
    Registration.Status.CANCELLED,
)


def statuses(activity):
    return list(
        Registration.objects.filter(activity=activity)
        .order_by("booking_id", "id")
        .values_list("member__name", "member__user__real_name", "status")
    )


def test_a_parent_registers_herself_and_her_child_and_both_get_places(parent, child, activity):
    booking = services.register(activity, user=parent, members=[parent.member, child])

    regs = list(booking.registrations.all())
    assert [r.status for r in regs] == [C, C]
    assert {r.member_id for r in regs} == {parent.member.pk, child.pk}
    assert all(r.confirmed_at == NOW for r in regs)
    assert len({r.ticket_token for r in regs}) == 2
    assert booking.household_id == parent.household_id


# Age on the activity's day (2026-06-13) against the range 5–12.
@pytest.mark.parametrize(
    ("born", "allowed"),
    [
        (date(2021, 6, 13), True),  # turns 5 on the day
        (date(2021, 6, 14), False),  # still 4 on the day
        (date(2013, 6, 14), True),  # 12, turns 13 the next day
        (date(2013, 6, 13), False),  # turns 13 on the day
    ],
    ids=["five-on-the-day", "four-on-the-day", "twelve-until-tomorrow", "thirteen-on-the-day"],
)
def test_the_age_range_counts_on_the_activity_day(parent, children_games, born, allowed):
    kid = make_child(parent, name="孩子", birth_date=born)

    if allowed:
        services.register(children_games, user=parent, members=[kid])
        assert Registration.objects.filter(member=kid, status=C).exists()
    else:
        with pytest.raises(services.EventError, match="outside the age range"):
            services.register(children_games, user=parent, members=[kid])
        assert not Registration.objects.exists()


def test_a_member_without_birth_date_is_refused_where_an_age_range_applies(parent, children_games):
    from portal.services import add_member

    kid = add_member(parent, name="无生日", relation="child", birth_date=None)

    with pytest.raises(services.EventError, match="birth date"):
        services.register(children_games, user=parent, members=[kid])
    assert not Registration.objects.exists()


@pytest.mark.parametrize(
    ("opens", "closes", "message"),
    [
        (NOW + timedelta(minutes=1), None, "opens on"),
        (NOW - timedelta(days=2), NOW, "has closed"),
        (NOW - timedelta(days=2), NOW - timedelta(seconds=1), "has closed"),
    ],
    ids=["not-open-yet", "closes-this-instant", "closed-a-second-ago"],
)
def test_registration_outside_the_window_is_refused(resident, festival, opens, closes, message):
    activity = make_activity(festival, registration_opens_at=opens, registration_closes_at=closes)

    with pytest.raises(services.EventError, match=message):
        services.register(activity, user=resident, members=[resident.member])
    assert not Booking.objects.exists()


def test_registration_open_exactly_at_the_opening_time(resident, festival):
    activity = make_activity(festival, registration_opens_at=NOW)

    services.register(activity, user=resident, members=[resident.member])

    assert Registration.objects.filter(activity=activity, status=C).count() == 1


def test_an_activity_without_registration_refuses_registrations(resident, festival):
    activity = make_activity(festival, needs_registration=False)

    with pytest.raises(services.EventError, match="no registration"):
        services.register(activity, user=resident, members=[resident.member])


def test_an_unpublished_event_refuses_registrations(resident, festival, activity):
    festival.is_published = False
    festival.save()

    with pytest.raises(services.EventError, match="not open yet"):
        services.register(activity, user=resident, members=[resident.member])


@pytest.mark.parametrize(
    ("limit", "already", "adding", "ok"),
    [(2, 0, 2, True), (2, 1, 1, True), (2, 1, 2, False), (1, 0, 2, False)],
    ids=["two-of-two", "second-later", "three-of-two", "two-of-one"],
)
def test_the_household_limit_counts_earlier_registrations(
    parent, festival, limit, already, adding, ok
):
    activity = make_activity(festival, household_limit=limit)
    kids = [make_child(parent, name=f"孩子{n}") for n in range(already + adding)]
    if already:
        services.register(activity, user=parent, members=kids[:already])

    if ok:
        services.register(activity, user=parent, members=kids[already:])
    else:
        with pytest.raises(services.EventError, match="at most"):
            services.register(activity, user=parent, members=kids[already:])
    assert Registration.objects.count() == (already + adding if ok else already)


def test_the_same_person_cannot_be_registered_twice(parent, child, activity):
    services.register(activity, user=parent, members=[child])

    with pytest.raises(services.EventError, match="already registered"):
        services.register(activity, user=parent, members=[parent.member, child])
    assert Registration.objects.count() == 1


def test_someone_from_another_household_cannot_be_registered(resident, parent, child, activity):
    with pytest.raises(services.EventError, match="your household"):
        services.register(activity, user=resident, members=[child])
    assert not Registration.objects.exists()


def test_nobody_chosen_is_refused(resident, activity):
    with pytest.raises(services.EventError, match="at least one"):
        services.register(activity, user=resident, members=[])


@pytest.mark.parametrize(
    ("kind", "choices", "value", "error"),
    [
        (Question.Kind.TEXT, "", "", "please answer"),
        (Question.Kind.TEXT, "", None, "please answer"),
        (Question.Kind.NUMBER, "", "many", "needs a number"),
        (Question.Kind.CHOICE, "S\nM\nL", "XXXL", "choose one"),
        (Question.Kind.YES_NO, "", None, "please answer"),
        (Question.Kind.CONSENT, "", False, "please agree"),
    ],
    ids=[
        "text-empty",
        "text-missing",
        "number-not-a-number",
        "choice-not-offered",
        "yes-no-missing",
        "consent-not-ticked",
    ],
)
def test_a_missing_or_bad_required_answer_is_refused(
    resident, activity, kind, choices, value, error
):
    q = add_question(activity, "问题", kind, choices=choices)

    with pytest.raises(services.EventError, match=error):
        services.register(
            activity,
            user=resident,
            members=[resident.member],
            answers={resident.member.pk: {q.pk: value}},
        )
    assert not Registration.objects.exists()


def test_answers_are_kept_per_person(parent, child, activity):
    size = add_question(activity, "T恤尺码", Question.Kind.CHOICE, choices="S\nM")
    first = add_question(activity, "第一次？", Question.Kind.YES_NO, required=False)
    services.register(
        activity,
        user=parent,
        members=[parent.member, child],
        answers={parent.member.pk: {size.pk: "M", first.pk: False}, child.pk: {size.pk: "S"}},
    )

    assert Registration.objects.get(member=parent.member).answers == {
        str(size.pk): "M",
        str(first.pk): False,
    }
    assert Registration.objects.get(member=child).answers == {str(size.pk): "S", str(first.pk): ""}


def test_a_household_that_does_not_fit_waits_together(parent, child, resident, festival):
    activity = make_activity(festival, capacity=2)
    services.register(activity, user=resident, members=[resident.member])

    booking = services.register(activity, user=parent, members=[parent.member, child])

    assert [r.status for r in booking.registrations.all()] == [W, W]
    assert Registration.objects.filter(activity=activity, status=C).count() == 1
    assert services.waiting_positions([activity.pk]) == {booking.pk: 1}


def test_newcomers_wait_behind_the_waiting_list_even_if_a_place_is_free(
    parent, child, resident, elder, festival
):
    activity = make_activity(festival, capacity=2)
    services.register(activity, user=resident, members=[resident.member])
    family = services.register(activity, user=parent, members=[parent.member, child])

    late = services.register(activity, user=elder, members=[elder.member])

    assert late.registrations.get().status == W
    assert services.waiting_positions([activity.pk]) == {family.pk: 1, late.pk: 2}


def test_cancelling_promotes_the_next_booking_whole_and_tells_them(
    parent, child, resident, festival, django_capture_on_commit_callbacks
):
    parent.email = "mum@example.com"
    parent.save()
    activity = make_activity(festival, capacity=2)
    mine = services.register(activity, user=resident, members=[resident.member])
    family = services.register(activity, user=parent, members=[parent.member, child])

    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_registration(mine.registrations.get(), by=resident)

    assert [r.status for r in family.registrations.all()] == [C, C]
    assert mine.registrations.get().status == X
    notice = Notice.objects.get(recipient=parent)
    assert "趣味运动会" in notice.text
    assert notice.text.startswith("有空出的名额了")  # the parent's language, not the canceller's
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["mum@example.com"]


def test_a_promoted_english_reader_is_told_in_english(
    parent, child, resident, festival, django_capture_on_commit_callbacks
):
    parent.email, parent.language = "mum@example.com", "en"
    parent.save()
    resident.language = "zh-hans"
    resident.save()
    activity = make_activity(festival, capacity=2)
    mine = services.register(activity, user=resident, members=[resident.member])
    services.register(activity, user=parent, members=[parent.member, child])

    with django_capture_on_commit_callbacks(execute=True), translation.override("zh-hans"):
        services.cancel_registration(mine.registrations.get(), by=resident)

    assert Notice.objects.get(recipient=parent).text.startswith("A place opened up:")
    assert mail.outbox[0].subject.endswith(": place from the waiting list")
    assert mail.outbox[0].body.startswith("A place opened up:")


def test_a_group_too_big_for_the_free_places_keeps_its_turn(
    parent, child, resident, elder, festival
):
    activity = make_activity(festival, capacity=2)
    first = services.register(activity, user=resident, members=[resident.member])
    services.register(activity, user=elder, members=[elder.member])
    family = services.register(activity, user=parent, members=[parent.member, child])
    other = make_user("赵邻居")
    single = services.register(activity, user=other, members=[other.member])

    services.cancel_registration(first.registrations.get(), by=resident)

    # One place free: the family of two waits, and the single behind them does not jump ahead.
    assert {r.status for r in family.registrations.all()} == {W}
    assert single.registrations.get().status == W
    assert services.waiting_positions([activity.pk]) == {family.pk: 1, single.pk: 2}


def test_raising_the_capacity_promotes_in_order(parent, child, resident, elder, festival):
    activity = make_activity(festival, capacity=1)
    services.register(activity, user=resident, members=[resident.member])
    family = services.register(activity, user=parent, members=[parent.member, child])
    single = services.register(activity, user=elder, members=[elder.member])

    promoted = services.set_capacity(activity, 3)

    assert promoted == [family]
    assert single.registrations.get().status == W
    assert Notice.objects.filter(recipient=parent).count() == 1
    assert not Notice.objects.filter(recipient=elder).exists()


def test_cancelling_after_the_cut_off_is_refused(resident, festival):
    activity = make_activity(festival, cancel_until=NOW - timedelta(minutes=1))
    reg = services.register(activity, user=resident, members=[resident.member]).registrations.get()

    with pytest.raises(services.EventError, match="Cancelling closed"):
        services.cancel_registration(reg, by=resident)
    reg.refresh_from_db()
    assert reg.status == C


def test_cancelling_twice_is_refused(resident, activity):
    reg = services.register(activity, user=resident, members=[resident.member]).registrations.get()
    services.cancel_registration(reg, by=resident)

    with pytest.raises(services.EventError, match="already cancelled"):
        services.cancel_registration(reg, by=resident)


def test_a_cancelled_person_may_register_again(resident, activity):
    reg = services.register(activity, user=resident, members=[resident.member]).registrations.get()
    services.cancel_registration(reg, by=resident)

    services.register(activity, user=resident, members=[resident.member])

    assert Registration.objects.filter(member=resident.member, status=C).count() == 1


def test_the_cut_off_defaults_to_the_start(resident, festival):
    activity = make_activity(festival, starts_at=at(festival.starts_on, 9))
    reg = services.register(activity, user=resident, members=[resident.member]).registrations.get()

    assert reg.can_cancel(NOW)
    assert not reg.can_cancel(activity.starts_at)
