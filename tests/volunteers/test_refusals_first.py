"""Refusals before effort: a post's page asks `can_sign_up` before offering the button.

The reason (restricted team, a clash, already signed up) stands where the button would be;
`sign_up` asks the very same function, and "posts for me" leaves out what it refuses.
"""

import pytest
from django.urls import reverse
from django.utils import translation

from tests.volunteers.helpers import make_member, make_post, make_team
from volunteers import services
from volunteers.models import Signup, VolunteerSettings

pytestmark = pytest.mark.django_db


def _detail(client, user, post):
    client.force_login(user)
    return client.get(reverse("volunteers:post-detail", args=[post.pk])).content.decode()


def test_a_restricted_team_post_shows_why_instead_of_the_button(client, volunteer, team_leader):
    closed = make_team("电工队", leader=team_leader, is_open=False)
    post = make_post(team=closed, title="修电灯")
    reason = services.can_sign_up(volunteer, post)
    assert "电工队" in reason
    html = _detail(client, volunteer, post)
    assert reason in html.replace("&#x27;", "'")
    assert f"{post.pk}/sign-up/" not in html
    with translation.override("en"), pytest.raises(services.SignupError) as refused:
        services.sign_up(post, volunteer)
    assert str(refused.value) == reason
    assert not Signup.objects.exists()
    assert post not in client.get(reverse("volunteers:posts-for-me")).context["posts"]
    # A member is offered the button.
    make_member(volunteer, closed)
    assert services.can_sign_up(volunteer, post) is None
    assert f"{post.pk}/sign-up/" in _detail(client, volunteer, post)


def test_a_clash_and_a_second_sign_up_are_refused_before_the_form(client, volunteer):
    first = make_post(title="补鞋", start_hour=9, hours=2)
    overlapping = make_post(title="磨刀", start_hour=10, hours=2)
    services.sign_up(first, volunteer)
    assert services.can_sign_up(volunteer, first) == "You are already signed up for this post."
    reason = services.can_sign_up(volunteer, overlapping)
    assert "补鞋" in reason
    html = _detail(client, volunteer, overlapping)
    assert "补鞋" in html and f"{overlapping.pk}/sign-up/" not in html
    with translation.override("en"), pytest.raises(services.SignupError) as refused:
        services.sign_up(overlapping, volunteer)
    assert str(refused.value) == reason


def test_asking_for_a_list_runs_no_query_per_post(volunteer, django_assert_num_queries):
    posts = [make_post(title=f"岗位{i}", start_hour=8 + i % 8) for i in range(10)]
    mine = services.my_active_signups(volunteer)
    rules = VolunteerSettings.current()
    with django_assert_num_queries(0):
        for post in posts:
            services.can_sign_up(volunteer, post, rules=rules, member_team_ids=set(), mine=mine)
