"""seed_demo's volunteer part and the home page section."""

import pytest
from django.urls import reverse
from django.utils import translation

from portal import demo as portal_demo
from volunteers import demo
from volunteers.models import HoursEntry, Post, ServiceDay, Signup, Team


@pytest.mark.django_db
def test_the_demo_is_complete_and_idempotent(settings, tmp_path, time_machine):
    settings.MEDIA_ROOT = tmp_path
    community = portal_demo.seed_community()
    people = portal_demo.seed_people()
    lines = demo.seed(None, community, people)
    assert "8 teams" in lines[0]
    counts = [
        Team.objects.count(),
        ServiceDay.objects.count(),
        Post.objects.count(),
        Signup.objects.count(),
        HoursEntry.objects.count(),
    ]
    assert counts[0] == 8
    assert all(t.flag for t in Team.objects.all())
    assert {d.date.day for d in ServiceDay.objects.all()} == {10}
    assert counts[4] > 0
    demo.seed(None, community, people)
    assert counts == [
        Team.objects.count(),
        ServiceDay.objects.count(),
        Post.objects.count(),
        Signup.objects.count(),
        HoursEntry.objects.count(),
    ]


@pytest.mark.django_db
def test_the_home_section_shows_my_next_post(client, post, service_day, volunteer):
    from volunteers import services

    services.sign_up(post, volunteer)
    client.force_login(volunteer)
    response = client.get(reverse("home"))
    assert "补鞋" in response.text
    assert reverse("volunteers:my-schedule") in response.text


@pytest.mark.django_db
def test_refusals_are_in_chinese_by_default(client, team, volunteer):
    from tests.factories import make_user
    from tests.volunteers.helpers import make_post
    from volunteers import services

    post = make_post(team=team, capacity=1)
    services.sign_up(post, make_user("甲"))
    client.cookies.clear()
    client.force_login(volunteer)
    with translation.override("zh-hans"):
        response = client.post(reverse("volunteers:post-signup", args=[post.pk]), follow=True)
        message = str(list(response.context["messages"])[0])
    assert "已满" in message


@pytest.mark.django_db
def test_the_demo_sends_no_mail_but_writes_notices(settings, tmp_path):
    from django.core import mail

    from portal.models import Notice

    settings.MEDIA_ROOT = tmp_path
    community = portal_demo.seed_community()
    people = portal_demo.seed_people()
    mail.outbox.clear()
    demo.seed(None, community, people)
    assert mail.outbox == []
    assert Notice.objects.filter(recipient=people["volunteer"]).exists()
