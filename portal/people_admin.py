"""The admin's view of the resident register, narrowed to what each member of staff needs.

Mixins for the user, household and household-member admins (`portal.admin`): changelists, change
pages, pop-ups and autocompletes hold only the people the viewer's work involves
(`portal.people`), view-only pages show only the fields that work needs, and mobile numbers are
masked everywhere except behind the logged "show number" action. Who may *change* what (staff
status, groups, passwords) is decided elsewhere in the user admin; these mixins only narrow what
can be seen.
"""

from django.contrib.admin.options import IS_POPUP_VAR
from django.db.models import DateField, Value
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from portal.people import elder_born_by, scope_for
from portal.validators import MOBILE_RE, normalize_mobile

# A role sees every birth date ("birth_date"), or only those of people of the elders' subsidy
# age ("elder_birth_date": the canteen needs no child's birth date), or none.
BIRTH_DATE_FIELDS = ("birth_date", "elder_birth_date")

# What anyone who may look a person up sees of them.
BASE_USER_FIELDS = ["real_name", "mobile_number", "building", "unit", "room", "household"]
BASE_MEMBER_FIELDS = ["household", "user", "name", "relation"]


def _is_picker(request) -> bool:
    """A raw-id pop-up or an autocomplete: staff choosing a person for a booking or the like."""
    match = request.resolver_match
    return IS_POPUP_VAR in request.GET or (match is not None and match.url_name == "autocomplete")


class PeopleScopeMixin:
    """Scope a people admin's queryset to the viewer, and search numbers only by exact match.

    Subclasses set `scope_kind` ("users", "members" or "households") and `mobile_lookup` (the
    path to the mobile number, e.g. "user__mobile"), both of which name how to narrow the model.

    Typing a person's full mobile number in a pick-a-person pop-up finds them even outside the
    scope, so staff can book or enrol someone who phones in; browsing never does.
    """

    scope_kind = "users"
    mobile_lookup = "mobile"

    def _scope_q(self, scope):
        return getattr(scope, f"{self.scope_kind}_q")()

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        scope = scope_for(request.user)
        if scope is None:
            return qs
        if "elder_birth_date" in scope.member_fields | scope.user_fields:
            # Read once per request, carried by each row to the column that needs it.
            qs = qs.annotate(elder_born_by=Value(elder_born_by(), output_field=DateField()))
        return qs.filter(self._scope_q(scope))

    def has_view_permission(self, request, obj=None):
        if not super().has_view_permission(request, obj):
            return False
        scope = scope_for(request.user)
        if obj is None or scope is None:
            return True
        # The admin asks several times per page: answer from the request after the first.
        seen = request.__dict__.setdefault("_people_in_scope", {})
        key = (self.model._meta.label, obj.pk)
        if key not in seen:
            seen[key] = self.model._default_manager.filter(self._scope_q(scope), pk=obj.pk).exists()
        return seen[key]

    def get_search_fields(self, request):
        fields = list(super().get_search_fields(request))
        if scope_for(request.user) is None:
            return fields
        # Partial numbers would let anyone read masked digits back by trial: exact match only.
        # Usernames are often made from the number, so they go too.
        return [f for f in fields if not f.lstrip("=^@").endswith(("mobile", "username"))]

    def get_search_results(self, request, queryset, search_term):
        scope = scope_for(request.user)
        number = normalize_mobile(search_term.strip())
        if scope is None or not MOBILE_RE.match(number):
            return super().get_search_results(request, queryset, search_term)
        found = queryset.filter(**{self.mobile_lookup: number})
        if _is_picker(request):
            unscoped = super().get_queryset(request).filter(**{self.mobile_lookup: number})
            found = found | unscoped
        return found, False

    def get_list_filter(self, request):
        if scope_for(request.user) is None:
            return super().get_list_filter(request)
        return [f for f in super().get_list_filter(request) if f in self.scoped_list_filter]

    scoped_list_filter: tuple[str, ...] = ()


