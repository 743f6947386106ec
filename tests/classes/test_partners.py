"""Partner organisations (portal.Partner): one list for the whole portal. Classes staff keep their
partner institutions there as they did; the contact phone is masked in the list."""

import pytest
from django.urls import reverse

from classes.models import Teacher
from portal.models import Partner, PartnerMember
from portal.people import mask_phone


@pytest.fixture
def partner(db, community_admin):
    return Partner.objects.create(
        name="星光教育",
        kind=Partner.Kind.EDUCATION,
        contact_name="陈老师",
        contact_phone="028-88880001",
        contact_user=community_admin,
    )


def test_mask_phone():
    assert mask_phone("13800000009") == "138****0009"
    assert mask_phone("028-88880001") == "028****0001"
    assert mask_phone("110") == "****" and mask_phone("") == ""


def test_classes_staff_list_add_and_change_partners_with_the_phone_masked(
    client, classes_staff, partner
):
    client.force_login(classes_staff)
    changelist = client.get(reverse("admin:portal_partner_changelist"))
    assert changelist.status_code == 200
    html = changelist.content.decode()
    assert "028****0001" in html and "028-88880001" not in html
    assert "教育机构" in html  # the kind, translated
    response = client.post(
        reverse("admin:portal_partner_add"),
        {"name": "彩虹艺术中心", "kind": "education", "is_active": "on"},
    )
    assert response.status_code == 302
    assert Partner.objects.get(name="彩虹艺术中心").kind == Partner.Kind.EDUCATION
    change = client.get(reverse("admin:portal_partner_change", args=[partner.pk]))
    assert change.status_code == 200
    # the party members registered with the community are not the classroom's business
    assert "partnermember" not in change.content.decode().lower()
    assert client.post(reverse("admin:portal_partner_delete", args=[partner.pk])).status_code == 403


def test_names_are_unique_and_teachers_keep_their_partner(partner):
    teacher = Teacher.objects.create(name="林老师", institution=partner)
    assert list(partner.teachers.all()) == [teacher]
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Partner.objects.create(name="星光教育")


def test_a_contacts_account_going_leaves_the_partner_and_its_members(partner, django_user_model):
    account = django_user_model.objects.create_user("zhang", password="x")
    partner.contact_user = account
    partner.save()
    member = PartnerMember.objects.create(partner=partner, name="张党员", user=account)
    account.delete()
    partner.refresh_from_db()
    member.refresh_from_db()
    assert partner.contact_user is None and member.user is None
