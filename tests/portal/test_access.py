"""`require_role`: the one guard every module's staff pages use (portal.access)."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory

from portal import roles
from portal.access import holds_role, require_role
from portal.models import User
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def request_by(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


def test_a_holder_of_the_role_passes():
    staff = make_user(role_list=[roles.RESIDENT, roles.CANTEEN_STAFF])

    assert require_role(request_by(staff), roles.CANTEEN_STAFF) is None
    assert holds_role(staff, roles.CANTEEN_STAFF)


def test_one_of_several_roles_is_enough():
    admin = make_user(role_list=[roles.COMMUNITY_ADMIN])

    require_role(request_by(admin), roles.ALLIANCE_STAFF, roles.COMMUNITY_ADMIN)


def test_another_role_is_refused():
    staff = make_user(role_list=[roles.RESIDENT, roles.EVENTS_STAFF])

    with pytest.raises(PermissionDenied):
        require_role(request_by(staff), roles.CANTEEN_STAFF)
    assert not holds_role(staff, roles.CANTEEN_STAFF)


def test_a_resident_without_a_staff_role_is_refused():
    with pytest.raises(PermissionDenied):
        require_role(request_by(make_user()), roles.CLASSES_STAFF)


def test_a_visitor_is_refused():
    with pytest.raises(PermissionDenied):
        require_role(request_by(AnonymousUser()), roles.CANTEEN_STAFF)
    assert not holds_role(AnonymousUser(), roles.CANTEEN_STAFF)


def test_a_superuser_holds_every_role():
    root = User.objects.create_superuser("root", password="x", mobile="13600000009")

    for role in roles.ALL_ROLES:
        require_role(request_by(root), role)


def test_a_switched_off_account_is_refused_even_with_the_role():
    staff = make_user(role_list=[roles.ALLIANCE_STAFF])
    staff.is_active = False
    staff.save(update_fields=["is_active"])

    with pytest.raises(PermissionDenied):
        require_role(request_by(staff), roles.ALLIANCE_STAFF)
    root = User.objects.create_superuser("root", password="x", mobile="13600000009")
    root.is_active = False
    with pytest.raises(PermissionDenied):
        require_role(request_by(root), roles.ALLIANCE_STAFF)


def test_asking_for_no_role_is_a_mistake_not_a_refusal():
    with pytest.raises(ValueError):
        require_role(request_by(make_user()))
