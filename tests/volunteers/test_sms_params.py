"""The volunteers' texts a resident may opt into carry their kind's parameters (SMS_PARAMS), in
the volunteer's language (Chinese here) whoever acted (these tests act in English)."""

from decimal import Decimal

import pytest

from portal.models import Notice
from tests.factories import make_user, text_params, wants_every_text
from tests.volunteers.helpers import make_member, make_post
from volunteers import services
from volunteers.models import Membership

Kind = Notice.Kind


@pytest.fixture
def volunteer(volunteer):
    return wants_every_text(volunteer)


def test_a_sign_up_text_names_the_post_and_when_it_starts(post, volunteer):
    services.sign_up(post, volunteer)

    (params,) = text_params(volunteer, Kind.CONFIRMED)
    assert params["title"] == "补鞋" and params["time"] == "2026-03-10 09:00"


@pytest.mark.parametrize("approve", [True, False], ids=["confirmed", "not-confirmed"])
def test_the_leaders_answer_to_a_sign_up_names_the_post_and_when_it_starts(
    post, volunteer, team_leader, approve
):
    profile = services.ensure_profile(volunteer)
    profile.needs_approval = True
    profile.save(update_fields=["needs_approval"])
    signup = services.sign_up(post, volunteer)

    services.decide_signup(signup, by=team_leader, approve=approve)

    asked, answered = text_params(volunteer, Kind.CONFIRMED)
    assert answered["title"] == asked["title"] == "补鞋"
    assert answered["time"] == asked["time"] == "2026-03-10 09:00"


def test_an_approved_application_says_so_with_the_team(team, volunteer, team_leader):
    membership = services.apply_to_team(volunteer, team, message="我会补鞋")

    services.decide_membership(membership, by=team_leader, approve=True)

    assert text_params(volunteer, Kind.TEAM_DECIDED) == [
        {"team": "补鞋队", "message": "", "title": "补鞋队", "result": "申请已通过"}
    ]


def test_a_declined_application_gives_the_reason(team, volunteer, team_leader):
    membership = services.apply_to_team(volunteer, team)

    services.decide_membership(membership, by=team_leader, approve=False, message="人已满")

    (params,) = text_params(volunteer, Kind.TEAM_DECIDED)
    assert (params["title"], params["result"]) == ("补鞋队", "申请未通过：人已满")


def test_a_declined_offer_without_a_team_is_about_the_volunteer_pool(coordinator):
    offerer = wants_every_text(make_user("孙热心"))
    membership = services.submit_volunteer_offer(offerer, message="周末有空")

    services.decide_membership(membership, by=coordinator, approve=False, message="暂无岗位")

    (params,) = text_params(offerer, Kind.TEAM_DECIDED)
    assert (params["title"], params["result"]) == ("志愿者库", "申请未通过：暂无岗位")


def test_a_removal_from_the_team_gives_the_reason(team, volunteer, team_leader):
    membership = make_member(volunteer, team, by=team_leader)

    services.remove_member(membership, by=team_leader, reason="长期未参加")

    assert Membership.objects.get(pk=membership.pk).status == Membership.Status.LEFT
    (params,) = text_params(volunteer, Kind.TEAM_DECIDED)
    assert (params["title"], params["result"]) == ("补鞋队", "已被移出队伍：长期未参加")


def test_the_no_show_hold_says_what_it_is_about_and_why(team, volunteer, team_leader, rules):
    rules.no_show_limit = 2
    rules.save()
    for hour in (8, 11):
        post = make_post(team=team, start_hour=hour, hours=1)
        signup = services.sign_up(post, volunteer)
        services.mark_no_show(signup, by=team_leader, at=post.end)

    (params,) = text_params(volunteer, Kind.HOURS)
    assert params["title"] == "志愿岗位报名"
    assert params["result"] == "缺席2次，报名需队长审批"


@pytest.fixture
def served(post, volunteer, team_leader):
    """The volunteer served the post; the leader confirmed 2 hours."""
    signup = services.sign_up(post, volunteer)
    services.check_in(signup, by=team_leader, at=post.start)
    services.confirm_hours(signup, by=team_leader, at=post.end)
    return signup


@pytest.mark.parametrize(
    ("approve", "result"),
    [(True, "已更正为3.0小时"), (False, "更正申请未通过：记录显示2小时")],
    ids=["corrected", "not-accepted"],
)
def test_the_answer_to_a_correction_names_the_post_and_the_outcome(
    served, volunteer, team_leader, approve, result
):
    request = services.request_correction(
        served, user=volunteer, hours=Decimal("3"), reason="我待到最后收摊"
    )

    reason = "属实" if approve else "记录显示2小时"
    services.decide_correction(request, by=team_leader, approve=approve, reason=reason)

    (params,) = text_params(volunteer, Kind.HOURS)
    assert (params["title"], params["result"]) == ("补鞋", result)
