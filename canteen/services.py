"""Canteen workflows: publishing menus, booking, recording meals, settling months, love meals.

Each function runs in one transaction and raises `CanteenError` (a translated message) when the
request is refused; nothing is changed then. `save_menu` refuses with the model's
`ValidationError` instead, the error its forms show.
"""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.timezone import now
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from canteen import pricing
from canteen.models import (
    Booking,
    CanteenSettings,
    ClosedMonth,
    Collector,
    LoveMealDelivery,
    LoveMealRecipient,
    MealRecord,
    Menu,
    ResidentCategory,
    SubsidisedSlot,
    SubsidyLine,
    SubsidyRule,
    first_of_month,
    price_error,
    week_start,
)
from portal.cache import changed as cache_changed
from portal.calling_off import mark_called_off, reason_refusal
from portal.models import Community, HouseholdMember, User
from portal.notices import notify_called_off
from volunteers.models import Signup, Source
from volunteers.services import VolunteerError, create_post


class CanteenError(Exception):
    """A canteen request that is refused; the message is translated and shown to the user."""


# ---------------------------------------------------------------- pricing helpers


def quote_for(member: HouseholdMember, menu: Menu, *, rules=None, categories=None):
    """The price after subsidy for this person and menu (rules and categories loaded if absent)."""
    if rules is None:
        rules = list(SubsidyRule.objects.valid_on(menu.day))
    if categories is None:
        categories = list(ResidentCategory.objects.filter(member=member))
    return pricing.quote(
        menu.price,
        day=menu.day,
        birth_date=member.dob,
        categories=pricing.held_categories(categories, menu.day),
        rules=rules,
    )


def is_month_closed(day: date) -> bool:
    return ClosedMonth.objects.filter(month=first_of_month(day)).exists()


# ---------------------------------------------------------------- menus


def lock_menu(pk) -> Menu:
    """The menu, its row locked until the transaction ends: the one lock taken before counting
    its portions (booking, the counter, calling off) or changing its plan (the staff page, the
    admin). One statement for all of them, so they lock in the same order and cannot deadlock."""
    return Menu.objects.select_for_update().select_related("slot").get(pk=pk)


# What staff plan on a menu (the staff page's form, the admin's). Publishing and calling off are
# workflows of their own: a plan saved after them must not write their fields back.
PLAN_FIELDS = ["day", "slot", "price", "portion_limit", "note", "updated_at"]


@transaction.atomic
def save_menu(menu: Menu, *, dishes=None) -> Menu:
    """Save a menu staff planned or changed (`dishes` too, unless None), holding its row locked.

    `Menu.clean()` refuses fewer portions than are taken, or a new day or slot for a menu people
    booked, when the form is checked; a booking could land between that check and the save. So
    the check runs again here under the lock bookings take, and refuses with the same
    `ValidationError` (the callers show it on the form), saving nothing.
    """
    if menu.pk is None:
        try:
            with transaction.atomic():  # another staff member may plan the same meal this moment
                menu.save()
        except IntegrityError:
            menu.pk = None
            raise ValidationError(menu.unique_error_message(Menu, ["day", "slot"])) from None
    else:
        try:
            lock_menu(menu.pk)
        except Menu.DoesNotExist:
            raise ValidationError(
                _("This menu was deleted in the meantime; nothing was saved.")
            ) from None
        menu.check_against_bookings()
        menu.save(update_fields=PLAN_FIELDS)
    if dishes is not None:
        menu.dishes.set(dishes)
    return menu


@transaction.atomic
def publish_menus(menus) -> int:
    """Publish the given draft menus (each checked: a price in range and at least one dish)."""
    count = 0
    stamp = now()
    community = Community.current()
    for menu in Menu.objects.select_for_update().filter(pk__in=[m.pk for m in menus]):
        if menu.is_published:
            continue
        error = price_error(menu.price, community)
        if error:
            raise CanteenError(error)
        if not menu.dishes.exists():
            raise CanteenError(_("The menu for %(menu)s has no dishes yet.") % {"menu": menu})
        menu.is_published, menu.published_at = True, stamp
        menu.save(update_fields=["is_published", "published_at", "updated_at"])
        count += 1
    return count


