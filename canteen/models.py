"""The Neighbour Canteen (睦邻食堂): dishes, menus, subsidy policy, bookings, the meal ledger."""

from datetime import date, datetime, timedelta
from decimal import Decimal

import pgtrigger
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, Round
from django.db.models.lookups import Exact
from django.urls import reverse
from django.utils import timezone
from django.utils.timezone import now
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext, pgettext_lazy
from simple_history.models import HistoricalRecords

from portal.calling_off import CalledOff
from portal.fields import ImageField
from portal.ledgers import AppendOnlyModel, AppendOnlyQuerySet, append_only_triggers
from portal.lib.images import ThumbnailMixin
from portal.lib.localized import LocalizedMixin, english_version
from portal.models import Address, Community, HouseholdMember
from portal.singleton import SingletonSettings
from portal.validators import validate_image_file

MONEY = {"max_digits": 8, "decimal_places": 2}


def first_of_month(day: date) -> date:
    return day.replace(day=1)


class Funder(models.TextChoices):
    """Who pays a subsidy line. Only GOVERNMENT lines go into the government subsidy claim."""

    GOVERNMENT = "government", _("government (civil affairs)")
    COMMUNITY = "community", _("community")
    MICRO_FUND = "micro_fund", _("community micro-fund")
    CHARITY = "charity", _("charity")


class CanteenSettings(SingletonSettings):
    """The canteen's own knobs (a single row, pk=1), beside the community's prices and days."""

    watch_after_days = models.PositiveSmallIntegerField(
        _("check on a regular after (days absent)"),
        default=7,
        validators=[MinValueValidator(1)],
        help_text=_("A regular elder who has not eaten here for this many days is listed."),
    )
    regular_meals = models.PositiveSmallIntegerField(
        _("meals that make a regular"),
        default=8,
        validators=[MinValueValidator(1)],
        help_text=_("Meals in the 30 days before the absence began."),
    )
    love_meal_funder = models.CharField(
        _("Love Meals paid by"),
        max_length=20,
        choices=[c for c in Funder.choices if c[0] != Funder.GOVERNMENT],
        default=Funder.CHARITY,
        help_text=_("Free meals are funded apart and never enter the government claim."),
    )

    # who changed what, old and new values, in the admin (django-simple-history)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("canteen settings")
        verbose_name_plural = _("canteen settings")

    def __str__(self):
        return str(_("canteen settings"))


