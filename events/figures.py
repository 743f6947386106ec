"""After the event: the attendance numbers a community reports (read-only, a fixed few queries)."""

from dataclasses import dataclass, field

from django.db.models import Count, F, Q

from events.models import Activity, Event, Registration

C = Registration.Status.CONFIRMED


@dataclass
class Line:
    """Attendance of one activity or one track."""

    label: str
    registered: int = 0  # confirmed places booked in advance (walk-ins excluded)
    attended: int = 0  # everyone checked in, walk-ins included
    walk_ins: int = 0
    no_shows: int = 0
    activities: list = field(default_factory=list)

    @property
    def no_show_rate(self) -> float | None:
        """Share of advance registrations that never came, in percent; None with none."""
        if not self.registered:
            return None
        return round(100 * self.no_shows / self.registered, 1)

    def add(self, other: "Line") -> None:
        self.registered += other.registered
        self.attended += other.attended
        self.walk_ins += other.walk_ins
        self.no_shows += other.no_shows


def event_figures(event: Event) -> dict:
    """Per activity and per track: registered, attended, walk-ins, no-shows; residents reached."""
    booked = Q(registrations__status=C, registrations__member__isnull=False)
    came = Q(registrations__status=C, registrations__checked_in_at__isnull=False)
    activities = (
        Activity.objects.filter(event=event)
        .select_related("track")
        .annotate(
            n_registered=Count("registrations", filter=booked),
            n_attended=Count("registrations", filter=came),
            n_walk_ins=Count("registrations", filter=came & Q(registrations__member__isnull=True)),
            n_no_shows=Count(
                "registrations", filter=booked & Q(registrations__checked_in_at__isnull=True)
            ),
        )
        .order_by(
            F("track__position").asc(nulls_last=True),
            F("track_id").asc(nulls_last=True),
            "starts_at",
            "id",
        )
    )
    tracks: dict = {}
    total = Line(label="")
    rows = []
    for a in activities:
        line = Line(a.title, a.n_registered, a.n_attended, a.n_walk_ins, a.n_no_shows)
        rows.append((a, line))
        key = a.track_id
        if key not in tracks:
            tracks[key] = Line(label=a.track.name if a.track else "")
        tracks[key].add(line)
        tracks[key].activities.append(line)
        total.add(line)

    # Residents reached: household members who came to this event; "new" ones had never been
    # checked in at an earlier event.
    attended = Registration.objects.filter(
        activity__event=event, status=C, checked_in_at__isnull=False, member__isnull=False
    )
    reached = set(attended.values_list("member_id", flat=True))
    earlier = set(
        Registration.objects.filter(
            member_id__in=reached,
            status=C,
            checked_in_at__isnull=False,
            activity__event__starts_on__lt=event.starts_on,
        ).values_list("member_id", flat=True)
    )
    households = set(attended.values_list("booking__household_id", flat=True))
    return {
        "activities": rows,
        "tracks": list(tracks.values()),
        "total": total,
        "people_reached": len(reached),
        "households_reached": len(households),
        "new_people": len(reached - earlier),
    }