@transaction.atomic
def publish_week(start: date) -> int:
    """Publish every draft menu of the week starting on Monday `start`."""
    menus = list(Menu.objects.filter(day__gte=start, day__lt=start + timedelta(days=7)))
    if not menus:
        raise CanteenError(_("There are no menus to publish in this week."))
    return publish_menus(menus)


@transaction.atomic
def copy_last_week(start: date) -> int:
    """Copy the previous week's menus into the week starting `start`, as drafts.

    Days and slots that already have a menu are left alone, so copying twice adds nothing.
    Prices out of today's range are refused before anything is copied.
    """
    start = week_start(start)
    source = list(
        Menu.objects.between(start - timedelta(days=7), start - timedelta(days=1)).filter(
            slot__is_active=True  # a slot the canteen stopped serving is not carried forward
        )
    )
    if not source:
        raise CanteenError(_("Last week has no menus to copy."))
    community = Community.current()
    for menu in source:
        error = price_error(menu.price, community)
        if error:
            raise CanteenError(error)
    existing = set(
        Menu.objects.filter(day__gte=start, day__lt=start + timedelta(days=7)).values_list(
            "day", "slot_id"
        )
    )
    created = 0
    for menu in source:
        day = menu.day + timedelta(days=7)
        if (day, menu.slot_id) in existing:
            continue
        copy = Menu.objects.create(
            day=day,
            slot=menu.slot,
            price=menu.price,
            portion_limit=menu.portion_limit,
            note=menu.note,
        )
        copy.dishes.set(menu.dishes.all())
        created += 1
    return created


# ---------------------------------------------------------------- bookings


def _portions_taken(menu: Menu) -> int:
    booked = Booking.objects.filter(menu=menu, status=Booking.Status.BOOKED).count()
    walk_ins = MealRecord.objects.filter(
        menu=menu, kind=MealRecord.Kind.MEAL, booking__isnull=True, reversed_by__isnull=True
    ).count()
    return booked + walk_ins


def _check_portions(menu: Menu) -> None:
    """Refuse when the (locked) menu has no portions left."""
    if menu.portion_limit is not None and _portions_taken(menu) >= menu.portion_limit:
        raise CanteenError(
            _("Sorry, %(menu)s is fully booked (%(limit)s portions).")
            % {"menu": menu, "limit": menu.portion_limit}
        )


@transaction.atomic
def book(menu: Menu, member: HouseholdMember, *, by, channel=Booking.Channel.ONLINE) -> Booking:
    """Book a meal for one person; holds the portion limit under concurrency (menu row locked)."""
    menu = lock_menu(menu.pk)
    if not menu.is_published:
        raise CanteenError(_("This menu is not open for booking."))
    if menu.is_called_off:
        raise CanteenError(_("This meal has been called off."))
    if member.has_left:
        raise CanteenError(
            _("%(name)s is no longer in a household here.") % {"name": member.full_name}
        )
    if now() >= menu.cutoff():
        raise CanteenError(
            _("Bookings for %(menu)s closed at %(cutoff)s.")
            % {"menu": menu, "cutoff": timezone.localtime(menu.cutoff()).strftime("%H:%M")}
        )
    if Booking.objects.filter(menu=menu, member=member, status=Booking.Status.BOOKED).exists():
        raise CanteenError(
            _("%(name)s already has a booking for %(menu)s.")
            % {"name": member.full_name, "menu": menu}
        )
    _check_portions(menu)
    try:
        with transaction.atomic():
            return Booking.objects.create(menu=menu, member=member, booked_by=by, channel=channel)
    except IntegrityError:
        raise CanteenError(
            _("%(name)s already has a booking for %(menu)s.")
            % {"name": member.full_name, "menu": menu}
        ) from None


@transaction.atomic
def cancel_booking(booking: Booking, *, after_cutoff: bool = False) -> Booking:
    """Cancel a booking until the slot's cut-off; the portion goes back to the pool.

    `after_cutoff`: staff cancel later for a resident who called (the admin's action).
    """
    booking = Booking.objects.select_for_update().select_related("menu__slot").get(pk=booking.pk)
    if booking.status != Booking.Status.BOOKED:
        raise CanteenError(_("This booking is already cancelled."))
    if now() >= booking.menu.cutoff() and not after_cutoff:
        raise CanteenError(
            _("It is past the cut-off; please call the canteen to cancel %(menu)s.")
            % {"menu": booking.menu}
        )
    if booking.meal_records.exists():
        raise CanteenError(_("This meal has already been served."))
    booking.status, booking.cancelled_at = Booking.Status.CANCELLED, now()
    booking.save(update_fields=["status", "cancelled_at"])
    return booking


