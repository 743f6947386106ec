"""The coordinator: a year of service days, copying posts, offers, messages and reports."""

import csv
import io
from datetime import date, time

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from portal.models import Notice
from tests.exports import (
    csv_rows,
    header_row,
    live_formulas,
    needs_soffice,
    neutralised,
    opens_in_libreoffice,
    title_block,
    workbook,
    xlsx_rows,
)
from tests.volunteers.helpers import DAY, at, make_post
from volunteers import services
from volunteers.models import Membership, Post, PostTemplate, ServiceDay


@pytest.fixture
def templates(team):
    PostTemplate.objects.create(
        team=team, title="补鞋", place="广场", start_time=time(9), end_time=time(11), capacity=3
    )
    PostTemplate.objects.create(
        team=team, title="磨刀", place="广场", start_time=time(9), end_time=time(11), capacity=2
    )


@pytest.mark.django_db
class TestGenerateYear:
    def test_it_creates_twelve_days_on_the_10th_with_posts_and_twice_creates_nothing(
        self, client, coordinator, templates
    ):
        client.force_login(coordinator)
        response = client.post(reverse("volunteers:generate-year"), {"year": 2027})
        assert response.status_code == 302
        days = list(ServiceDay.objects.values_list("date", flat=True))
        assert days == [date(2027, m, 10) for m in range(1, 13)]
        assert Post.objects.count() == 24
        client.post(reverse("volunteers:generate-year"), {"year": 2027})
        assert ServiceDay.objects.count() == 12
        assert Post.objects.count() == 24

    def test_the_day_of_month_is_the_communitys_setting(self, community, templates):
        community.service_day_of_month = 15
        community.save()
        services.generate_service_days(2027)
        assert {d.day for d in ServiceDay.objects.values_list("date", flat=True)} == {15}

    def test_the_command_has_a_dry_run(self, templates):
        out = io.StringIO()
        call_command("generate_service_days", "2027", "--dry-run", stdout=out)
        assert "Would create 12 service days and 24 posts" in out.getvalue()
        assert not ServiceDay.objects.exists()
        call_command("generate_service_days", "2027", stdout=out)
        assert Post.objects.count() == 24

    @pytest.mark.parametrize("who", ["team_leader", "volunteer", "events_staff"])
    def test_only_the_coordinator_may_generate(self, client, who, request, templates):
        client.force_login(request.getfixturevalue(who))
        assert client.post(reverse("volunteers:generate-year"), {"year": 2027}).status_code == 403
        assert client.get(reverse("volunteers:coordinator")).status_code == 403
        assert client.get(reverse("volunteers:report")).status_code == 403
        assert not ServiceDay.objects.exists()


@pytest.mark.django_db
def test_copying_last_months_posts(client, coordinator, team):
    source = ServiceDay.objects.create(date=date(2026, 3, 10))
    target = ServiceDay.objects.create(date=date(2026, 4, 10))
    make_post(team=team, day=source.date)
    client.force_login(coordinator)
    client.post(reverse("volunteers:copy-posts"), {"source": "2026-03-10", "target": "2026-04-10"})
    client.post(reverse("volunteers:copy-posts"), {"source": "2026-03-10", "target": "2026-04-10"})
    copies = list(target.posts.all())
    assert len(copies) == 1
    assert copies[0].start.date() == date(2026, 4, 10)


@pytest.mark.django_db
def test_placing_a_parents_offer_in_a_team(client, coordinator, parent, team):
    offer = services.submit_volunteer_offer(parent, source="classes:parent-offer")
    client.force_login(coordinator)
    client.post(
        reverse("volunteers:membership-decide", args=[offer.pk]),
        {"decision": "approve", "team": team.pk, "message": ""},
    )
    offer.refresh_from_db()
    assert offer.status == Membership.Status.APPROVED
    assert offer.team == team


@pytest.mark.django_db
def test_a_leader_cannot_answer_pool_offers(client, team_leader, parent, team):
    offer = services.submit_volunteer_offer(parent)
    client.force_login(team_leader)
    response = client.post(
        reverse("volunteers:membership-decide", args=[offer.pk]),
        {"decision": "approve", "team": team.pk},
    )
    assert response.status_code == 403


@pytest.mark.django_db
def test_messaging_everyone_on_a_day(
    client, coordinator, post, service_day, volunteer, django_capture_on_commit_callbacks
):
    services.sign_up(post, volunteer)
    client.force_login(coordinator)
    url = reverse("volunteers:day-message", args=[service_day.date.isoformat()])
    preview = client.post(url, {"text": "下雨改室内"})
    assert preview.context["counts"]["inbox"] == 1
    assert not Notice.objects.filter(text="下雨改室内").exists()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"text": "下雨改室内", "confirm": "True"})
    assert Notice.objects.filter(recipient=volunteer, text="下雨改室内").exists()


