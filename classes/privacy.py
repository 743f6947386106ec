"""The classroom's part in a household change and in a resident's own data (portal.privacy)."""

from django.utils.timezone import localdate

from classes import services
from classes.models import Enrolment


def member_left(member, *, by) -> int:
    """Withdraw the child from this and coming terms' courses; past terms and marks stay."""
    withdrawn = 0
    running = Enrolment.objects.active().filter(
        child=member, course__term__ends_on__gte=localdate()
    )
    for enrolment in running:
        try:
            services.withdraw(by, enrolment)
        except services.EnrolmentError:
            continue
        withdrawn += 1
    return withdrawn