def places_to_call_off(menu: Menu):
    """The bookings calling `menu` off cancels: the live ones not yet served."""
    return Booking.objects.live().filter(menu=menu, meal_records__isnull=True)


@transaction.atomic
def call_off_menu(menu: Menu, *, by, reason: str) -> int:
    """Call off a published meal (the water is cut, the kitchen closed): every booking is
    cancelled and whoever it was for is told once, with the reason, by text too (the person's
    own account, or their household's when they have none: an elder's daughter). Meals already
    served stay on the record. Returns how many people were told; raises CanteenError, changing
    nothing, when it cannot."""
    refusal = reason_refusal(reason)
    if refusal:
        raise CanteenError(refusal)
    menu = lock_menu(menu.pk)
    if not menu.is_published:
        raise CanteenError(_("Only a published menu can be called off; a draft can be deleted."))
    if menu.is_called_off:
        raise CanteenError(_("This meal has already been called off."))
    at = now()
    if menu.day < timezone.localdate(at):
        raise CanteenError(_("This meal is over; there is nothing left to call off."))
    mark_called_off(menu, by=by, reason=reason, at=at)
    bookings = places_to_call_off(menu)
    members = list(HouseholdMember.objects.filter(canteen_bookings__in=bookings).distinct())
    bookings.update(status=Booking.Status.CANCELLED, cancelled_at=at)
    cache_changed("canteen")  # update() sends no signals
    return notify_called_off(
        _accounts_to_tell(members),
        gettext_lazy("“%(title)s” (%(time)s) is called off: %(reason)s"),
        reverse("canteen:my-meals"),
        title=str(menu.slot),
        start=menu.slot.serves_on(menu.day),
        end=None,
        reason=menu.called_off_reason,
    )


def _accounts_to_tell(members) -> list:
    """Each member's own account; for a member without one, the household's active accounts."""
    accounts = {m.user_id for m in members if m.user_id}
    households = [m.household_id for m in members if not m.user_id]
    users = User.objects.filter(is_active=True).filter(
        Q(pk__in=accounts) | Q(household_id__in=households)
    )
    return list(users)


# ---------------------------------------------------------------- the counter


@transaction.atomic
def record_meal(
    menu: Menu, member: HouseholdMember, *, by, collector: Collector | None = None
) -> MealRecord:
    """Record a meal served at the counter, booked or walk-in, pricing it at this moment.

    Copies the price and each subsidy line onto the record. The first meal of a person in a
    slot on a day gets the subsidy (claimed in SubsidisedSlot, which the database keeps unique);
    a further meal is charged in full. A walk-in uses a portion.
    """
    menu = lock_menu(menu.pk)
    if member is None or not HouseholdMember.objects.filter(pk=member.pk).exists():
        raise CanteenError(_("Unknown person: find them again and retry."))
    if member.has_left:
        raise CanteenError(
            _("%(name)s is no longer in a household here.") % {"name": member.full_name}
        )
    if not menu.is_published:
        raise CanteenError(_("This menu is not published."))
    if menu.is_called_off:
        raise CanteenError(_("This meal has been called off."))
    if menu.day > timezone.localdate():
        raise CanteenError(_("A meal can only be recorded on its day or later."))
    if is_month_closed(menu.day):
        raise CanteenError(
            _("%(month)s is closed; meals can no longer be recorded in it.")
            % {"month": menu.day.strftime("%Y-%m")}
        )
    if collector is not None and collector.member_id != member.pk:
        raise CanteenError(
            _("That person is not allowed to collect for %(name)s.") % {"name": member.full_name}
        )
    booking = (
        Booking.objects.select_for_update()
        .filter(menu=menu, member=member, status=Booking.Status.BOOKED)
        .first()
    )
    if (
        booking is not None
        and booking.meal_records.filter(
            kind=MealRecord.Kind.MEAL, reversed_by__isnull=True
        ).exists()
    ):
        booking = None  # the booked meal was served already; this one is a walk-in
    if booking is None:
        _check_portions(menu)

    already = SubsidisedSlot.objects.filter(member=member, day=menu.day, slot=menu.slot).exists()
    quote = pricing.Quote(price=menu.price) if already else quote_for(member, menu)
    record = MealRecord.objects.create(
        menu=menu,
        day=menu.day,
        slot=menu.slot,
        month=first_of_month(menu.day),
        member=member,
        person_name=member.full_name,
        age=member.age_on(menu.day),
        booking=booking,
        price=quote.price,
        subsidy=quote.subsidy,
        paid=quote.to_pay,
        collector=collector,
        collector_name=collector.name if collector else "",
        recorded_by=by,
    )
    SubsidyLine.objects.bulk_create(
        SubsidyLine(
            record=record,
            month=record.month,
            rule=line.rule,
            rule_name=line.name,
            funder=line.funder,
            amount=line.amount,
        )
        for line in quote.lines
    )
    if quote.lines:
        try:
            with transaction.atomic():
                SubsidisedSlot.objects.create(
                    member=member, day=menu.day, slot=menu.slot, record=record
                )
        except IntegrityError:
            raise CanteenError(
                _("%(name)s already had a subsidised meal for %(menu)s.")
                % {"name": member.full_name, "menu": menu}
            ) from None
    return record


