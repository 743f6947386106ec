"""The alliance's part in a resident's own data and in deleting an account (portal.privacy)."""

from django.utils.translation import gettext as _

from alliance.models import Need, Rating
from portal.cache import changed as cache_changed
from portal.models import Partner, PartnerMember
from portal.privacy import table


def export(user, members) -> list:
    return [
        table(
            "alliance_needs",
            _("Needs and micro-wishes you posted"),
            Need.objects.filter(author=user).order_by("received_at", "pk"),
            [
                "kind",
                "category",
                "title",
                "description",
                "state",
                "reason",
                "received_at",
                "answered_at",
                "done_at",
            ],
        ),
        table(
            "alliance_ratings",
            _("Your ratings of alliance projects"),
            Rating.objects.filter(user=user).select_related("project").order_by("created_at"),
            [("project.title", _("project")), "stars", "comment", "created_at"],
        ),
        table(
            "alliance_party_member",
            _("Your registration with the community as a party member"),
            PartnerMember.objects.filter(user=user).select_related("partner").order_by("pk"),
            [("partner.name", _("partner organisation")), "name", "registered_on"],
        ),
        table(
            "alliance_partner_contact",
            _("Partner organisations you are the contact person of"),
            Partner.objects.filter(contact_user=user).order_by("name"),
            ["name", "kind"],
        ),
    ]


def forget(user, members, tally) -> None:
    """A request stays on the community's needs list (its figures are public) but no longer says
    who asked or where: its author, household, building, the resident's own words and photo go
    (the title becomes staff's public summary, or the category). Ratings go."""
    categories = dict(Need.Category.choices)
    kept = 0
    for need in Need.objects.filter(author=user):
        if need.photo:
            need.photo.delete(save=False)
        need.author = None
        need.household = None
        need.building = ""
        need.description = ""
        need.photo = ""
        need.title = (need.public_summary or str(categories.get(need.category, "")))[:80]
        need.save(
            update_fields=["author", "household", "building", "description", "photo", "title"]
        )
        kept += 1
    tally.keep(Need, kept)
    tally.remove(Rating.objects.filter(user=user))
    # The person's own registration as a party member goes; an organisation they were the
    # contact of stays, without the link to their account.
    tally.remove(PartnerMember.objects.filter(user=user))
    contact_of = Partner.objects.filter(contact_user=user).update(contact_user=None)
    cache_changed("portal")  # the partner list is the portal's; update() sends no signals
    tally.keep(Partner, contact_of)
