"""The shared layer: residents' accounts, households, the community's settings, announcements."""

import copy
from datetime import date
from decimal import Decimal

from django.contrib.auth.models import AbstractUser
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.timezone import now
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from portal.lib.ages import age_on
from portal.validators import validate_birth_date, validate_image_file, validate_mainland_mobile


class Address(models.Model):
    """Building / unit / room (楼栋/单元/房号), the way addresses are written in the community."""

    building = models.CharField(_("building"), max_length=20, blank=True)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    room = models.CharField(_("room"), max_length=20, blank=True)

    class Meta:
        abstract = True

    @property
    def address(self) -> str:
        parts = []
        if self.building:
            parts.append(_("Building %(building)s") % {"building": self.building})
        if self.unit:
            parts.append(_("Unit %(unit)s") % {"unit": self.unit})
        if self.room:
            parts.append(_("Room %(room)s") % {"room": self.room})
        return " ".join(str(p) for p in parts)

    @property
    def building_sort_key(self) -> tuple:
        """Natural order of building, unit, room: used by route sheets and printable rosters."""

        def key(text):
            return (0, int(text), "") if text.isdigit() else (1, 0, text)

        return (key(self.building), key(self.unit), key(self.room))


class Household(Address):
    """The people who live at one address; children and elders without accounts belong here."""

    created_at = models.DateTimeField(_("created"), default=now, editable=False)

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")

    def __str__(self):
        return self.address or _("Household %(id)s") % {"id": self.pk}


