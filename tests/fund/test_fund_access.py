"""Who keeps the community micro-fund now that it is an app of its own: classes staff as before;
alliance staff propose spending (for a project) and someone else approves it; old addresses move
to /fund/ for good."""

from datetime import date

import pytest
from django.urls import reverse

from fund import services
from fund.models import FundEntry
from fund.services import FundError
from portal import roles
from portal.models import Notice, Partner
from tests.factories import make_user

pytestmark = pytest.mark.usefixtures("now")


@pytest.fixture
def alliance_staff(db):
    return make_user("赵联盟", role_list=[roles.ALLIANCE_STAFF])


def _spending(by, **kw):
    return services.propose_spending(
        by=by,
        date=date(2026, 9, 1),
        amount="300.00",
        category=FundEntry.Category.PROJECT,
        description="共建项目：楼道照明",
        **kw,
    )


def test_alliance_staff_propose_on_the_ledger_page_and_classes_staff_are_asked(
    client, alliance_staff, classes_staff
):
    services.record_income(
        by=classes_staff,
        date=date(2026, 9, 1),
        amount="80.00",
        category=FundEntry.Category.DONATION,
        description="爱心捐款",
        donor_name="王阿姨",
    )
    client.force_login(alliance_staff)
    page = client.get(reverse("fund:manage"))
    assert page.status_code == 200
    html = page.content.decode()
    # the proposal form, but none of the managers' forms, and no donor's name
    assert reverse("fund:propose") in html
    assert reverse("fund:income") not in html and "王阿姨" not in html
    assert reverse("fund:statement", args=["csv"]) not in html
    response = client.post(
        reverse("fund:propose"),
        {"date": "2026-09-01", "amount": "300", "category": "project", "description": "楼道照明"},
    )
    assert response.status_code == 302
    entry = FundEntry.objects.get(kind=FundEntry.Kind.EXPENDITURE)
    assert (entry.status, entry.proposed_by) == (FundEntry.Status.PROPOSED, alliance_staff)
    assert Notice.objects.filter(recipient=classes_staff, kind=Notice.Kind.TO_DECIDE).exists()
    assert not Notice.objects.filter(recipient=alliance_staff).exists()
    # the manager's page shows it waiting, with the buttons to decide
    client.force_login(classes_staff)
    html = client.get(reverse("fund:manage")).content.decode()
    assert reverse("fund:action", args=[entry.pk, "approve"]) in html


def test_alliance_staff_may_not_decide_post_income_or_export(client, alliance_staff, classes_staff):
    entry = _spending(classes_staff)
    client.force_login(alliance_staff)
    assert client.post(reverse("fund:action", args=[entry.pk, "approve"])).status_code == 403
    assert client.post(reverse("fund:reverse", args=[entry.pk]), {"reason": "x"}).status_code == 403
    assert client.post(reverse("fund:income"), {}).status_code == 403
    assert client.get(reverse("fund:statement", args=["csv"])).status_code == 403
    entry.refresh_from_db()
    assert entry.status == FundEntry.Status.PROPOSED


def test_residents_and_other_staff_keep_out(client, resident, canteen_staff):
    for person in (resident, canteen_staff):
        client.force_login(person)
        assert client.get(reverse("fund:manage")).status_code == 403
        assert client.post(reverse("fund:propose"), {}).status_code == 403


def test_four_eyes_whoever_proposed_never_decides(alliance_staff, classes_staff):
    colleague = make_user("李课堂", role_list=[roles.CLASSES_STAFF])
    mine = _spending(classes_staff)
    with pytest.raises(FundError):
        services.approve_expenditure(mine, by=classes_staff)
    with pytest.raises(FundError):
        services.reject_expenditure(mine, by=classes_staff)
    services.approve_expenditure(mine, by=colleague)
    services.pay_expenditure(mine, by=colleague)
    theirs = _spending(alliance_staff)
    services.approve_expenditure(theirs, by=classes_staff)
    assert FundEntry.objects.get(pk=theirs.pk).approved_by == classes_staff
    assert services.spending_to_approve(classes_staff) == 0


def test_spending_for_a_project_is_linked_and_frozen(classes_staff, alliance_staff):
    # any saved object can be the purpose; the alliance passes its project
    project = Partner.objects.create(name="区人民医院", kind=Partner.Kind.HOSPITAL)
    other = Partner.objects.create(name="红星超市", kind=Partner.Kind.FIRM)
    entry = _spending(alliance_staff, project=project)
    assert entry.purpose == project
    assert list(FundEntry.objects.for_purpose(project)) == [entry]
    assert not FundEntry.objects.for_purpose(other).exists()
    assert _spending(alliance_staff).purpose is None
    # the link is frozen like the amount: an approval may not move it
    old = {c.attname: getattr(entry, c.attname) for c in FundEntry._meta.concrete_fields}
    new = {**old, "status": "approved", "approved_by_id": classes_staff.pk, "purpose_id": 999}
    new["approved_at"] = entry.created_at
    assert not entry.change_allowed(old, new)
    assert entry.change_allowed(old, {**new, "purpose_id": project.pk})


def test_a_project_must_be_saved(alliance_staff):
    with pytest.raises(ValueError):
        _spending(alliance_staff, project=Partner(name="未保存"))


@pytest.mark.parametrize(
    "old,new",
    [
        ("/classes/fund/", "/fund/"),
        ("/classes/fund/manage/", "/fund/manage/"),
        (
            "/classes/fund/statement.csv?start=2026-09-01&end=2026-09-30",
            "/fund/statement.csv?start=2026-09-01&end=2026-09-30",
        ),
    ],
)
def test_old_addresses_move_for_good(client, old, new):
    response = client.get(old)
    assert response.status_code == 301
    assert response["Location"] == new


def test_a_form_posted_to_an_old_address_is_sent_on_with_its_method(client, classes_staff):
    client.force_login(classes_staff)
    response = client.post("/classes/fund/income/", {"amount": "1"})
    assert response.status_code == 308 and response["Location"] == "/fund/income/"
    assert not FundEntry.objects.exists()  # nothing posted by the redirect itself


def test_the_classroom_links_to_the_new_pages(client, classes_staff):
    client.force_login(classes_staff)
    html = client.get(reverse("classes:index")).content.decode()
    assert 'href="/fund/"' in html and 'href="/fund/manage/"' in html
    assert "/classes/fund/" not in html
