"""The one-row settings (portal.singleton): `current()` is the one row, kept in the cache, and
an admin save shows at once; the admin opens that row and neither adds nor deletes one.

The cache tests commit their data (transaction=True): inside a test's transaction with
uncommitted writes the cache is bypassed on purpose, and here the cached path is under test.
"""

from decimal import Decimal

import pytest
from django.db import connection
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from alliance.models import AllianceSettings
from canteen.models import CanteenSettings
from classes.models import ClassroomSettings
from portal import roles
from portal.models import Community
from portal.singleton import SingletonSettings
from tests.factories import make_user
from volunteers.models import VolunteerSettings

# Each settings model, the role that edits it, and one change to make.
SETTINGS = [
    (Community, roles.COMMUNITY_ADMIN, "name", "新名字社区"),
    (VolunteerSettings, roles.VOLUNTEER_COORDINATOR, "cancel_cutoff_hours", 7),
    (CanteenSettings, roles.CANTEEN_STAFF, "watch_after_days", 9),
    (ClassroomSettings, roles.CLASSES_STAFF, "fund_share_percent", Decimal("12.50")),
    (AllianceSettings, roles.ALLIANCE_STAFF, "visit_overdue_months", 5),
]
IDS = ["community", "volunteers", "canteen", "classroom", "alliance"]


def _url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def test_every_settings_model_is_a_singleton():
    assert {m for m, *_ in SETTINGS} == {
        m for m in _subclasses(SingletonSettings) if not m._meta.abstract
    }


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("model", "role", "field", "value"), SETTINGS, ids=IDS)
def test_current_is_the_one_row_kept_in_the_cache_until_an_admin_save(
    client, model, role, field, value
):
    model.current()  # made on first use: a change, so the next read is the one kept
    first = model.current()
    assert model.objects.count() == 1 and first.pk == 1
    with CaptureQueriesContext(connection) as ctx:
        again = model.current()
    assert len(ctx) == 0
    assert again.pk == 1 and again is not first
    setattr(again, field, value)  # a caller's copy is its own
    assert getattr(model.current(), field) != value

    client.force_login(make_user("管理者", role_list=[role]))
    data = {k: v for k, v in model_to_dict(first).items() if v is not None}
    response = client.post(_url(model, "change", 1), {**data, field: value})

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert getattr(model.current(), field) == value  # at once, not when the cache expires
    assert model.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(("model", "role", "field", "value"), SETTINGS, ids=IDS)
def test_the_admin_opens_the_one_row_and_neither_adds_nor_deletes(
    client, model, role, field, value
):
    client.force_login(make_user("管理者", role_list=[role]))

    response = client.get(_url(model, "changelist"))

    assert response.status_code == 302 and response.url == _url(model, "change", 1)
    assert model.objects.count() == 1  # made with the defaults if it was missing
    assert client.get(response.url).status_code == 200
    assert client.get(_url(model, "add")).status_code == 403
    assert client.post(_url(model, "delete", 1), {"post": "yes"}).status_code == 403
    assert model.objects.count() == 1
