"""Reading typed parameters: readable values come back typed, the rest is a 400 with a reason."""

from datetime import date

import pytest
from django.utils import translation

from portal.lib import params

TODAY = date(2026, 5, 6)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-05-06", date(2026, 5, 6)),
        ("", TODAY),
        (None, TODAY),
        (" 2100-12-31 ", date(2100, 12, 31)),
    ],
    ids=["iso", "empty", "missing", "last-year-allowed"],
)
def test_a_readable_date_is_parsed_and_an_empty_one_gives_the_default(text, expected):
    assert params.parse_date(text, TODAY) == expected


@pytest.mark.parametrize(
    "text",
    ["9999-12-31", "0001-01-01", "1899-12-31", "2026-02-30", "2026-13-01", "20260506",
     "２０２６-05-06", "2026-05-06\x00", "abc", "x" * 100_000],
    ids=["year-9999", "year-1", "before-1900", "feb-30", "month-13", "compact", "fullwidth", "nul",
         "word", "huge"],
)  # fmt: skip
def test_an_unreadable_or_absurd_date_is_a_bad_parameter(text):
    with pytest.raises(params.BadParameter):
        params.parse_date(text, TODAY)


@pytest.mark.parametrize(
    ("text", "ok"),
    [("2026-05", date(2026, 5, 1)), ("2026-13", None), ("2026-00", None), ("9999-12", None),
     ("0001-01", None), ("2026", None), ("2026-05-01", None)],
    ids=["month", "month-13", "month-0", "year-9999", "year-1", "year-only", "a-date"],
)  # fmt: skip
def test_months_are_read_within_the_years_the_portal_knows(text, ok):
    if ok:
        assert params.parse_month(text) == ok
    else:
        with pytest.raises(params.BadParameter):
            params.parse_month(text)


@pytest.mark.parametrize("text", ["abc", "-1", "1.5", "1e9", "１２", str(2**63), "12\x00"])
def test_an_id_must_be_a_plain_number_that_fits_the_database(text):
    with pytest.raises(params.BadParameter):
        params.parse_int(text)
    assert params.parse_int("42") == 42 and params.parse_int("", 7) == 7


def test_text_is_stripped_and_refused_with_nul_or_over_its_length():
    assert params.clean_text("  张 ") == "张"
    with pytest.raises(params.BadParameter):
        params.clean_text("a\x00b")
    with pytest.raises(params.BadParameter):
        params.clean_text("x" * 201)


def test_the_message_says_what_was_wrong_in_the_visitors_language():
    with translation.override("en"), pytest.raises(params.BadParameter) as excinfo:
        params.parse_date("9999-01-01")
    assert "1900" in str(excinfo.value.message) and "2100" in str(excinfo.value.message)


def test_a_bad_parameter_gets_the_portals_400_page_and_not_a_500(client, db):
    client.cookies["portal_language"] = "en"

    response = client.get("/canteen/?week=9999-12-31")

    assert response.status_code == 400
    body = response.content.decode()
    assert "We could not understand that request" in body and "1900" in body
    assert 'href="/"' in body  # the portal's page, with a way back


def test_a_nul_byte_anywhere_gets_a_400_before_any_view_runs(client, db):
    for url in ("/volunteers/verify/?code=%00", "/events/my/ticket/%00/", "/?x%00=1"):
        assert client.get(url).status_code == 400, url
    assert client.post("/accounts/login/", {"login": "a\x00b", "password": "x"}).status_code == 400


def test_a_number_too_big_for_any_id_gets_a_400_but_a_long_mobile_search_does_not(
    client, community_admin
):
    client.force_login(community_admin)
    for url in (f"/admin/canteen/menu/?slot={'9' * 20}", f"/canteen/?week=-{'9' * 25}"):
        assert client.get(url).status_code == 400, url
    assert client.get("/admin/portal/user/?q=13800000001").status_code == 200
