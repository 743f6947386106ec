"""Form wording every form shares: an empty choice asks the person to choose."""

import pytest
from django import forms
from django.utils import translation

from portal.models import User

pytestmark = pytest.mark.django_db


class _Form(forms.Form):
    person = forms.ModelChoiceField(queryset=User.objects.all(), required=False)
    colour = forms.ChoiceField(choices=[("", "---------"), ("red", "red")], required=False)


@pytest.mark.parametrize(
    ("language", "wording"), [("zh-hans", "请选择…"), ("en", "Please choose…")], ids=["zh", "en"]
)
def test_an_empty_choice_asks_to_choose_instead_of_dashes(language, wording):
    with translation.override(language):
        html = str(_Form())
    assert "---------" not in html
    assert html.count(f'<option value="" selected>{wording}</option>') == 2


def test_the_admin_s_empty_choices_ask_too(admin_client):
    response = admin_client.get("/admin/portal/householdmember/add/")
    assert response.status_code == 200
    assert "---------" not in response.content.decode()