class UserPeopleMixin(PeopleScopeMixin):
    """The user admin as staff see it: scoped, masked, and only the fields their work needs."""

    scope_kind = "users"
    mobile_lookup = "mobile"

    @staticmethod
    def _user_fields(request) -> list[str] | None:
        scope = scope_for(request.user)
        if scope is None:
            return None
        email = ["email"] if "email" in scope.user_fields else []
        births = [f for f in BIRTH_DATE_FIELDS if f in scope.user_fields]
        return BASE_USER_FIELDS + email + births[:1]

    def get_list_display(self, request):
        wanted = self._user_fields(request)
        shown = list(super().get_list_display(request))
        if wanted is None:
            return shown
        allowed = set(wanted) | {"display_name", "masked_mobile"}
        return [f for f in shown if f in allowed]

    def get_fieldsets(self, request, obj=None):
        if obj is None or self.has_change_permission(request, obj):
            return super().get_fieldsets(request, obj)
        wanted = self._user_fields(request)
        if wanted is None:  # sees everyone, may not change: everything, number masked
            fieldsets = super().get_fieldsets(request, obj)
            return [
                (name, {**opts, "fields": [_mask(f) for f in opts["fields"] if f != "password"]})
                for name, opts in fieldsets
            ]
        return [(None, {"fields": wanted})]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if obj is None or "mobile" not in form.base_fields:
            return form
        return type(form.__name__, (MaskedMobileFormMixin, form), {})

    def mobile_number(self, obj):
        """Masked, with the logged "show number" action (which returns to this page)."""
        if not obj.mobile:
            return "—"
        back = reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])
        return format_html(
            '{} <a href="{}?{}">{}</a>',
            obj.masked_mobile,
            reverse("show-mobile", args=[obj.pk]),
            urlencode({"next": back}),
            _("Show number"),
        )

    mobile_number.short_description = _("mobile number")

    def masked_mobile(self, obj):
        return obj.masked_mobile

    masked_mobile.short_description = _("mobile number")
    masked_mobile.admin_order_field = "mobile"

    def elder_birth_date(self, obj):
        return _elder_birth_date(obj.birth_date, getattr(obj, "elder_born_by", None))

    elder_birth_date.short_description = _("birth date (elders only)")


def _birth_date_as(fields, wanted):
    """Put the birth-date field the viewer may see in place of the model's."""
    if "birth_date" in wanted or "elder_birth_date" not in wanted:
        return fields
    return ["elder_birth_date" if f == "birth_date" else f for f in fields]


def _elder_birth_date(dob, born_by):
    """The birth date of someone of the elders' subsidy age today, else a dash."""
    from django.utils.formats import date_format

    if dob is None or born_by is None or dob > born_by:
        return "—"
    return date_format(dob)


def _mask(field_name):
    return "mobile_number" if field_name == "mobile" else field_name


class MemberPeopleMixin(PeopleScopeMixin):
    """The household-member admin as staff see it: scoped, birth dates only where needed."""

    scope_kind = "members"
    mobile_lookup = "user__mobile"
    scoped_list_filter = ("relation",)

    @staticmethod
    def member_fields(request) -> list[str] | None:
        scope = scope_for(request.user)
        if scope is None:
            return None
        extra = [f for f in BIRTH_DATE_FIELDS if f in scope.member_fields]
        return BASE_MEMBER_FIELDS + extra[:1]

    def get_list_display(self, request):
        wanted = self.member_fields(request)
        shown = list(super().get_list_display(request))
        if wanted is None:
            return shown
        return [f for f in _birth_date_as(shown, wanted) if f == "__str__" or f in wanted]

    def get_fields(self, request, obj=None):
        wanted = self.member_fields(request)
        fields = list(super().get_fields(request, obj))
        if wanted is None:
            return fields
        return [f for f in _birth_date_as(fields, wanted) if f in wanted]

    def elder_birth_date(self, obj):
        return _elder_birth_date(obj.dob, getattr(obj, "elder_born_by", None))

    elder_birth_date.short_description = _("birth date (elders only)")


class HouseholdPeopleMixin(PeopleScopeMixin):
    """The household admin as staff see it: households with someone in scope."""

    scope_kind = "households"
    mobile_lookup = "users__mobile"

    def get_search_fields(self, request):
        fields = super().get_search_fields(request)
        if scope_for(request.user) is None:
            return fields
        # A name search would confirm who else lives at an address: staff search by address
        # (or by a full mobile number, above).
        return [f for f in fields if not f.startswith(("members__", "users__"))]


class MemberInlineMixin:
    """Household members shown inside a household: only those in scope, only needed fields."""

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        scope = scope_for(request.user)
        return qs if scope is None else qs.filter(scope.members_q())

    def get_fields(self, request, obj=None):
        wanted = MemberPeopleMixin.member_fields(request)
        fields = list(super().get_fields(request, obj))
        if wanted is None:
            return fields
        return [f for f in fields if f in wanted]  # an elder's birth date: on their own page


class MaskedMobileFormMixin:
    """The user change form without the number in it: empty keeps it, a new number replaces it.

    Those who may change accounts still never have the whole number on the page; to read it they
    use the logged "show number" action like everyone else.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["mobile"]
        self.initial["mobile"] = ""
        field.required = False
        if self.instance.mobile:
            field.widget.attrs["placeholder"] = self.instance.masked_mobile
            field.help_text = format_html(
                '{} <a href="{}?{}">{}</a>',
                _("Leave empty to keep the number; type a new one to change it."),
                reverse("show-mobile", args=[self.instance.pk]),
                urlencode({"next": reverse("admin:portal_user_change", args=[self.instance.pk])}),
                _("Show number"),
            )

    def clean_mobile(self):
        value = self.cleaned_data.get("mobile")
        return normalize_mobile(value) if value else self.instance.mobile
