"""Both languages all the way.

Fixed vocabularies (allergens) are translated choices; free text staff type (dish, meal-slot,
course, activity, event and announcement titles) may carry an English version, shown on
English pages and falling back to the Chinese (portal.lib.localized, one mechanism for all).
"""

import importlib
from datetime import timedelta

import pytest
from django.apps import apps
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from canteen.models import Dish
from portal.lib.localized import localized
from portal.models import Announcement
from tests.canteen.helpers import MEAL_DAY, make_menu

pytestmark = pytest.mark.django_db


def _get(client, url, language):
    client.cookies["portal_language"] = language
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_localized_prefers_the_english_version_on_english_pages_only():
    dish = Dish(name="红烧肉", name_en="Red-braised pork")
    plain = Dish(name="清炒时蔬")
    with translation.override("en"):
        assert localized(dish, "name") == "Red-braised pork"
        assert localized(plain, "name") == "清炒时蔬"  # no English: the Chinese
        assert dish.localized("name") == "Red-braised pork"
        rendered = Template('{{ dish|localized:"name" }}').render(Context({"dish": dish}))
        assert rendered == "Red-braised pork"
    with translation.override("zh-hans"):
        assert localized(dish, "name") == "红烧肉"
        assert Template('{{ dish|localized:"name" }}').render(Context({"dish": dish})) == "红烧肉"


def test_the_menu_speaks_english_dishes_slots_and_allergens(client, lunch, morning):
    lunch.name_en = "Lunch"
    lunch.save()
    egg = Dish.objects.create(name="肉末蒸蛋", name_en="Steamed egg", allergens="egg,soy")
    plain = Dish.objects.create(name="清炒时蔬")
    make_menu(MEAL_DAY, lunch, price="13.00", dishes=[egg, plain])
    english = _get(client, reverse("canteen:index"), "en")
    assert "Steamed egg" in english and "肉末蒸蛋" not in english
    assert "清炒时蔬" in english  # falls back to the Chinese
    assert "Contains: egg, soy" in english
    assert "Lunch" in english
    chinese = _get(client, reverse("canteen:index"), "zh-hans")
    assert "肉末蒸蛋" in chinese and "Steamed egg" not in chinese
    assert "鸡蛋、大豆" in chinese
    assert "午餐" in chinese


def test_an_allergen_typed_before_the_list_is_still_shown():
    dish = Dish(name="菜", allergens="egg,芒果")
    with translation.override("en"):
        assert dish.allergen_labels == ["egg", "芒果"]


def test_the_migration_turns_typed_allergens_into_codes():
    migration = importlib.import_module("canteen.migrations.0014_english_names_allergen_codes")
    a = Dish.objects.create(name="甲", allergens="鸡蛋、虾")
    b = Dish.objects.create(name="乙", allergens="花生, 芒果")
    c = Dish.objects.create(name="丙", allergens="")
    migration.to_codes(apps, None)
    for dish in (a, b, c):
        dish.refresh_from_db()
    assert (a.allergens, b.allergens, c.allergens) == ("egg,shellfish", "peanut,芒果", "")


def test_the_admin_offers_allergens_as_tick_boxes_and_english_next_to_chinese(admin_client):
    page = admin_client.get(reverse("admin:canteen_dish_add")).content.decode()
    assert 'name="name_en"' in page
    assert page.index('name="name"') < page.index('name="name_en"')
    assert 'type="checkbox" name="allergens" value="peanut"' in page
    response = admin_client.post(
        reverse("admin:canteen_dish_add"),
        {
            "name": "番茄炒蛋",
            "name_en": "Tomato and egg",
            "balance": "mixed",
            "allergens": ["egg", "soy"],
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    dish = Dish.objects.get(name="番茄炒蛋")
    assert dish.allergens == "egg,soy" and dish.name_en == "Tomato and egg"


def test_an_announcement_and_a_course_show_their_english_titles(client, community):
    from classes.models import Term
    from tests.classes.helpers import make_course

    notice = Announcement.objects.create(
        title="停水通知", title_en="Water cut notice", body="明天停水", is_published=True
    )
    term = Term.objects.create(
        name="秋季", starts_on=MEAL_DAY, ends_on=MEAL_DAY + timedelta(days=90)
    )
    course = make_course(term, title="乐高搭建", title_en="Lego building")
    english = _get(client, reverse("announcement-list"), "en")
    assert "Water cut notice" in english and "停水通知" not in english
    assert "Water cut notice" in _get(client, notice.get_absolute_url(), "en")
    assert "Lego building" in _get(client, course.get_absolute_url(), "en")
    assert "乐高搭建" in _get(client, course.get_absolute_url(), "zh-hans")
