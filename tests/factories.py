"""Small helpers to make the people and things tests need. Personas live in conftest.py."""

import itertools
from datetime import date

from portal import roles, services
from portal.models import HouseholdMember, User

PASSWORD = "test-pass-2026"
_mobiles = itertools.count(13900000000)


def next_mobile() -> str:
    return str(next(_mobiles))


def make_user(
    name="居民",
    *,
    birth_date=date(1985, 1, 1),
    role_list=(roles.RESIDENT,),
    mobile=None,
    email="",
    building="1",
    unit="1",
    room="101",
    password=PASSWORD,
    mobile_verified=False,
) -> User:
    """A signed-up resident with a household of one, in the given roles."""
    mobile = mobile or next_mobile()
    user = User.objects.create_user(
        username=f"u{mobile}", email=email, password=password, mobile=mobile
    )
    services.register_resident(user, real_name=name, birth_date=birth_date)
    services.save_profile(
        user, real_name=name, birth_date=birth_date, building=building, unit=unit, room=room
    )
    for role in role_list:
        roles.grant_role(user, role)
    if mobile_verified:
        User.objects.filter(pk=user.pk).update(mobile_verified=True)
    user.refresh_from_db()
    return user


def make_child(parent: User, name="孩子", birth_date=date(2018, 6, 1)) -> HouseholdMember:
    return services.add_member(
        parent, name=name, relation=HouseholdMember.Relation.CHILD, birth_date=birth_date
    )


def wants_every_text(user: User) -> User:
    """The person's mobile is verified and every kind that may come by text does (the texts a
    resident may opt into, not only the default ones)."""
    from portal import notices

    User.objects.filter(pk=user.pk).update(mobile_verified=True)
    user.refresh_from_db()
    notices.save_choices(user, {"sms": notices.CHANNEL_KINDS["sms"], "email": []})
    return user


def text_params(user: User, kind: str) -> list[dict]:
    """The template parameters of each text of `kind` queued for `user`, oldest first."""
    from portal.models import Delivery

    texts = Delivery.objects.filter(user=user, channel=Delivery.Channel.SMS, kind=kind)
    return [text.params for text in texts.order_by("pk")]
