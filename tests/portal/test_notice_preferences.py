"""Text and email settings (/me/notices/): which kinds of message also come by text or mail."""

import pytest
from django.urls import reverse

from portal.models import NoticePreference
from portal.notices import Kind

URL = reverse("notice-preferences")


def ticked(response, channel):
    return {
        kind
        for row in response.context["rows"]
        for cell in row["cells"]
        if cell["channel"] == channel and cell["checked"]
        for kind in [row["kind"]]
    }


def test_it_shows_the_defaults_and_writes_nothing_when_opened(client, resident):
    client.force_login(resident)

    response = client.get(URL)

    assert response.status_code == 200
    assert ticked(response, "sms") == {"promoted", "cancelled", "time_changed", "reminder"}
    assert ticked(response, "email") == set(Kind.values)
    assert 'name="sms" value="newsletter"' not in response.text  # never by text
    assert 'name="email" value="newsletter"' in response.text
    assert not NoticePreference.objects.exists()


def test_saving_keeps_the_choices_and_shows_them_next_time(client, resident):
    client.force_login(resident)

    response = client.post(URL, {"sms": ["promoted", "message"], "email": ["cancelled"]})

    assert response.status_code == 302 and response["Location"] == URL
    stored = NoticePreference.objects.get(user=resident).channels
    assert stored["sms"] == {
        "cancelled": False,
        "time_changed": False,
        "reminder": False,
        "message": True,
    }
    page = client.get(URL)
    assert ticked(page, "sms") == {"promoted", "message"}
    assert ticked(page, "email") == {"cancelled"}


@pytest.mark.parametrize(
    "data",
    [{"sms": ["newsletter"]}, {"sms": ["<script>"]}, {"email": ["x" * 500]}],
    ids=["newsletter-by-text", "markup", "very-long"],
)
def test_a_choice_not_offered_is_refused_with_a_message_and_nothing_saved(client, resident, data):
    client.force_login(resident)
    client.post(reverse("set_language"), {"language": "zh-hans", "next": URL})

    response = client.post(URL, data)

    assert response.status_code == 200
    assert response.context["form"].errors
    assert "有效的选项" in response.text  # Django's translated "select a valid choice"
    assert not NoticePreference.objects.exists()


def test_it_is_for_logged_in_people_only(client, db):
    response = client.post(URL, {"sms": ["promoted"]})

    assert response.status_code == 302
    assert not NoticePreference.objects.exists()


@pytest.mark.parametrize(
    ("language", "heading"),
    [("zh-hans", "短信和邮件设置"), ("en", "Text and email settings")],
    ids=["chinese", "english"],
)
def test_it_speaks_the_persons_language(client, resident, language, heading):
    client.force_login(resident)
    client.post(reverse("set_language"), {"language": language, "next": URL})

    assert heading in client.get(URL).text


def test_each_checkbox_has_a_large_label_to_tap(client, resident):
    client.force_login(resident)

    response = client.get(URL)

    boxes = response.text.count('type="checkbox"')
    assert boxes == response.text.count('class="choice-target"') > 0


def test_the_settings_page_runs_a_fixed_number_of_queries(
    client, resident, django_assert_max_num_queries
):
    client.force_login(resident)
    client.get(URL)

    # the user and their roles, the community (bypassing the cache in the test's transaction),
    # and the person's choices
    with django_assert_max_num_queries(4):
        assert client.get(URL).status_code == 200
