"""The admin goes through the module's services, like the staff pages: a changed capacity
(`CapacityThroughServiceAdmin`), a changed time or place (`TellsOfMovesAdmin`), calling a row off
(`CallsOffAdmin`); and a row people have booked is not deleted under them
(`KeepsBookedRowsAdmin`)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from portal.calling_off import CallOffForm


class RefusedSaveAdmin:
    """For a model admin whose `save_model` goes through a service that may still refuse (a place
    taken or a register kept between the form's check and the save): `refuse_save(request, error)`
    says "nothing was saved" and why; the rest of the admin's save then stands down too: no
    related rows or inlines saved, no "changed" entry in the log, no success message, and the
    staff member is brought back to the same page."""

    def refuse_save(self, request, error) -> None:
        request.portal_save_refused = True
        self.message_user(
            request, _("Nothing was saved: %(reason)s") % {"reason": error}, messages.ERROR
        )

    @staticmethod
    def save_refused(request) -> bool:
        return getattr(request, "portal_save_refused", False)

    def save_related(self, request, form, formsets, change):
        if not self.save_refused(request):
            super().save_related(request, form, formsets, change)

    def construct_change_message(self, request, form, formsets, add=False):
        if self.save_refused(request):  # the inlines were not saved: nothing to describe
            return []
        return super().construct_change_message(request, form, formsets, add)

    def log_change(self, request, obj, message):
        if not self.save_refused(request):
            return super().log_change(request, obj, message)
        return None

    def log_addition(self, request, obj, message):
        if not self.save_refused(request):
            return super().log_addition(request, obj, message)
        return None

    def response_change(self, request, obj):
        if self.save_refused(request):
            return HttpResponseRedirect(request.path)
        return super().response_change(request, obj)

    def response_add(self, request, obj, post_url_continue=None):
        if self.save_refused(request):
            return HttpResponseRedirect(request.path)
        return super().response_add(request, obj, post_url_continue)


class CapacityThroughServiceAdmin(RefusedSaveAdmin):
    """For a model admin whose model has `capacity` and a waiting list.

    A changed capacity is set by `capacity_service(obj, capacity)` (which locks the row, refuses
    too few places and gives freed places to the waiting list in order, telling each person), in
    the same transaction as the rest of the form. If the service refuses (a sign-up arrived between
    the form's check and the lock), nothing of the form is saved and the reason is shown.
    `promoted_message(count)` is the message for the promoted people.
    """

    capacity_service = None
    capacity_errors: tuple[type[Exception], ...] = ()

    def promoted_message(self, count: int) -> str:
        raise NotImplementedError

    def save_model(self, request, obj, form, change):
        try:
            with transaction.atomic():
                super().save_model(request, obj, form, change)
                promoted = []
                if change and "capacity" in form.changed_data:
                    promoted = type(self).capacity_service(obj, obj.capacity)
        except self.capacity_errors as error:
            self.refuse_save(request, error)
            return
        if promoted:
            self.message_user(request, self.promoted_message(len(promoted)))


class TellsOfMovesAdmin:
    """For a model admin whose rows people book (a post, an activity): when a save changes one of
    `move_fields` (its time and place), `moved_service(obj, *old values)` tells the people booked
    and returns how many; `moved_message(count)` says so to the staff member. Nothing is told
    when nothing was saved (a service refused the form)."""

    move_fields: tuple[str, ...] = ()
    moved_service = None

    def moved_message(self, count: int) -> str:
        raise NotImplementedError

    def save_model(self, request, obj, form, change):
        rows = type(obj)._default_manager.filter(pk=obj.pk)
        before = rows.values_list(*self.move_fields).first() if change else None
        super().save_model(request, obj, form, change)
        after = rows.values_list(*self.move_fields).first()
        if before and after and before != after:
            told = type(self).moved_service(obj, *before)
            if told:
                self.message_user(request, self.moved_message(told))


class KeepsBookedRowsAdmin:
    """For a model admin whose rows people book: a row with live places (or places waiting) is
    not deleted, one by one or in bulk, since the places would vanish without a word to anyone.
    The delete page lists them as what prevents it, in the admin's own words.
    `live_places(objs)` gives those places (each shown as its text)."""

    def live_places(self, objs):
        raise NotImplementedError

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        places = [str(place) for place in self.live_places(objs)]
        if places:  # the reason that matters, shown instead of the related rows' permissions
            return deleted, counts, set(), [*protected, *places]
        return deleted, counts, perms_needed, protected


class CallsOffAdmin:
    """For a model admin whose model is a `portal.calling_off.CalledOff` that people book (a post,
    an activity): its change page links to a page of its own that asks why, then calls
    `call_off_service(obj, by=…, reason=…)`, which cancels every place and tells everyone booked,
    and returns how many were told. A refusal (`call_off_errors`) is shown and changes nothing.
    Once called off, the change page shows when, by whom and why. `call_off_places(obj)` is the
    module's query of the places the service cancels: the confirmation page counts them."""

    call_off_service = None
    call_off_places = None
    call_off_errors: tuple[type[Exception], ...] = ()
    CALLED_OFF_FIELDS = ("called_off", "called_off_at", "called_off_by", "called_off_reason")

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), *self.CALLED_OFF_FIELDS]

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        if obj is None:
            return fieldsets
        if obj.is_called_off:
            fields = list(self.CALLED_OFF_FIELDS[1:])
        else:
            fields = ["called_off"]
        return [*fieldsets, (_("Called off"), {"fields": fields})]

    def get_fields(self, request, obj=None):
        # without fieldsets the admin lists every field: keep these to the fieldset above
        return [f for f in super().get_fields(request, obj) if f not in self.CALLED_OFF_FIELDS]

    @property
    def _call_off_url_name(self) -> str:
        return f"{self.model._meta.app_label}_{self.model._meta.model_name}_call_off"

    def called_off(self, obj):
        if obj is None or obj.pk is None or obj.is_called_off:
            return "—"
        url = reverse(f"admin:{self._call_off_url_name}", args=[obj.pk])
        return format_html(
            '<a class="button" href="{}" data-testid="call-off-link">{}</a>',
            url,
            _("Call it off and tell everyone booked…"),
        )

    called_off.short_description = gettext_lazy("call off")

    def get_urls(self):
        return [
            path(
                "<int:pk>/call-off/",
                self.admin_site.admin_view(self.call_off_view),
                name=self._call_off_url_name,
            ),
            *super().get_urls(),
        ]

    def call_off_view(self, request, pk):
        """Ask why, then call it off (a POST); nothing is changed by the GET."""
        obj = get_object_or_404(self.get_queryset(request), pk=pk)
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        opts = self.model._meta
        change_url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
        form = CallOffForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                told = type(self).call_off_service(
                    obj, by=request.user, reason=form.cleaned_data["reason"]
                )
            except self.call_off_errors as error:
                form.add_error(None, str(error))
            else:
                self.message_user(
                    request,
                    ngettext(
                        "“%(name)s” is called off; %(count)d person was told.",
                        "“%(name)s” is called off; %(count)d people were told.",
                        told,
                    )
                    % {"name": obj, "count": told},
                )
                return redirect(change_url)
        ctx = {
            **self.admin_site.each_context(request),
            "opts": opts,
            "obj": obj,
            "form": form,
            "booked": type(self).call_off_places(obj).count(),
            "called_off": obj.is_called_off,
            "change_url": change_url,
            "title": _("Call off “%(name)s”") % {"name": obj},
        }
        return TemplateResponse(request, "admin/call_off.html", ctx)
