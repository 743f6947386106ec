"""The admin goes through the module's services, like the staff pages: a changed capacity
(`CapacityThroughServiceAdmin`), a changed time or place (`TellsOfMovesAdmin`); and a row people
have booked is not deleted under them (`KeepsBookedRowsAdmin`)."""

from django.contrib import messages
from django.db import transaction
from django.utils.translation import gettext as _


class CapacityThroughServiceAdmin:
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
            self.message_user(
                request, _("Nothing was saved: %(reason)s") % {"reason": error}, messages.ERROR
            )
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
