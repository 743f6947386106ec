"""The admin's capacity field goes through the module's service, like the staff pages."""

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