class User(AbstractUser, Address):
    """A resident, volunteer or member of staff. Logs in with a mobile number or an email."""

    real_name = models.CharField(_("real name"), max_length=50, blank=True)
    mobile = models.CharField(
        _("mobile number"),
        max_length=11,
        unique=True,
        null=True,
        blank=True,
        validators=[validate_mainland_mobile],
        error_messages={"unique": _("This mobile number is already registered.")},
    )
    birth_date = models.DateField(
        _("birth date"), null=True, blank=True, validators=[validate_birth_date]
    )
    privacy_consented_at = models.DateTimeField(
        _("agreed to the privacy notice at"), null=True, blank=True
    )
    large_text = models.BooleanField(_("large text"), default=False)
    language = models.CharField(
        _("language"),
        max_length=10,
        blank=True,
        help_text=_("Chosen with the language switch; mail and notices are written in it."),
    )
    household = models.ForeignKey(
        Household,
        verbose_name=_("household"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="users",
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.real_name or self.mobile or self.email or self.username

    @property
    def masked_mobile(self) -> str:
        """138****0000: what a team-mate or a receipt may show."""
        if not self.mobile:
            return ""
        return f"{self.mobile[:3]}****{self.mobile[-4:]}"

    def age_on(self, day: date) -> int | None:
        return age_on(self.birth_date, day)

    def preferred_language(self) -> str:
        """The language to write to this person in: their choice, else the portal's default."""
        from django.conf import settings

        supported = {code for code, _name in settings.LANGUAGES}
        return self.language if self.language in supported else settings.LANGUAGE_CODE

    def has_role(self, role: str) -> bool:
        """True if the user is in the role's group. Uses prefetched groups when present."""
        if self.is_superuser:
            return True
        return any(g.name == role for g in self.groups.all())


class HouseholdMember(models.Model):
    """A person of a household: an account holder (user set) or someone without an account."""

    class Relation(models.TextChoices):
        SELF = "self", _("myself")
        SPOUSE = "spouse", _("spouse")
        CHILD = "child", _("child")
        PARENT = "parent", _("parent")
        GRANDPARENT = "grandparent", _("grandparent")
        GRANDCHILD = "grandchild", _("grandchild")
        OTHER = "other", _("other")

    household = models.ForeignKey(
        Household, verbose_name=_("household"), on_delete=models.CASCADE, related_name="members"
    )
    user = models.OneToOneField(
        User,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="member",
    )
    name = models.CharField(_("name"), max_length=50, blank=True)
    birth_date = models.DateField(
        _("birth date"), null=True, blank=True, validators=[validate_birth_date]
    )
    relation = models.CharField(
        _("relation"), max_length=20, choices=Relation.choices, default=Relation.OTHER
    )
    created_at = models.DateTimeField(_("created"), default=now, editable=False)

    class Meta:
        verbose_name = _("household member")
        verbose_name_plural = _("household members")
        ordering = ["household_id", "created_at", "id"]
        constraints = [
            # A member without an account must at least have a name to be found by.
            models.CheckConstraint(
                condition=Q(user__isnull=False) | ~Q(name=""), name="member_named_or_account"
            ),
        ]
        indexes = [
            # "children of my household" for enrolment and registration forms
            models.Index(fields=["household", "relation"], name="member_household_relation"),
        ]

    def __str__(self):
        return self.full_name

    @property
    def full_name(self) -> str:
        if self.user_id and not self.name:
            return self.user.display_name
        return self.name

    @property
    def dob(self) -> date | None:
        """The birth date: the account's when the member has one, else the member's own."""
        if self.user_id and self.user.birth_date:
            return self.user.birth_date
        return self.birth_date

    def age_on(self, day: date) -> int | None:
        return age_on(self.dob, day)


class Community(Address):
    """The one community this portal serves, and the numbers and days its services run on.

    A single row (pk=1), edited by staff in the admin; every module reads its knobs from here so
    another community can adopt the portal without code.
    """

    name = models.CharField(_("community name"), max_length=100, default="公园路社区")
    subdistrict = models.CharField(_("subdistrict"), max_length=100, default="龙泉街道")
    committee_name = models.CharField(
        _("issuing body"),
        max_length=100,
        default="公园路社区居民委员会",
        help_text=_("Shown as the issuer on certificates and receipts."),
    )
    street_address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    email = models.EmailField(_("contact email"), blank=True)
    office_hours = models.CharField(_("office hours"), max_length=200, blank=True)
    about = models.TextField(_("about the community"), blank=True)

    # Volunteers: the Red Star Service Day.
    service_day_of_month = models.PositiveSmallIntegerField(
        _("Red Star Service Day (day of month)"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
    )
    # Canteen: prices, the elders' subsidy, the Love Meal day.
    meal_price_min = models.DecimalField(
        _("lowest meal price (yuan)"), max_digits=6, decimal_places=2, default=Decimal("12.00")
    )
    meal_price_max = models.DecimalField(
        _("highest meal price (yuan)"), max_digits=6, decimal_places=2, default=Decimal("16.00")
    )
    elder_age = models.PositiveSmallIntegerField(_("elder subsidy from age"), default=60)
    elder_subsidy = models.DecimalField(
        _("elder subsidy per meal (yuan)"), max_digits=6, decimal_places=2, default=Decimal("4.00")
    )
    love_meal_day_of_month = models.PositiveSmallIntegerField(
        _("Love Meal day (day of month)"),
        default=8,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
    )
    # Classes: the children's age range.
    child_age_min = models.PositiveSmallIntegerField(_("youngest child age"), default=5)
    child_age_max = models.PositiveSmallIntegerField(_("oldest child age"), default=12)

    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    # who changed what, old and new values, in the admin (django-simple-history)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("community settings")
        verbose_name_plural = _("community settings")
        constraints = [
            # The monthly settlement and price checks rely on a sane range.
            models.CheckConstraint(
                condition=Q(meal_price_min__lte=models.F("meal_price_max")),
                name="community_meal_price_range",
            ),
            models.CheckConstraint(
                condition=Q(child_age_min__lte=models.F("child_age_max")),
                name="community_child_age_range",
            ),
        ]

    def __str__(self):
        return self.name

    @classmethod
    def current(cls) -> "Community":
        """The community's row, created with the defaults on first use (cached: every page and
        many services read it; any change to it makes the cached copy stale)."""
        from portal.cache import cached

        # Read on every page: kept in the process too. A caller may change its copy.
        return copy.copy(cached("community", ("portal",), cls._load, in_process=True))

    @classmethod
    def _load(cls) -> "Community":
        obj, _created = cls.objects.get_or_create(pk=1)
        return obj


class AnnouncementQuerySet(models.QuerySet):
    def published(self):
        """Visible on the home page: published and not in the future, pinned first."""
        return self.filter(is_published=True, published_at__lte=now()).order_by(
            "-pinned", "-published_at"
        )


class Announcement(models.Model):
    """A notice staff write for residents, with an optional image."""

    title = models.CharField(_("title"), max_length=120)
    body = models.TextField(_("text"))
    image = models.ImageField(
        _("image"),
        upload_to="announcements/%Y/%m/",
        blank=True,
        validators=[validate_image_file],
    )
    thumbnail = models.ImageField(
        _("thumbnail"), upload_to="announcements/thumbs/%Y/%m/", blank=True, editable=False
    )
    is_published = models.BooleanField(_("published"), default=True)
    pinned = models.BooleanField(_("pinned"), default=False)
    published_at = models.DateTimeField(_("publish at"), default=now)
    created_by = models.ForeignKey(
        User, verbose_name=_("author"), null=True, blank=True, on_delete=models.SET_NULL
    )

    objects = AnnouncementQuerySet.as_manager()

    class Meta:
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")
        indexes = [
            # the home page's "latest announcements"
            models.Index(fields=["is_published", "-published_at"], name="announcement_feed"),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self._refresh_thumbnail()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("announcement-detail", args=[self.pk])

    def _refresh_thumbnail(self):
        """Keep the thumbnail in step with the image (a new upload gets a new thumbnail)."""
        from portal.lib.images import thumbnail

        if not self.image:
            self.thumbnail = ""
            return
        if getattr(self.image, "_committed", True) and self.thumbnail:
            return
        thumb = thumbnail(self.image)
        self.thumbnail.save(thumb.name, thumb, save=False)