@transaction.atomic
def reverse_meal(record: MealRecord, *, reason: str, by) -> MealRecord:
    """Correct a mistaken meal by a new row negating it (price, subsidy lines, paid).

    The reversal settles in the original month while it is open, else in the current month.
    """
    record = MealRecord.objects.select_for_update().get(pk=record.pk)
    reason = (reason or "").strip()
    if not reason:
        raise CanteenError(_("Give a reason for the correction."))
    if record.kind != MealRecord.Kind.MEAL:
        raise CanteenError(_("Only a meal can be reversed."))
    if MealRecord.objects.filter(reverses=record).exists():
        raise CanteenError(_("This meal has already been reversed."))
    month = record.month
    if ClosedMonth.objects.filter(month=month).exists():
        month = first_of_month(timezone.localdate())
        if ClosedMonth.objects.filter(month=month).exists():
            raise CanteenError(_("The current month is closed."))
    reversal = MealRecord.objects.create(
        kind=MealRecord.Kind.REVERSAL,
        menu_id=record.menu_id,
        day=record.day,
        slot_id=record.slot_id,
        month=month,
        member_id=record.member_id,
        person_name=record.person_name,
        age=record.age,
        booking_id=record.booking_id,
        price=-record.price,
        subsidy=-record.subsidy,
        paid=-record.paid,
        collector_id=record.collector_id,
        collector_name=record.collector_name,
        reverses=record,
        reason=reason,
        recorded_by=by,
    )
    SubsidyLine.objects.bulk_create(
        SubsidyLine(
            record=reversal,
            month=reversal.month,
            rule_id=line.rule_id,
            rule_name=line.rule_name,
            funder=line.funder,
            amount=-line.amount,
        )
        for line in record.lines.all()
    )
    SubsidisedSlot.objects.filter(record=record).delete()  # the slot's subsidy is free again
    return reversal


# ---------------------------------------------------------------- collectors


@transaction.atomic
def add_collector(member: HouseholdMember, *, name: str, relation: str = "", mobile: str = ""):
    name = name.strip()
    if not name:
        raise CanteenError(_("Enter the collector's name."))
    if Collector.objects.filter(member=member, name=name, is_active=True).exists():
        raise CanteenError(_("%(name)s is already allowed to collect.") % {"name": name})
    return Collector.objects.create(member=member, name=name, relation=relation, mobile=mobile)


@transaction.atomic
def remove_collector(collector: Collector) -> None:
    """Withdraw the permission (kept, inactive, so past meal records still name them)."""
    collector.is_active = False
    collector.save(update_fields=["is_active"])


# ---------------------------------------------------------------- settlement


@transaction.atomic
def close_month(month: date, *, by) -> ClosedMonth:
    """Close a past month: its meal records can no longer change."""
    month = first_of_month(month)
    if month >= first_of_month(timezone.localdate()):
        raise CanteenError(_("Only a past month can be closed."))
    obj, created = ClosedMonth.objects.get_or_create(month=month, defaults={"closed_by": by})
    if not created:
        raise CanteenError(_("%(month)s is already closed.") % {"month": month.strftime("%Y-%m")})
    return obj


