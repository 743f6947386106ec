"""A resident's own data: their requests and ratings in the export; on deleting the account the
requests stay on the needs list without author, address or their own words, and ratings go."""

import pytest

from alliance import services
from alliance.models import Need, Rating
from portal import privacy
from portal import services as portal_services
from tests.alliance.helpers import make_need

pytestmark = pytest.mark.django_db


def _finished_project(staff, need, now):
    project = services.create_project(
        staff, title="扶手", plan="p", starts_on=now.date(), needs=[need]
    )
    return services.close_project(project, by=staff, outcome="完成")


def test_the_export_holds_the_residents_requests_and_ratings(now, staff, asker):
    need = make_need(asker, title="楼道扶手", state="accepted", by=staff)
    project = _finished_project(staff, need, now)
    services.rate(project, user=asker, stars=4, comment="不错")
    tables = {t.key: t for t in privacy.collect(asker)}
    assert [r["title"] for r in tables["alliance_needs"].rows] == ["楼道扶手"]
    assert tables["alliance_ratings"].rows[0]["stars"] == 4


def test_deleting_the_account_keeps_the_need_but_not_who_asked(now, staff, asker):
    need = make_need(asker, title="李家门口的坡道", state="accepted", by=staff)
    Need.objects.filter(pk=need.pk).update(public_summary="单元门口坡道")
    project = _finished_project(staff, need, now)
    services.rate(project, user=asker, stars=5)

    portal_services.delete_account(asker)

    need.refresh_from_db()
    assert need.author is None and need.household is None and need.building == ""
    assert need.description == "" and need.title == "单元门口坡道"
    assert need.state == "done"  # the figures keep it
    assert not Rating.objects.exists()


def test_a_party_members_registration_and_partner_contact_are_theirs_to_see_and_to_erase(
    now, asker
):
    from portal.models import Partner, PartnerMember

    school = Partner.objects.create(name="公园路小学", kind="school", contact_user=asker)
    PartnerMember.objects.create(partner=school, name=asker.real_name, user=asker)
    other = PartnerMember.objects.create(partner=school, name="别人")

    tables = {t.key: t for t in privacy.collect(asker)}
    assert len(tables["alliance_party_member"].rows) == 1
    assert len(tables["alliance_partner_contact"].rows) == 1

    portal_services.delete_account(asker)

    assert list(PartnerMember.objects.all()) == [other]  # only their own registration goes
    school.refresh_from_db()
    assert school.contact_user is None  # the organisation stays, without their account
