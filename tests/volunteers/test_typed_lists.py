"""Lists typed with Chinese or English punctuation: star levels and a post's skills."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from portal.lib.lists import split_list, split_numbers
from volunteers.forms import PostForm
from volunteers.models import VolunteerSettings


@pytest.mark.parametrize(
    ("typed", "items"),
    [
        ("补鞋、缝纫", ["补鞋", "缝纫"]),
        ("补鞋，缝纫, 磨刀", ["补鞋", "缝纫", "磨刀"]),
        ("shoe repair, sewing", ["shoe repair", "sewing"]),
        (" 补鞋 ；；缝纫\n补鞋", ["补鞋", "缝纫"]),
        ("", []),
    ],
    ids=["enumeration-comma", "full-width-comma", "english", "mixed-and-repeated", "empty"],
)
def test_a_typed_list_splits_on_every_comma_people_use(typed, items):
    assert split_list(typed) == items


def test_numbers_split_on_commas_and_spaces_and_refuse_words():
    assert split_numbers("100，300、600 1000") == [Decimal(x) for x in (100, 300, 600, 1000)]
    with pytest.raises(ValueError, match="很多"):
        split_numbers("100,很多")


@pytest.mark.django_db
def test_star_levels_typed_with_chinese_commas_give_the_levels():
    settings = VolunteerSettings.current()
    settings.star_thresholds = "100，300，600"
    settings.full_clean()
    assert settings.star_thresholds == "100,300,600"
    assert settings.star_levels() == [Decimal(100), Decimal(300), Decimal(600)]
    with translation.override("zh-hans"):
        assert settings.star_levels_text() == "1★ 100 小时 · 2★ 300 小时 · 3★ 600 小时"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("typed", "message"),
    [("100,很多", "不是"), ("300,100", "依次"), ("", "")],
    ids=["word", "decreasing", "empty"],
)
def test_star_levels_that_make_no_sense_are_refused_with_a_reason(typed, message):
    settings = VolunteerSettings.current()
    settings.star_thresholds = typed
    with translation.override("zh-hans"):
        with pytest.raises(ValidationError) as refused:
            settings.full_clean()
        assert message in str(refused.value)


@pytest.mark.django_db
def test_the_admin_shows_the_star_levels_as_understood(admin_client):
    VolunteerSettings.current()
    page = admin_client.get("/admin/volunteers/volunteersettings/1/change/").content.decode()
    assert "1★ 100 小时" in page


def test_a_post_s_skills_typed_with_the_enumeration_comma_are_two_skills():
    form = PostForm(
        data={
            "title": "补鞋",
            "place": "广场",
            "day": "2026-12-10",
            "start_time": "09:00",
            "end_time": "11:00",
            "capacity": "2",
            "skills": "补鞋、缝纫",
        }
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["skills"] == "补鞋,缝纫"
