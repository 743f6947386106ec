"""seed_demo's events part: the first Neighbour Festival, idempotent."""

import pytest

from events import demo
from events.models import Activity, Event, Registration, StallApplication
from portal import demo as portal_demo

pytestmark = pytest.mark.django_db


def test_seed_demo_adds_the_festival_with_seven_tracks_and_its_activities_once(client):
    # Only this module's part (other modules' seeds are theirs to test).
    for _ in range(2):
        community, people = portal_demo.seed_community(), portal_demo.seed_people()
        lines = demo.seed(None, community, people)
    assert lines == ["events: festival already there"]

    festival = Event.objects.get(title="首届“你好·邻居”邻里节")
    assert festival.is_published
    assert list(festival.tracks.values_list("name", flat=True)) == [
        "睦邻歌",
        "睦邻乐",
        "睦邻颂",
        "睦邻情",
        "睦邻聚",
        "睦邻暖",
        "睦邻转转圈",
    ]
    titles = set(festival.activities.values_list("title", flat=True))
    assert len(titles) >= 10
    for word in [
        "跳蚤市场",
        "趣味运动会",
        "绿跑",
        "歌舞联欢",
        "朗诵比赛",
        "糖画",
        "糖葫芦",
        "爆米花",
        "麻圆",
        "便民服务",
    ]:
        assert any(word in t for t in titles), word
    assert Registration.objects.filter(activity__event=festival, status="waiting").exists()
    assert Registration.objects.filter(activity__event=festival, status="confirmed").count() >= 8
    assert StallApplication.objects.filter(status="approved").count() == 1
    assert Event.objects.count() == 2
    assert Activity.objects.filter(event=festival).count() == 11
    assert client.get(f"/events/{festival.pk}/").status_code == 200
