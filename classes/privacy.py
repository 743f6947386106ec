"""The classroom's part in a household change and in a resident's own data (portal.privacy)."""

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.timezone import localdate
from django.utils.translation import gettext as _

from classes import services
from classes.models import (
    Attendance,
    Course,
    Enrolment,
    EnrolmentRequest,
    FeePayment,
    Teacher,
    VolunteerOffer,
)
from portal.privacy import table


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


def export(user, members) -> list:
    return [
        table(
            "class_enrolments",
            _("Class enrolments"),
            Enrolment.objects.filter(child__in=members)
            .select_related("course", "child__user")
            .order_by("created_at", "pk"),
            [
                ("course.title", _("course")),
                ("child.full_name", _("child")),
                "status",
                "photo_consent",
                "pickup_people",
                "fee",
                "created_at",
                "withdrawn_at",
            ],
        ),
        table(
            "class_enrolment_requests",
            _("Enrolment requests"),
            EnrolmentRequest.objects.filter(Q(child__in=members) | Q(requested_by=user))
            .select_related("course", "child")
            .order_by("pk"),
            [
                ("course.title", _("course")),
                ("child.full_name", _("child")),
                "status",
                "photo_consent",
                "pickup_people",
                "volunteer_message",
                "reason",
                "created_at",
                "decided_at",
            ],
        ),
        table(
            "class_attendance",
            _("Class attendance"),
            Attendance.objects.filter(enrolment__child__in=members)
            .select_related("session__course", "enrolment__child__user")
            .order_by("session__date", "pk"),
            [
                ("session.date", _("date")),
                ("session.course.title", _("course")),
                ("enrolment.child.full_name", _("child")),
                "mark",
                "note",
            ],
        ),
        table(
            "class_fee_payments",
            _("Course fees paid"),
            FeePayment.objects.filter(enrolment__child__in=members).select_related(
                "enrolment__course"
            ),
            [("enrolment.course.title", _("course")), "amount", "received_at"],
        ),
        table(
            "teacher_profile",
            _("Teacher profile"),
            Teacher.objects.filter(user=user).select_related("institution"),
            ["name", ("institution.name", _("institution")), "about"],
        ),
        table(
            "class_volunteer_offers",
            _("Offers to volunteer"),
            VolunteerOffer.objects.filter(user=user),
            ["message", "created_at"],
        ),
    ]


def forget(user, members, tally) -> None:
    """Enrolments without a class attended or a fee paid go (places freed go to the waiting
    list); the others stay, withdrawn if still running, with their marks and fees (the class-hour
    statistics and the micro-fund); notices and offers to volunteer go."""
    # the forms as they arrived (the enrolments, kept or not, are handled below)
    tally.remove(EnrolmentRequest.objects.filter(Q(child__in=members) | Q(requested_by=user)))
    enrolments = Enrolment.objects.filter(child__in=members)
    history = Exists(Attendance.objects.filter(enrolment=OuterRef("pk"))) | Exists(
        FeePayment.objects.filter(enrolment=OuterRef("pk"))
    )
    unused = enrolments.exclude(history)
    freed = list(
        Course.objects.select_for_update()
        .filter(pk__in=unused.enrolled().values("course_id"))
        .order_by("pk")
    )
    tally.remove(unused)
    for enrolment in enrolments:  # those with history
        if enrolment.status in Enrolment.ACTIVE:
            if enrolment.status == Enrolment.Status.ENROLLED:
                freed.append(enrolment.course)
            enrolment.status = Enrolment.Status.WITHDRAWN
            enrolment.withdrawn_at = enrolment.withdrawn_at or timezone.now()
        # Who may pick the child up names other people: not needed for the statistics.
        enrolment.pickup_people = ""
        enrolment.photo_consent = False
        enrolment.save(update_fields=["status", "withdrawn_at", "pickup_people", "photo_consent"])
        tally.keep(Enrolment, 1)
    for course in freed:
        services.promote_from_waitlist(course)
    tally.keep(Attendance, Attendance.objects.filter(enrolment__child__in=members).count())
    tally.keep(FeePayment, FeePayment.objects.filter(enrolment__child__in=members).count())
    tally.remove(VolunteerOffer.objects.filter(user=user))
