"""seed_demo's texts: verified demo mobiles and one failed delivery for staff to see."""

import pytest
from django.core.management import call_command

from portal import notices
from portal.models import Delivery, User

pytestmark = pytest.mark.django_db


def test_the_demo_has_one_failed_text_and_verified_mobiles_and_is_safe_to_run_twice():
    call_command("seed_demo", verbosity=0)
    call_command("seed_demo", verbosity=0)

    (failed,) = Delivery.objects.filter(state=Delivery.State.FAILED)
    assert failed.last_error and failed.user.mobile == "13800000007"
    # a retry from the admin would go to the reminder's approved template: it has what it needs
    assert set(notices.SMS_PARAMS[failed.kind]) <= set(failed.params)
    admin = User.objects.get(mobile="13800000001")
    volunteer = User.objects.get(mobile="13800000007")
    assert volunteer.mobile_verified and volunteer.mobile_verified_by == admin
    assert not User.objects.get(mobile="13800000009").mobile_verified  # for the office to do