def _plain(value):
    """A page's figure or a cell's value as a float (text and blanks as they are)."""
    value = getattr(value, "fraction", value)
    return value if value is None or isinstance(value, str) else float(value)


@pytest.mark.django_db
class TestReports:
    @pytest.fixture
    def served(self, post, volunteer, team_leader):
        signup = services.sign_up(post, volunteer)
        services.check_in(signup, by=team_leader, at=post.start)
        services.confirm_hours(signup, by=team_leader, at=post.end)
        services.record_outcome(
            post, residents_served=30, items_repaired=12, meals_delivered=0, note=""
        )

    def test_the_report_page_shows_hours_per_team_and_month(self, client, coordinator, served):
        client.force_login(coordinator)
        response = client.get(reverse("volunteers:report"), {"year": 2026})
        hours = response.context["data"]["tables"][0]
        assert hours["rows"][0][0] == "补鞋队"
        assert hours["rows"][0][3] == 2  # March

    def test_csv_export(self, client, coordinator, served, time_machine):
        time_machine.move_to(at(DAY, 18), tick=False)
        client.force_login(coordinator)
        response = client.get(reverse("volunteers:report"), {"year": 2026, "format": "csv"})
        assert response["Content-Type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert rows[0] == ["Hours per team and month"]
        assert ["补鞋队", "1", "1", "0", "100%"] in rows
        assert ["补鞋队", "1", "30", "12", "0"] in rows

    def test_excel_export(self, client, coordinator, served):
        client.force_login(coordinator)
        response = client.get(reverse("volunteers:report"), {"year": 2026, "format": "xlsx"})
        book = load_workbook(io.BytesIO(response.content))
        assert book.sheetnames[0] == "Hours per team and month"
        rows = xlsx_rows(response)
        assert rows[1][0] == "补鞋队" and rows[1][3] == 2

    @pytest.mark.parametrize(
        ("language", "sheets", "total"),
        [
            ("zh-hans", ["各队每月服务时长", "出勤与缺席", "服务成效", "新增志愿者"], "合计"),
            (
                "en",
                ["Hours per team and month", "Attendance and no-shows", "Service output"],
                "Total",
            ),
        ],
    )
    def test_the_excel_report_has_typed_rates_and_the_pages_totals(
        self, client, coordinator, served, time_machine, language, sheets, total
    ):
        time_machine.move_to(at(DAY, 18), tick=False)
        client.force_login(coordinator)
        client.cookies["portal_language"] = language
        page = client.get(reverse("volunteers:report"), {"year": 2026})
        tables = {t["key"]: t for t in page.context["data"]["tables"]}

        response = client.get(reverse("volunteers:report"), {"year": 2026, "format": "xlsx"})

        book = workbook(response)
        assert book.sheetnames[: len(sheets)] == sheets and "Sheet" not in book.sheetnames
        assert title_block(book.worksheets[0])[0].startswith("公园路社区 ")
        for n, key in enumerate(["hours", "attendance", "output"]):
            ws = book.worksheets[n]
            rows = xlsx_rows(response, ws.title)
            assert rows[-1][0] == total
            assert [_plain(v) for v in tables[key]["totals"]] == [_plain(v) for v in rows[-1]]
        attendance = book.worksheets[1]
        rate = attendance.cell(header_row(attendance) + 1, 5)
        assert rate.value == 1 and rate.data_type == "n" and rate.number_format == "0%"
        body = page.content.decode()
        assert "100%" in body

    @needs_soffice
    def test_libreoffice_opens_the_report(self, client, coordinator, served, tmp_path):
        client.force_login(coordinator)
        response = client.get(reverse("volunteers:report"), {"year": 2026, "format": "xlsx"})
        opens_in_libreoffice(response.content, tmp_path)

    def test_the_exports_neutralise_formula_team_names_and_keep_hours_numbers(
        self, client, coordinator, served, post
    ):
        post.team.name = '=HYPERLINK("http://x.example")'
        post.team.save()
        client.force_login(coordinator)

        rows = csv_rows(client.get(reverse("volunteers:report"), {"year": 2026, "format": "csv"}))
        response = client.get(reverse("volunteers:report"), {"year": 2026, "format": "xlsx"})
        sheet = xlsx_rows(response)

        name = neutralised(post.team.name)
        for found in (rows, sheet):
            assert live_formulas(found) == []
            assert name in {r[0] for r in found if r}
        assert next(r for r in sheet if r[0] == name)[3] == 2