class MealSlot(LocalizedMixin, models.Model):
    """A service of the day (lunch, dinner): its order, serving time and booking cut-off."""

    name = models.CharField(pgettext_lazy("name of a thing", "name"), max_length=30)
    name_en = english_version(30)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    serves_at = models.TimeField(_("served from"), default="11:30")
    booking_cutoff = models.TimeField(
        _("booking cut-off"),
        default="09:00",
        help_text=_("Bookings and cancellations close at this time on the day of the meal."),
    )
    default_portion_limit = models.PositiveIntegerField(
        _("default portions per day"),
        null=True,
        blank=True,
        help_text=_("Copied onto new menus; empty means no limit."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    # who changed what, old and new values, in the admin (django-simple-history)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("meal slot")
        verbose_name_plural = _("meal slots")
        ordering = ["order", "id"]

    def __str__(self):
        return self.name

    def cutoff_on(self, day: date) -> datetime:
        """The aware moment bookings for this slot on `day` close (local time)."""
        naive = datetime.combine(day, self.booking_cutoff)
        return timezone.make_aware(naive, timezone.get_current_timezone())

    def serves_on(self, day: date) -> datetime:
        """The aware moment this slot on `day` starts serving (local time)."""
        naive = datetime.combine(day, self.serves_at)
        return timezone.make_aware(naive, timezone.get_current_timezone())


class Dish(ThumbnailMixin, LocalizedMixin, models.Model):
    """A dish on the canteen's repertoire, with the tags elders ask about."""

    class Balance(models.TextChoices):
        MEAT = "meat", _("meat")
        VEGETABLE = "vegetable", _("vegetable")
        MIXED = "mixed", _("meat and vegetable")
        STAPLE = "staple", _("staple")
        SOUP = "soup", _("soup")

    name = models.CharField(pgettext_lazy("name of a thing", "name"), max_length=60)
    name_en = english_version(60)
    description = models.CharField(_("short description"), max_length=200, blank=True)
    balance = models.CharField(
        _("meat / vegetable"), max_length=12, choices=Balance.choices, default=Balance.MIXED
    )
    is_soft = models.BooleanField(_("soft food"), default=False)
    is_low_salt = models.BooleanField(_("low salt"), default=False)
    is_low_sugar = models.BooleanField(_("low sugar"), default=False)

    class Allergen(models.TextChoices):
        """The allergens a dish may contain: a fixed list, shown in the reader's language."""

        PEANUT = "peanut", _("peanuts")
        TREE_NUT = "tree_nut", _("tree nuts")
        EGG = "egg", _("egg")
        MILK = "milk", _("milk")
        FISH = "fish", _("fish")
        SHELLFISH = "shellfish", _("shrimp, crab and shellfish")
        SOY = "soy", _("soy")
        WHEAT = "wheat", _("wheat (gluten)")
        SESAME = "sesame", _("sesame")

    # The codes of `Allergen`, comma-separated (the admin offers them as tick boxes). A word
    # from before the list existed is shown as it was typed.
    allergens = models.CharField(
        _("allergens"),
        max_length=120,
        blank=True,
        help_text=_("Tick every allergen the dish contains."),
    )
    photo = ImageField(
        _("photo"), upload_to="canteen/dishes/", blank=True, validators=[validate_image_file]
    )
    thumbnail = models.ImageField(
        _("thumbnail"), upload_to="canteen/dishes/thumbs/", blank=True, editable=False
    )
    # ThumbnailMixin: the menu page shows only thumbnails, small ones.
    thumbnail_source = "photo"
    thumbnail_size = (320, 320)
    is_active = models.BooleanField(_("on the repertoire"), default=True)

    # who changed what, old and new values, in the admin (django-simple-history)
    history = HistoricalRecords(excluded_fields=["thumbnail"])

    class Meta:
        verbose_name = _("dish")
        verbose_name_plural = _("dishes")
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def allergen_codes(self) -> list[str]:
        return [code.strip() for code in self.allergens.split(",") if code.strip()]

    @property
    def allergen_labels(self) -> list[str]:
        """The allergens in the reader's language (a code's label; an old typed word as is)."""
        return [
            str(Dish.Allergen(code).label) if code in Dish.Allergen.values else code
            for code in self.allergen_codes
        ]

    @property
    def allergen_text(self) -> str:
        return pgettext("between the items of a list", ", ").join(self.allergen_labels)

    @property
    def tags(self) -> list[str]:
        """Labels shown under the dish on the menu."""
        # The enum's label, not get_balance_display(): the menu page asks for every dish.
        tags = [Dish.Balance(self.balance).label if self.balance in Dish.Balance else self.balance]
        if self.is_soft:
            tags.append(_("soft"))
        if self.is_low_salt:
            tags.append(_("low salt"))
        if self.is_low_sugar:
            tags.append(_("low sugar"))
        return [str(t) for t in tags]


class MenuQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)

    def menu_days(self):
        """The distinct days these menus are on, in order (the menu page's day picker)."""
        return self.order_by("day").values_list("day", flat=True).distinct()

    def between(self, start: date, end: date):
        """Menus from start to end inclusive, by day and slot, with slot and dishes loaded."""
        return (
            self.filter(day__gte=start, day__lte=end)
            .select_related("slot")
            .prefetch_related("dishes")
            .order_by("day", "slot__order", "slot_id")
        )

    def with_portions_taken(self):
        """Annotate `portions_taken`: live bookings plus walk-in meals not reversed."""
        bookings = (
            Booking.objects.filter(menu=OuterRef("pk"), status=Booking.Status.BOOKED)
            .values("menu")
            .annotate(n=Count("pk"))
            .values("n")
        )
        walk_ins = (
            MealRecord.objects.filter(
                menu=OuterRef("pk"),
                kind=MealRecord.Kind.MEAL,
                booking__isnull=True,
                reversed_by__isnull=True,
            )
            .values("menu")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return self.annotate(
            portions_taken=Coalesce(Subquery(bookings), 0) + Coalesce(Subquery(walk_ins), 0)
        )


class Menu(CalledOff, models.Model):
    """What one slot of one day serves, and the price of its meal set."""

    day = models.DateField(_("day"))
    slot = models.ForeignKey(
        MealSlot, verbose_name=_("meal slot"), on_delete=models.PROTECT, related_name="menus"
    )
    dishes = models.ManyToManyField(Dish, verbose_name=_("dishes"), related_name="menus")
    price = models.DecimalField(_("price of the meal set (yuan)"), **MONEY)
    portion_limit = models.PositiveIntegerField(
        _("portions"), null=True, blank=True, help_text=_("Empty means no limit.")
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    is_published = models.BooleanField(_("published"), default=False)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = MenuQuerySet.as_manager()

    # who changed what, old and new values, in the admin (django-simple-history)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("menu")
        verbose_name_plural = _("menus")
        ordering = ["day", "slot__order"]
        constraints = [
            # One menu per slot and day: bookings and the counter look a menu up by both.
            models.UniqueConstraint(fields=["day", "slot"], name="canteen_menu_day_slot"),
            # The range itself is configurable (Community); a price is at least never zero.
            models.CheckConstraint(condition=Q(price__gt=0), name="canteen_menu_price_positive"),
        ]

    def __str__(self):
        return f"{self.day:%Y-%m-%d} {self.slot}"

    def clean(self):
        super().clean()
        if self.price is not None:
            error = price_error(self.price)
            if error:
                raise ValidationError({"price": error})
        if self.pk is not None:
            self.check_against_bookings()

    def check_against_bookings(self):
        """A menu people have booked or been served keeps its day and slot (their bookings are
        for that meal), and never gets fewer portions than are already taken.

        Run by `clean()` (the early, friendly refusal on the form) and again by
        `services.save_menu` under the menu's row lock, which the staff page and the admin save
        through: a booking can land between the form's check and the save."""
        before = (
            Menu.objects.with_portions_taken()
            .filter(pk=self.pk)
            .values("day", "slot_id", "portions_taken")
            .first()
        )
        if before is None:
            return
        if before["day"] != self.day or before["slot_id"] != self.slot_id:
            live = self.bookings.filter(status=Booking.Status.BOOKED).count()
            served = self.meal_records.filter(
                kind=MealRecord.Kind.MEAL, reversed_by__isnull=True
            ).count()
            if live or served:
                raise ValidationError(
                    _(
                        "%(booked)s booked and %(served)s served: this menu keeps its day and "
                        "meal slot. Cancel the bookings first, or plan a new menu."
                    )
                    % {"booked": live, "served": served}
                )
        taken = before["portions_taken"]
        if self.portion_limit is not None and self.portion_limit < taken:
            raise ValidationError(
                {
                    "portion_limit": _(
                        "%(taken)s portions are already booked or served: the limit cannot be "
                        "lower."
                    )
                    % {"taken": taken}
                }
            )

    def cutoff(self) -> datetime:
        return self.slot.cutoff_on(self.day)

    def is_bookable(self, at: datetime | None = None) -> bool:
        return self.is_published and not self.is_called_off and (at or now()) < self.cutoff()

    def portions_left(self) -> int | None:
        """Needs `with_portions_taken()`; None when there is no limit."""
        if self.portion_limit is None:
            return None
        return max(self.portion_limit - self.portions_taken, 0)


def price_error(price: Decimal, community: Community | None = None) -> str | None:
    """The reason a meal-set price is refused (outside the community's range), or None."""
    community = community or Community.current()
    if not (community.meal_price_min <= price <= community.meal_price_max):
        return _("A meal set costs between %(min)s and %(max)s yuan; %(price)s is outside.") % {
            "min": community.meal_price_min,
            "max": community.meal_price_max,
            "price": price,
        }
    return None


class Category(models.TextChoices):
    """Circumstances a resident can hold that some subsidy rules require."""

    LOW_INCOME = "low_income", _("low-income (dibao)")
    EXTREME_HARDSHIP = "extreme_hardship", _("extreme hardship (tekun)")
    DISABILITY = "disability", _("disability")
    EMPTY_NEST = "empty_nest", _("empty-nest elder")


class ResidentCategory(models.Model):
    """A household member's recognised circumstance (低保, 特困, …), from a date, for subsidies."""

    member = models.ForeignKey(
        HouseholdMember,
        verbose_name=pgettext_lazy("person at a meal", "person"),
        # the reason a subsidy was paid: kept with the meals it explains
        on_delete=models.PROTECT,
        related_name="canteen_categories",
    )
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    valid_from = models.DateField(_("valid from"), default=timezone.localdate)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    # who changed what, old and new values, in the admin (django-simple-history)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("resident category")
        verbose_name_plural = _("resident categories")
        constraints = [
            # Each circumstance once per person; a new period edits the dates.
            models.UniqueConstraint(fields=["member", "category"], name="canteen_member_category"),
        ]

    def __str__(self):
        return f"{self.member} · {self.get_category_display()}"

    def held_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


class SubsidyRuleQuerySet(models.QuerySet):
    def valid_on(self, day: date):
        return self.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day), valid_from__lte=day)

    def elder_age_on(self, day: date) -> int | None:
        """The youngest age an age-only rule subsidises on `day` (60 by the default rule), or
        None without one. Read by the welfare watch and the home page's canteen card."""
        return (
            self.valid_on(day)
            .filter(category="", min_age__isnull=False)
            .aggregate(age=models.Min("min_age"))["age"]
        )


class SubsidyRule(models.Model):
    """One line of the subsidy policy: who gets how much per meal, paid by whom, from when.

    A rule applies when the person is at least `min_age` on the meal's day (if set) and holds
    `category` on that day (if set). Of the rules that apply, the highest non-stacking one wins;
    stacking rules are added on top; the total never exceeds the price.
    """

    name = models.CharField(pgettext_lazy("name of a thing", "name"), max_length=80)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    min_age = models.PositiveSmallIntegerField(_("from age"), null=True, blank=True)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices, blank=True)
    amount = models.DecimalField(
        _("amount per meal (yuan)"), validators=[MinValueValidator(Decimal("0.01"))], **MONEY
    )
    funder = models.CharField(
        _("paid by"), max_length=20, choices=Funder.choices, default=Funder.GOVERNMENT
    )
    stacks = models.BooleanField(
        _("stacks"),
        default=False,
        help_text=_("Added on top of other rules instead of competing with them."),
    )

    objects = SubsidyRuleQuerySet.as_manager()

    # who changed what, old and new values, in the admin (django-simple-history)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("subsidy rule")
        verbose_name_plural = _("subsidy rules")
        ordering = ["-valid_from", "name"]
        constraints = [
            # SubsidyRule.objects.valid_on() relies on a period that does not end before it starts.
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="canteen_rule_dates",
            ),
            # A rule gives money; a zero rule would only clutter receipts.
            models.CheckConstraint(condition=Q(amount__gt=0), name="canteen_rule_amount"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if self.min_age is None and not self.category:
            raise ValidationError(_("A rule needs an age, a category, or both."))


class Collector(models.Model):
    """Someone a resident allows to collect meals for a household member (family or volunteer)."""

    member = models.ForeignKey(
        HouseholdMember,
        verbose_name=_("collects for"),
        on_delete=models.CASCADE,
        related_name="canteen_collectors",
    )
    name = models.CharField(_("name"), max_length=50)
    relation = models.CharField(_("relation"), max_length=30, blank=True)
    mobile = models.CharField(_("mobile number"), max_length=11, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("added"), default=now, editable=False)

    # who changed what, old and new values, in the admin (django-simple-history)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("allowed collector")
        verbose_name_plural = _("allowed collectors")
        ordering = ["member_id", "name"]

    def __str__(self):
        return self.name


class BookingQuerySet(models.QuerySet):
    def live(self):
        return self.filter(status=Booking.Status.BOOKED)

    def for_members_between(self, member_ids, start: date, end: date):
        """Live bookings of these people for menus from start to end (the menu page's badges)."""
        return self.live().filter(
            member_id__in=member_ids, menu__day__gte=start, menu__day__lte=end
        )


class Booking(models.Model):
    """A meal booked ahead for one person, counted against the menu's portions."""

    class Status(models.TextChoices):
        BOOKED = "booked", _("booked")
        CANCELLED = "cancelled", _("cancelled")

    class Channel(models.TextChoices):
        ONLINE = "online", _("online")
        PHONE = "phone", _("phoned in")

    menu = models.ForeignKey(
        Menu, verbose_name=_("menu"), on_delete=models.PROTECT, related_name="bookings"
    )
    member = models.ForeignKey(
        HouseholdMember,
        verbose_name=_("for"),
        on_delete=models.PROTECT,
        related_name="canteen_bookings",
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.BOOKED
    )
    channel = models.CharField(
        _("booked"), max_length=12, choices=Channel.choices, default=Channel.ONLINE
    )
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=pgettext_lazy("meal booking", "booked by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("booked at"), default=now, editable=False)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    objects = BookingQuerySet.as_manager()

    class Meta:
        verbose_name = pgettext_lazy("meal booking", "booking")
        verbose_name_plural = pgettext_lazy("meal booking", "bookings")
        ordering = ["-created_at"]
        constraints = [
            # One live booking per person and menu (a second booking for the same slot is refused).
            models.UniqueConstraint(
                fields=["menu", "member"],
                condition=Q(status="booked"),
                name="canteen_one_booking_per_slot",
            ),
        ]
        indexes = [
            # "my bookings" and the counter's "today's booking"
            models.Index(fields=["member", "status"], name="canteen_booking_member"),
        ]

    def __str__(self):
        return f"{self.member} · {self.menu}"


def not_in_a_closed_month() -> pgtrigger.Trigger:
    """The PostgreSQL trigger refusing a new ledger row whose accounting month is closed.

    `services.record_meal` and `reverse_meal` check the same first; this holds for any writer.
    """
    return pgtrigger.Trigger(
        name="not_in_a_closed_month",
        when=pgtrigger.Before,
        operation=pgtrigger.Insert,
        func=(
            "IF EXISTS (SELECT 1 FROM canteen_closedmonth WHERE month = NEW.month) THEN "
            "RAISE EXCEPTION 'canteen: the month % is closed', to_char(NEW.month, 'YYYY-MM') "
            "USING ERRCODE = 'integrity_constraint_violation'; "
            "END IF; RETURN NEW;"
        ),
    )


class MealRecord(AppendOnlyModel):
    """One line of the meal ledger: a meal served (or its reversal), with money copied on it.

    Append-only: a mistake is corrected by a REVERSAL row that negates the original, with a reason.
    `month` is the accounting month the row settles in (a closed month never changes; a reversal
    of a meal in a closed month settles in the current month).
    """

    class Kind(models.TextChoices):
        MEAL = "meal", _("meal")
        REVERSAL = "reversal", _("reversal")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.MEAL)
    menu = models.ForeignKey(
        Menu, verbose_name=_("menu"), on_delete=models.PROTECT, related_name="meal_records"
    )
    day = models.DateField(_("meal day"))
    slot = models.ForeignKey(
        MealSlot, verbose_name=_("meal slot"), on_delete=models.PROTECT, related_name="+"
    )
    month = models.DateField(_("accounting month"))
    member = models.ForeignKey(
        HouseholdMember,
        verbose_name=pgettext_lazy("person at a meal", "person"),
        on_delete=models.PROTECT,
        related_name="canteen_meals",
    )
    person_name = models.CharField(_("name"), max_length=50)
    age = models.PositiveSmallIntegerField(_("age on the day"), null=True, blank=True)
    booking = models.ForeignKey(
        Booking,
        verbose_name=pgettext_lazy("meal booking", "booking"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="meal_records",
    )
    price = models.DecimalField(_("price"), **MONEY)
    subsidy = models.DecimalField(_("subsidy"), **MONEY)
    paid = models.DecimalField(_("paid"), **MONEY)
    collector = models.ForeignKey(
        Collector,
        verbose_name=_("collected by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    collector_name = models.CharField(_("collected by"), max_length=50, blank=True)
    reverses = models.OneToOneField(
        "self",
        verbose_name=_("reverses"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=now, editable=False)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("meal record")
        verbose_name_plural = _("meal records")
        ordering = ["-recorded_at", "-id"]
        constraints = [
            # The settlement adds these columns: every row must balance to the cent. Compared
            # in whole fen: SQLite does its arithmetic on these columns in floating point, where
            # 12.01 - 0.05 is not 11.96; rounded to integers of fen both databases are exact.
            models.CheckConstraint(
                condition=Exact(
                    Round(models.F("paid") * 100),
                    Round(models.F("price") * 100) - Round(models.F("subsidy") * 100),
                ),
                name="canteen_meal_paid_adds_up_in_fen",
            ),
            # A reversal says why and what it reverses; a meal reverses nothing.
            models.CheckConstraint(
                condition=(Q(kind="meal") & Q(reverses__isnull=True))
                | (Q(kind="reversal") & Q(reverses__isnull=False) & ~Q(reason="")),
                name="canteen_meal_reversal_shape",
            ),
        ]
        indexes = [
            # the monthly settlement and "my meals this month"
            models.Index(fields=["month", "day"], name="canteen_meal_month"),
            models.Index(fields=["member", "day"], name="canteen_meal_member_day"),
            # the settlement's meals per day and slot (by calendar day, from the index alone)
            models.Index(fields=["day", "slot", "kind"], name="canteen_meal_day_slot"),
        ]
        # never updated or deleted, and nothing added to a closed month (portal.ledgers)
        triggers = [*append_only_triggers(), not_in_a_closed_month()]

    def __str__(self):
        return f"{self.person_name} · {self.day:%Y-%m-%d} {self.slot}"

    def get_absolute_url(self):
        return reverse("canteen:receipt", args=[self.pk])

    @property
    def settles_later(self) -> bool:
        """A reversal settled after the meal's own month, because that month was closed."""
        return self.month != first_of_month(self.day)


class SubsidyLineQuerySet(AppendOnlyQuerySet):
    def bulk_create(self, objs, *args, **kwargs):
        """Create lines, copying the accounting month from their records where it is missing."""
        objs = list(objs)
        _copy_months(objs)
        return super().bulk_create(objs, *args, **kwargs)


def _copy_months(lines) -> None:
    """Set `month` on lines that lack it from their record (loaded, or one query for the rest)."""
    missing = []
    for line in lines:
        if line.month is None:
            if SubsidyLine.record.is_cached(line):
                line.month = line.record.month
            else:
                missing.append(line)
    ids = {line.record_id for line in missing}
    months = {}
    for chunk in _chunks(sorted(ids), 5000):
        months.update(MealRecord.objects.filter(pk__in=chunk).values_list("pk", "month"))
    for line in missing:
        line.month = months.get(line.record_id)


def _chunks(items: list, size: int):
    for i in range(0, len(items), size):
        yield items[i : i + size]


class SubsidyLine(AppendOnlyModel):
    """One subsidy on a meal record, copied from the rule at the time (who pays, how much).

    `month` is the record's accounting month, copied when the line is written (the record's
    month never changes), so the settlement sums a month's lines without joining every record.
    """

    record = models.ForeignKey(
        MealRecord, verbose_name=_("meal record"), on_delete=models.PROTECT, related_name="lines"
    )
    rule = models.ForeignKey(
        SubsidyRule,
        verbose_name=_("rule"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    rule_name = models.CharField(_("rule"), max_length=80)
    funder = models.CharField(_("paid by"), max_length=20, choices=Funder.choices)
    amount = models.DecimalField(_("amount"), **MONEY)
    month = models.DateField(_("accounting month"), editable=False)

    objects = SubsidyLineQuerySet.as_manager()

    class Meta:
        verbose_name = _("subsidy line")
        verbose_name_plural = _("subsidy lines")
        ordering = ["record_id", "id"]
        indexes = [
            # the settlement's totals per funder and its exports (one funder or all) by month
            models.Index(fields=["month", "funder"], name="canteen_line_month"),
        ]
        # never updated or deleted, and nothing added to a closed month (portal.ledgers)
        triggers = [*append_only_triggers(), not_in_a_closed_month()]

    def __str__(self):
        return f"{self.rule_name} {self.amount}"

    def save(self, *args, **kwargs):
        if self.month is None:
            _copy_months([self])
        super().save(*args, **kwargs)


class SubsidisedSlot(models.Model):
    """The claim that a person had their subsidised meal for a slot on a day.

    Exists so the database itself refuses a second subsidised meal for the same person, slot and
    day (the ledger rows are append-only, so the claim lives here; a reversal releases it).
    """

    member = models.ForeignKey(HouseholdMember, on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    slot = models.ForeignKey(MealSlot, on_delete=models.PROTECT, related_name="+")
    record = models.OneToOneField(MealRecord, on_delete=models.PROTECT, related_name="claim")

    class Meta:
        verbose_name = _("subsidised slot")
        verbose_name_plural = _("subsidised slots")
        constraints = [
            # At most one subsidised meal per person per slot per day.
            models.UniqueConstraint(
                fields=["member", "day", "slot"], name="canteen_one_subsidy_per_slot"
            ),
        ]

    def __str__(self):
        return f"{self.member_id} · {self.day:%Y-%m-%d} · {self.slot_id}"


class ClosedMonth(AppendOnlyModel):
    """A settled month: its meal records can no longer change. Closing is for good (append-only):
    deleting the row would reopen a month whose claim has been sent."""

    month = models.DateField(_("month"), unique=True)
    closed_at = models.DateTimeField(_("closed at"), default=now)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("closed by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("closed month")
        verbose_name_plural = _("closed months")
        ordering = ["-month"]
        # closing is never undone, below the application too (portal.ledgers)
        triggers = append_only_triggers()

    def __str__(self):
        return f"{self.month:%Y-%m}"


class LoveMealRecipient(Address):
    """Someone who receives the free Love Meal (8号爱心免费餐) at home each month."""

    class Kind(models.TextChoices):
        EMPTY_NEST = "empty_nest", _("empty-nest elder")
        DIFFICULTY = "difficulty", _("family in difficulty")

    name = models.CharField(_("name"), max_length=50)
    kind = models.CharField(_("circumstance"), max_length=20, choices=Kind.choices)
    member = models.ForeignKey(
        HouseholdMember,
        verbose_name=_("resident record"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    portions = models.PositiveSmallIntegerField(_("portions"), default=1)
    notes = models.TextField(
        _("notes"), blank=True, help_text=_("Diet, access, best time to call.")
    )
    is_active = models.BooleanField(_("active"), default=True)

    # who changed what, old and new values, in the admin (django-simple-history)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("love meal recipient")
        verbose_name_plural = _("love meal recipients")
        ordering = ["building", "unit", "room"]

    def __str__(self):
        return self.name


class LoveMealDelivery(models.Model):
    """One recipient's free meal on one Love Meal Day, and whether it has been delivered."""

    day = models.DateField(_("day"))
    recipient = models.ForeignKey(
        LoveMealRecipient,
        verbose_name=pgettext_lazy("love meal", "recipient"),
        on_delete=models.PROTECT,
        related_name="deliveries",
    )
    portions = models.PositiveSmallIntegerField(_("portions"), default=1)
    value = models.DecimalField(_("value per portion"), **MONEY)
    funder = models.CharField(
        _("paid by"), max_length=20, choices=Funder.choices, default=Funder.CHARITY
    )
    volunteer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("volunteer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="canteen_deliveries",
    )
    # The volunteers module's post offering this delivery (`services.generate_love_meals`); the
    # delivery stays if the post is deleted.
    volunteer_post = models.ForeignKey(
        "volunteers.Post",
        verbose_name=_("volunteer post"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="love_meal_deliveries",
    )
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=now, editable=False)

    class Meta:
        verbose_name = _("love meal delivery")
        verbose_name_plural = _("love meal deliveries")
        ordering = ["day", "recipient__building", "recipient__unit", "recipient__room"]
        constraints = [
            # Generating the day's deliveries twice creates nothing new.
            models.UniqueConstraint(fields=["day", "recipient"], name="canteen_love_meal_once"),
        ]

    def __str__(self):
        return f"{self.day:%Y-%m-%d} {self.recipient}"

    @property
    def total(self) -> Decimal:
        return self.value * self.portions


def week_start(day: date) -> date:
    """The Monday of the week containing `day`."""
    return day - timedelta(days=day.weekday())