# ---------------------------------------------------------------- love meals


def love_meal_day(month: date) -> date:
    """The Love Meal Day of the month containing `month` (the community's setting)."""
    return month.replace(day=Community.current().love_meal_day_of_month)


def next_love_meal_day(today: date) -> date:
    day = love_meal_day(today)
    if day < today:
        nxt = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
        day = love_meal_day(nxt)
    return day


@transaction.atomic
def generate_love_meals(day: date, *, value: Decimal | None = None, by=None) -> int:
    """Create the day's free meal for each active recipient; running it again adds nothing.

    Each new delivery becomes a volunteer post when the volunteers module offers
    `create_post` (looked up at call time so the canteen works without it).
    """
    if value is None:
        value = Community.current().meal_price_min
    funder = CanteenSettings.current().love_meal_funder
    recipients = LoveMealRecipient.objects.filter(is_active=True).exclude(deliveries__day=day)
    created = []
    for recipient in recipients:
        delivery, was_created = LoveMealDelivery.objects.get_or_create(
            day=day,
            recipient=recipient,
            defaults={"portions": recipient.portions, "value": value, "funder": funder},
        )
        if was_created:
            created.append(delivery)
    for delivery in created:
        _post_for_delivery(delivery, by=by)
    return len(created)


def _post_for_delivery(delivery: LoveMealDelivery, *, by) -> None:
    """Offer the delivery to volunteers as a post of one place.

    Only the building is on the post (posts are public); the volunteer who takes it sees the
    full address on "my deliveries" (see `post_volunteers`).
    """
    tz = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.combine(delivery.day, time(11, 0)), tz)
    building = delivery.recipient.building or "-"
    try:
        post = create_post(
            title=_("Love Meal delivery · Building %(building)s") % {"building": building},
            place=_("Building %(building)s") % {"building": building},
            start=start,
            end=start + timedelta(hours=1, minutes=30),
            capacity=1,
            description=_("Deliver %(portions)s free meal(s) from the Neighbour Canteen.")
            % {"portions": delivery.portions},
            source=f"{Source.LOVE_MEAL_DELIVERY}{delivery.pk}",
            created_by=by,
        )
    except VolunteerError as e:
        raise CanteenError(str(e)) from None
    delivery.volunteer_post = post
    delivery.save(update_fields=["volunteer_post"])


def post_volunteers(post_ids) -> dict:
    """{post id: user} for the volunteers who took these delivery posts (confirmed signups)."""
    post_ids = [pk for pk in post_ids if pk]
    if not post_ids:
        return {}
    return {
        s.post_id: s.volunteer
        for s in Signup.objects.filter(
            post_id__in=post_ids, status=Signup.Status.CONFIRMED
        ).select_related("volunteer")
    }


def posts_taken_by(user):
    """The posts this user holds a confirmed place on, as a subquery (for "my deliveries")."""
    return Signup.objects.filter(volunteer=user, status=Signup.Status.CONFIRMED).values("post_id")


def delivery_volunteer(delivery: LoveMealDelivery, taken: dict):
    """Who delivers: the volunteer staff assigned, else the one who took the post."""
    return delivery.volunteer or taken.get(delivery.volunteer_post_id)


@transaction.atomic
def assign_delivery(delivery: LoveMealDelivery, volunteer) -> LoveMealDelivery:
    delivery = LoveMealDelivery.objects.select_for_update().get(pk=delivery.pk)
    if delivery.delivered_at:
        raise CanteenError(_("This meal has already been delivered."))
    delivery.volunteer = volunteer
    delivery.save(update_fields=["volunteer"])
    return delivery


@transaction.atomic
def mark_delivered(delivery: LoveMealDelivery) -> LoveMealDelivery:
    delivery = LoveMealDelivery.objects.select_for_update().get(pk=delivery.pk)
    if delivery.delivered_at:
        raise CanteenError(_("This meal has already been delivered."))
    delivery.delivered_at = now()
    delivery.save(update_fields=["delivered_at"])
    return delivery
