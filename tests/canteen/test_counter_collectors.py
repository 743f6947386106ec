"""Staff add a collector at the counter, from the elder's page, by name and mobile.

Collectors could be added only by the household or in the admin with an internal member id,
so a daughter who came to collect for her mother had to be turned away.
"""

import pytest
from django.urls import reverse

from canteen.models import Collector, MealRecord

pytestmark = pytest.mark.usefixtures("morning")


def page(client, elder):
    return reverse("canteen:counter-member", args=[elder.member.pk])


def add(client, elder, **data):
    return client.post(page(client, elder), {"action": "collector", **data})


def test_staff_add_a_collector_by_name_and_mobile_and_use_it_at_once(
    client, canteen_staff, elder, menu
):
    client.force_login(canteen_staff)
    response = add(client, elder, name="刘女儿", relation="女儿", mobile="139 0000 5678")
    assert response.status_code == 302
    collector = Collector.objects.get(member=elder.member)
    assert (collector.name, collector.relation, collector.mobile) == (
        "刘女儿",
        "女儿",
        "13900005678",
    )
    html = client.get(page(client, elder)).content.decode()
    assert "刘女儿" in html
    client.post(
        page(client, elder), {"action": "record", "menu": menu.pk, "collector": collector.pk}
    )
    assert MealRecord.objects.get().collector_name == "刘女儿"


@pytest.mark.parametrize(
    "data",
    [
        {"name": "", "mobile": "13900005678"},
        {"name": "刘女儿", "mobile": ""},
        {"name": "刘女儿", "mobile": "12345"},
        {"name": "x" * 51, "mobile": "13900005678"},
    ],
    ids=["no-name", "no-mobile", "bad-mobile", "name-too-long"],
)
def test_a_bad_collector_is_explained_and_nothing_saved(client, canteen_staff, elder, data):
    client.force_login(canteen_staff)
    response = add(client, elder, relation="", **data)
    assert response.status_code == 200
    assert response.context["collector_form"].errors
    assert not Collector.objects.exists()


def test_the_same_collector_twice_is_refused(client, canteen_staff, elder):
    client.force_login(canteen_staff)
    add(client, elder, name="刘女儿", mobile="13900005678")
    response = add(client, elder, name="刘女儿", mobile="13900005678")
    assert response.status_code == 200 and "刘女儿" in response.content.decode()
    assert Collector.objects.count() == 1


@pytest.mark.parametrize("who", ["resident", "events_staff", "volunteer"])
def test_only_canteen_staff_add_collectors_at_the_counter(client, request, who, elder):
    client.force_login(request.getfixturevalue(who))
    assert add(client, elder, name="陌生人", mobile="13900005678").status_code == 403
    assert not Collector.objects.exists()
