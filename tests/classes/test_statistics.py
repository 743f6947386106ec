"""Class-hour statistics for staff: by course, institution and term, with CSV and Excel."""

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from classes import stats
from classes.models import Course
from classes.services import take_register
from portal.models import Partner
from tests.classes.helpers import at, enrol, make_course
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
from tests.factories import make_child, make_user


@pytest.fixture
def taught(now, term, teacher, institution, parent, child, teacher_user):
    """Two courses; three Saturdays held in September; one child always there, one absent once."""
    lego = make_course(term, title="乐高", teacher=teacher, institution=institution, sessions=True)
    art = make_course(term, title="画画", slots=[(6, "09:00", "11:00")], sessions=True)
    other = make_user("李爸爸")
    e1 = enrol(parent, lego, child)
    e2 = enrol(other, lego, make_child(other, name="李小红", birth_date=date(2018, 2, 2)))
    with time_machine.travel(at(2026, 9, 30, 12, 0), tick=False):
        for i, s in enumerate(lego.sessions.filter(date__lte=date(2026, 9, 30))):
            take_register(
                s,
                {e1.pk: ("present", ""), e2.pk: ("absent" if i == 0 else "late", "")},
                by=teacher_user,
            )
    return lego, art


def test_rows_by_course(taught):
    rows = {r["name"]: r for r in stats.rows("course")}
    assert set(rows) == {"乐高 · 2026年秋季"}  # no class of 画画 was held
    lego = rows["乐高 · 2026年秋季"]
    assert (lego["sessions"], lego["hours"], lego["children"]) == (3, Decimal("4.50"), 2)
    assert lego["rate"] == Decimal("83.3")  # 5 of 6 marks present or late


def test_rows_by_institution_and_term(taught):
    assert [r["name"] for r in stats.rows("institution")] == ["星光教育"]
    assert stats.rows("term")[0]["hours"] == Decimal("4.50")


def test_staff_see_and_export_the_statistics(client, classes_staff, taught):
    client.force_login(classes_staff)
    page = client.get(reverse("classes:statistics")).content.decode()
    assert "乐高" in page and "83.3%" in page
    csv = client.get(reverse("classes:statistics-export", args=["course", "csv"]))
    assert csv["Content-Type"].startswith("text/csv")
    assert "乐高 · 2026年秋季,3,4.50,2,83.3" in csv.content.decode("utf-8-sig")
    xlsx = client.get(reverse("classes:statistics-export", args=["term", "xlsx"]))
    rows = xlsx_rows(xlsx)
    assert rows[1][0] == "2026年秋季" and rows[1][2] == 4.5


def test_statistics_are_for_classes_staff_only(client, parent, teacher_user):
    for user in (parent, teacher_user):
        client.force_login(user)
        assert client.get(reverse("classes:statistics")).status_code == 403
        url = reverse("classes:statistics-export", args=["course", "csv"])
        assert client.get(url).status_code == 403


def test_an_unknown_grouping_is_not_found(client, classes_staff):
    client.force_login(classes_staff)
    assert (
        client.get(reverse("classes:statistics-export", args=["child", "csv"])).status_code == 404
    )


def test_the_statistics_page_runs_a_fixed_number_of_queries(
    client, community, classes_staff, taught, django_assert_max_num_queries
):
    client.force_login(classes_staff)
    with django_assert_max_num_queries(16):
        assert client.get(reverse("classes:statistics")).status_code == 200


def test_the_exports_neutralise_formula_course_titles_and_keep_numbers_numbers(
    client, classes_staff, taught
):
    Course.objects.filter(title="乐高").update(title="=1+1")
    Partner.objects.update(name="-2+3")
    client.force_login(classes_staff)

    for grouping, name in (("course", "=1+1 · 2026年秋季"), ("institution", "-2+3")):
        rows = csv_rows(client.get(reverse("classes:statistics-export", args=[grouping, "csv"])))
        url = reverse("classes:statistics-export", args=[grouping, "xlsx"])
        sheet = xlsx_rows(client.get(url))
        for found in (rows, sheet):
            assert live_formulas(found) == []
            assert neutralised(name) in {r[0] for r in found}
        row = next(r for r in sheet if r[0] == neutralised(name))
        assert row[1:4] == (3, 4.5, 2)


@pytest.mark.parametrize(
    ("language", "sheet", "total"), [("zh-hans", "按课程", "合计"), ("en", "By course", "Total")]
)
def test_the_excel_statistics_give_rates_as_percentages_and_the_pages_totals(
    client, classes_staff, taught, language, sheet, total
):
    client.force_login(classes_staff)
    client.cookies["portal_language"] = language
    page = client.get(reverse("classes:statistics")).context["totals"]

    response = client.get(reverse("classes:statistics-export", args=["course", "xlsx"]))

    ws = workbook(response).active
    assert ws.title == sheet
    assert title_block(ws)[0].startswith("公园路社区 ")
    rows = xlsx_rows(response)
    lego = rows[1]
    assert lego[4] == pytest.approx(0.833) and ws.cell(header_row(ws) + 1, 5).number_format == "0%"
    assert ws.cell(header_row(ws) + 1, 2).number_format == "0"
    assert rows[-1][0] == total
    assert rows[-1][1:4] == (page["sessions"], float(page["hours"]), page["children"])
    assert "83.3%" in client.get(
        reverse("classes:statistics-export", args=["course", "csv"])
    ).content.decode("utf-8-sig")


@needs_soffice
def test_libreoffice_opens_the_statistics(client, classes_staff, taught, tmp_path):
    client.force_login(classes_staff)
    response = client.get(reverse("classes:statistics-export", args=["institution", "xlsx"]))
    opens_in_libreoffice(response.content, tmp_path)
