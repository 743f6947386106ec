"""Who may see what in the events module: the one place views ask for guarded objects."""

from django.http import Http404
from django.shortcuts import get_object_or_404

from events.models import Activity, Event, Registration
from portal import roles
from portal.access import holds_role, require_role


def is_events_staff(user) -> bool:
    return holds_role(user, roles.EVENTS_STAFF)


def get_visible_event(request, pk) -> Event:
    return get_object_or_404(Event.objects.visible_to(request.user), pk=pk)


def get_visible_activity(request, pk, queryset=None) -> Activity:
    """An activity of a published event (staff also see drafts), or 404."""
    qs = queryset if queryset is not None else Activity.objects.all()
    if not is_events_staff(request.user):
        qs = qs.published()
    return get_object_or_404(qs.select_related("event", "track"), pk=pk)


def get_my_registration(request, pk=None, token=None) -> Registration:
    """A registration of the requesting user's household, or 404 (never another's)."""
    if not request.user.household_id:
        raise Http404
    lookup = {"pk": pk} if pk is not None else {"ticket_token": token}
    return get_object_or_404(
        Registration.objects.select_related("activity__event", "activity__track", "member__user"),
        booking__household_id=request.user.household_id,
        **lookup,
    )


def get_staff_activity(request, pk, queryset=None) -> Activity:
    """An activity for an events-staff page; 403 for anyone else."""
    require_role(request, roles.EVENTS_STAFF)
    qs = queryset if queryset is not None else Activity.objects.all()
    return get_object_or_404(qs.select_related("event", "track"), pk=pk)
