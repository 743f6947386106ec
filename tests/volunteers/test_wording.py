"""Words other modules translate differently keep the volunteers' meaning (msgctxt)."""

import pytest

from tests.volunteers.helpers import make_post

pytestmark = pytest.mark.django_db


def test_the_sign_up_button_means_taking_a_post_not_making_an_account(client, volunteer):
    # The portal's catalogue translates a bare "Sign up" as 注册 (create an account).
    post = make_post()
    client.cookies["portal_language"] = "zh-hans"
    client.force_login(volunteer)

    page = client.get(post.get_absolute_url()).content.decode()

    assert ">报名</button>" in page and "注册" not in page
