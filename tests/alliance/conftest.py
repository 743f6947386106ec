"""Alliance fixtures: staff, partners with a contact, a resident who asks; a frozen clock."""

import pytest

from portal import roles
from portal.models import Partner
from tests.alliance.helpers import NOW, make_partner
from tests.factories import make_user


@pytest.fixture
def clock_start():
    return NOW


@pytest.fixture
def now(frozen_clock):
    return frozen_clock


@pytest.fixture
def staff(db):
    return make_user("赵联盟", role_list=[roles.ALLIANCE_STAFF])


@pytest.fixture
def contact(db):
    return make_user("钱联络", building="9", room="901")


@pytest.fixture
def partner(contact):
    return make_partner("公园路小学", contact=contact, kind=Partner.Kind.SCHOOL)


@pytest.fixture
def other_contact(db):
    return make_user("孙联络", building="9", room="902")


@pytest.fixture
def other_partner(other_contact):
    return make_partner("仁济医院", contact=other_contact, kind=Partner.Kind.HOSPITAL)


@pytest.fixture
def asker(db):
    return make_user("李居民", building="3", unit="2", room="501")
