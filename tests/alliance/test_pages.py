"""The alliance's pages: fixed query counts on a data set grown 10×, anonymity on the public
board and to partners, private home visits, hostile input, neutralised exports."""

import io
from datetime import date, timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from alliance import services
from alliance.models import AllianceSettings, HomeVisit, Need, Project
from portal import roles
from tests.alliance.helpers import make_need, make_partner, make_resource
from tests.exports import FORMULAS, csv_rows, live_formulas, neutralised, xlsx_rows
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def _grow(staff, n, start=0):
    """n needs (all sources, some accepted), n/3 projects (half done, rated, with progress)."""
    partner = make_partner()
    resources = [make_resource(partner) for _ in range(max(1, n // 5))]
    raters = [make_user(f"评价人{start + i}", building="8") for i in range(3)]
    accepted = []
    for i in range(n):
        author = raters[i % 3] if i % 3 == 0 else None
        need = make_need(author, by=staff, title=f"需求{start + i}", state="accepted")
        accepted.append(need)
    for i in range(0, len(accepted) - 2, 3):
        project = services.create_project(
            staff,
            title=f"项目{start + i}",
            plan="方案",
            starts_on=date(2026, 6, 1),
            needs=accepted[i : i + 2],
            resources=resources[:2],
            owner=partner,
        )
        services.add_update(project, by=staff, text="进展")
        if i % 2 == 0:
            services.close_project(project, by=staff, outcome="成效")
            for rater in raters:
                services.rate(project, user=rater, stars=4)
    return partner


def _count(client, url):
    cache.clear()  # the board's cached parts are made again: the worst case
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def test_every_page_runs_a_fixed_number_of_queries_however_much_data(
    client, now, staff, asker, contact
):
    partner = _grow(staff, 6)
    partner.contact_user = contact
    partner.save()
    services.record_visit(staff, household=asker.household, visited_on=now.date(), notes="走访")
    project = Project.objects.filter(state="done").first()
    need = make_need(asker)
    pages = {
        None: [reverse("alliance:board"), reverse("alliance:project", args=[project.pk])],
        asker: [
            reverse("alliance:mine"),
            reverse("alliance:need", args=[need.pk]),
            reverse("alliance:project", args=[project.pk]),
        ],
        staff: [
            reverse("alliance:manage"),
            reverse("alliance:manage") + "?state=all",
            reverse("alliance:manage-need", args=[need.pk]),
            reverse("alliance:projects"),
            reverse("alliance:project-new"),
            reverse("alliance:project-manage", args=[project.pk]),
            reverse("alliance:visits"),
            reverse("alliance:figures-export", args=[2026, "csv"]),
        ],
        contact: [reverse("alliance:partner")],
    }

    def counts():
        found = {}
        for who, urls in pages.items():
            client.logout()
            if who is not None:
                client.force_login(who)
            for url in urls:
                _count(client, url)  # the session and the community, read once
                found[(who, url)] = _count(client, url)
        return found

    few = counts()
    _grow(staff, 60, start=100)
    for i in range(10):
        services.record_visit(
            staff,
            household=make_user(f"户{i}", building="7", room=f"7{i:02d}").household,
            visited_on=now.date(),
            needs=[{"category": "health", "title": f"走访需求{i}", "description": "d"}],
        )
    assert Need.objects.count() > 60 and Project.objects.count() > 20
    assert counts() == few
    assert max(few.values()) <= 25


def test_the_board_is_anonymous_and_names_a_building_only_where_many_households_live(
    client, now, staff
):
    lone = make_user("周独居", building="12", room="101")
    crowd = [make_user(f"居民{i}", building="5", room=f"5{i:02d}") for i in range(5)]
    quiet = make_need(lone, title="周家门口的坡道", state="accepted", by=staff)
    busy = make_need(crowd[0], title="五号楼的路灯", state="accepted", by=staff)
    Need.objects.filter(pk=quiet.pk).update(public_summary="单元门口坡道")
    Need.objects.filter(pk=busy.pk).update(public_summary="楼前路灯维修")
    assert AllianceSettings.current().board_min_households == 5

    page = client.get(reverse("alliance:board")).content.decode()
    assert "单元门口坡道" in page and "楼前路灯维修" in page
    for private in ("周独居", "居民0", "周家门口", "五号楼的路灯", "三号楼楼道需要扶手", "12号楼"):
        assert private not in page
    assert "5号楼" in page  # five households live there: nobody can tell which one asked

    AllianceSettings.objects.filter(pk=1).update(board_min_households=6)
    cache.clear()
    assert "5号楼" not in client.get(reverse("alliance:board")).content.decode()


def test_partners_see_open_needs_anonymised_and_only_their_own_resources(
    client, now, staff, asker, partner, contact, other_partner
):
    need = make_need(asker, state="accepted", by=staff)
    mine = make_resource(partner, title="本校礼堂")
    make_resource(other_partner, title="医院会议室")
    client.force_login(contact)
    page = client.get(reverse("alliance:partner")).content.decode()
    assert "本校礼堂" in page and "医院会议室" not in page
    assert f"公示：{need.title}" in page
    assert "李居民" not in page and "王奶奶" not in page  # no author, no description
    assert mine.conditions == "" and "13900001111" not in page  # no contact phones


def test_home_visits_are_for_alliance_staff_and_community_admins_only(client, now, staff, asker):
    services.record_visit(staff, household=asker.household, visited_on=now.date(), notes="独居")
    url = reverse("alliance:visits")
    for role, status in [
        (roles.RESIDENT, 403),
        (roles.EVENTS_STAFF, 403),
        (roles.COMMUNITY_ADMIN, 200),
        (roles.ALLIANCE_STAFF, 200),
    ]:
        client.force_login(make_user(role_list=[role]))
        assert client.get(url).status_code == status, role


def test_a_visit_records_its_needs_and_elders_alone_show_until_visited(client, now, staff):
    elder = make_user("钱奶奶", birth_date=date(1950, 1, 1), building="6", room="601")
    make_user("年轻人", birth_date=date(1995, 1, 1), building="6", room="602")
    couple = make_user("孙爷爷", birth_date=date(1948, 1, 1), building="6", room="603")
    from portal import services as portal_services

    portal_services.add_member(
        couple, name="孙奶奶", relation="spouse", birth_date=date(1950, 1, 1)
    )
    client.force_login(staff)
    due = client.get(reverse("alliance:visits")).context["due"]
    assert [h.pk for h in due] == [elder.household_id]

    response = client.post(
        reverse("alliance:visits"),
        {
            "building": "6",
            "unit": "1",
            "room": "601",
            "visited_on": now.date().isoformat(),
            "notes": "身体不错",
            "need_category": "elderly",
            "need_title": "需要上门理发",
        },
    )
    assert response.status_code == 302
    visit = HomeVisit.objects.get()
    need = Need.objects.get(home_visit=visit)
    assert (need.source, need.household_id, need.state) == ("home_visit", elder.household_id, "new")
    assert list(client.get(reverse("alliance:visits")).context["due"]) == []

    # ...and show again once the visit is older than the setting's months.
    HomeVisit.objects.update(visited_on=now.date() - timedelta(days=200))
    assert [h.pk for h in client.get(reverse("alliance:visits")).context["due"]] == [
        elder.household_id
    ]


@pytest.mark.parametrize(
    "data",
    [
        {"building": "6", "room": "601", "visited_on": "2999-01-01"},
        {"building": "6", "room": "601", "visited_on": "not-a-date"},
        {"building": "x" * 500, "room": "601", "visited_on": "2026-06-01"},
        {"building": "无此楼", "room": "1", "visited_on": "2026-06-01"},
    ],
    ids=["future", "not-a-date", "huge", "no-household"],
)
def test_a_bad_visit_is_refused_with_a_form_error(client, now, staff, data):
    client.force_login(staff)
    response = client.post(reverse("alliance:visits"), data)
    assert response.status_code == 400
    assert response.context["form"].errors
    assert not HomeVisit.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {"kind": "wish", "category": "nonsense", "title": "t", "description": "d"},
        {"kind": "wish", "category": "children", "title": "t" * 500, "description": "d"},
        {"kind": "wish", "category": "children", "title": "", "description": "d"},
        {"kind": "bogus", "category": "children", "title": "t", "description": "d"},
    ],
    ids=["category", "long-title", "no-title", "kind"],
)
def test_a_bad_request_is_refused_with_a_translated_error(client, now, asker, data):
    client.force_login(asker)
    response = client.post(reverse("alliance:ask"), data, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 400
    assert response.context["form"].errors
    assert not Need.objects.exists()


def test_a_photo_that_is_not_an_image_is_refused(client, now, asker):
    client.force_login(asker)
    fake = io.BytesIO(b"not an image")
    fake.name = "x.png"
    response = client.post(
        reverse("alliance:ask"),
        {"kind": "need", "category": "safety", "title": "t", "description": "d", "photo": fake},
    )
    assert response.status_code == 400 and "photo" in response.context["form"].errors
    good = io.BytesIO()
    Image.new("RGB", (20, 20)).save(good, "PNG")
    good.seek(0)
    good.name = "ok.png"
    client.post(
        reverse("alliance:ask"),
        {"kind": "need", "category": "safety", "title": "t", "description": "d", "photo": good},
    )
    assert Need.objects.get().photo


def test_hostile_ids_and_actions_get_a_clear_answer(client, now, staff, asker):
    need = make_need(asker)
    client.force_login(staff)
    assert client.get(reverse("alliance:manage") + "?page=abc").status_code == 400
    assert client.get(reverse("alliance:manage") + "?state=%00").status_code == 400
    assert client.get(reverse("alliance:manage") + "?state=nonsense").status_code == 200
    bad = reverse("alliance:need-answer", args=[need.pk, "explode"])
    assert client.post(bad).status_code == 404
    merge = reverse("alliance:need-answer", args=[need.pk, "merge"])
    assert client.post(merge, {"into": "abc"}).status_code == 400
    assert client.post(merge, {"into": "99999999999999"}).status_code == 400
    response = client.post(merge, {"into": "987654"}, follow=True)
    need.refresh_from_db()
    assert need.state == "new" and "没有这个编号" in response.content.decode()
    assert client.get(reverse("alliance:figures-export", args=[2026, "pdf"])).status_code == 404


def test_get_never_writes_and_actions_need_post(client, now, staff, asker, contact, partner):
    need = make_need(asker)
    client.force_login(staff)
    assert client.get(reverse("alliance:need-answer", args=[need.pk, "accept"])).status_code == 405
    client.force_login(contact)
    assert client.get(reverse("alliance:claim", args=[need.pk])).status_code == 405
    need.refresh_from_db()
    assert need.state == "new" and need.claimed_by is None


def test_the_yearly_export_neutralises_formulas_and_keeps_numbers(client, now, staff, asker):
    for i, formula in enumerate(FORMULAS):
        need = make_need(asker, title=formula, state="accepted", by=staff)
        Need.objects.filter(pk=need.pk).update(public_summary=formula if i % 2 else "")
    need = Need.objects.first()
    services.create_project(
        staff, title=FORMULAS[0], plan="p", starts_on=now.date(), needs=[need], budget=12
    )
    client.force_login(staff)
    for fmt in ("csv", "xlsx"):
        response = client.get(reverse("alliance:figures-export", args=[2026, fmt]))
        assert response.status_code == 200
        if fmt == "csv":
            rows = csv_rows(response)
        else:
            rows = [r for sheet in (None, "需求", "项目清单") for r in xlsx_rows(response, sheet)]
        assert live_formulas(rows) == []
        texts = {v for row in rows for v in row}
        assert neutralised(FORMULAS[0]) in texts
    rows = xlsx_rows(response)
    assert ("收到需求", len(FORMULAS)) in rows  # a number stays a number


def test_a_resident_sees_only_their_own_requests(client, now, staff, asker):
    mine = make_need(asker)
    other = make_need(make_user("别人"))
    client.force_login(asker)
    assert client.get(reverse("alliance:need", args=[mine.pk])).status_code == 200
    assert client.get(reverse("alliance:need", args=[other.pk])).status_code == 404
    page = client.get(reverse("alliance:mine")).content.decode()
    assert mine.title in page and other.title not in page


def test_the_visits_page_shows_the_canteens_welfare_watch_beside_the_elders_due(
    client, now, staff, community
):
    """Regular elders who stopped coming to the canteen are listed next to the elders living
    alone due a visit: two signals the same visitor acts on."""
    from canteen.models import MealRecord
    from tests.canteen.helpers import lunch_slot, make_menu

    today = now.date()
    elder = make_user("孙奶奶", birth_date=date(1940, 3, 1), building="5", room="502")
    slot = lunch_slot()
    for n in range(10, 20):  # ten lunches, the last ten days ago
        day = today - timedelta(days=n)
        menu = make_menu(day, slot)
        MealRecord.objects.create(
            menu=menu,
            day=day,
            slot=slot,
            month=day.replace(day=1),
            member=elder.member,
            person_name=elder.member.full_name,
            price="14.00",
            subsidy="4.00",
            paid="10.00",
        )
    client.force_login(staff)
    page = client.get(reverse("alliance:visits")).content.decode()
    watch = page.split('data-testid="canteen-watch"', 1)[1].split("</ul>", 1)[0]
    assert "孙奶奶" in watch and "5" in watch
