"""The volunteers' part in a resident's own data (portal.privacy). Members without an account
never volunteer, so only the account's own rows are here."""

from django.db.models import Exists, OuterRef
from django.utils.timezone import now
from django.utils.translation import gettext as _

from portal.privacy import table
from volunteers import services
from volunteers.models import (
    Certificate,
    CorrectionRequest,
    HoursEntry,
    Membership,
    Post,
    Signup,
    VolunteerProfile,
)


def export(user, members) -> list:
    return [
        table(
            "volunteer_profile",
            _("Volunteer profile"),
            VolunteerProfile.objects.filter(user=user),
            ["number", "show_name_publicly", "needs_approval", "created_at"],
        ),
        table(
            "team_memberships",
            _("Team memberships"),
            Membership.objects.filter(user=user).select_related("team"),
            [("team.name", _("team")), "status", "message", "created_at", "decided_at"],
        ),
        table(
            "volunteer_signups",
            _("Volunteer sign-ups"),
            Signup.objects.filter(volunteer=user).select_related("post"),
            [
                ("post.title", _("post")),
                ("post.start", _("starts at")),
                "status",
                "attendance",
                "checked_in_at",
                "checked_out_at",
                "created_at",
            ],
        ),
        table(
            "service_hours",
            _("Service hours"),
            HoursEntry.objects.filter(volunteer=user).select_related("post").order_by("served_on"),
            ["served_on", ("post.title", _("post")), "hours", "kind", "reason"],
        ),
        table(
            "hours_corrections",
            _("Requests to correct hours"),
            CorrectionRequest.objects.filter(signup__volunteer=user).order_by("created_at"),
            ["hours", "reason", "status", "decision_reason", "created_at"],
        ),
        table(
            "certificates",
            _("Service certificates"),
            Certificate.objects.filter(volunteer=user).order_by("issued_at"),
            ["number", "hours", "posts_served", "issued_at"],
        ),
    ]


def forget(user, members, tally) -> None:
    """Future sign-ups, memberships and notices go; sign-ups that happened, hours, corrections and
    certificates stay (the account itself is pseudonymised by portal.services)."""
    at = now()
    future = Signup.objects.filter(volunteer=user, post__start__gt=at).exclude(
        Exists(HoursEntry.objects.filter(signup=OuterRef("pk")))
    )
    freed = set(future.filter(status__in=Signup.ACTIVE).values_list("post_id", flat=True))
    tally.remove(future)
    for post in Post.objects.filter(pk__in=freed):
        services.promote_from_waitlist(post, at=at)
    tally.keep(Signup, Signup.objects.filter(volunteer=user).count())
    tally.keep(HoursEntry, HoursEntry.objects.filter(volunteer=user).count())
    tally.keep(Certificate, Certificate.objects.filter(volunteer=user).count())
    tally.remove(Membership.objects.filter(user=user))
    profile = VolunteerProfile.objects.filter(user=user).first()
    if profile is not None:
        # Kept: its number is on the hours and certificates. The name is hidden, the feed revoked.
        services.set_name_visibility(user, False)
        services.reset_calendar_token(user)
        tally.keep(VolunteerProfile, 1)
