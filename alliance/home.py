"""This module's section on the home page (see portal.views.home)."""

from alliance.access import is_alliance_staff
from alliance.models import Need


def section(request):
    """The same for everyone but alliance staff, who see how many requests wait for an answer
    (one query)."""
    user = request.user
    waiting = 0
    if user.is_authenticated and user.is_staff and is_alliance_staff(user):
        waiting = Need.objects.filter(state=Need.State.NEW).count()
    return {"waiting": waiting}
