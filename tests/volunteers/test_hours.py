"""Corrections to the hours ledger, certificates and their public verification."""

from datetime import timedelta
from decimal import Decimal

import pytest

from tests.volunteers.helpers import make_post
from volunteers import services
from volunteers.models import Certificate, CorrectionRequest, HoursEntry


@pytest.fixture
def served(post, volunteer, team_leader):
    """The volunteer served the post; the leader confirmed 2 hours."""
    signup = services.sign_up(post, volunteer)
    services.check_in(signup, by=team_leader, at=post.start)
    services.confirm_hours(signup, by=team_leader, at=post.end)
    return signup


@pytest.mark.django_db
class TestCorrections:
    def test_an_approved_correction_adds_a_ledger_row_with_the_reason(
        self, served, volunteer, team_leader
    ):
        request = services.request_correction(
            served, user=volunteer, hours=Decimal("3"), reason="我待到最后收摊"
        )
        services.decide_correction(request, by=team_leader, approve=True, reason="属实")
        rows = list(HoursEntry.objects.order_by("created_at", "pk"))
        assert [r.hours for r in rows] == [Decimal("2"), Decimal("1")]
        assert rows[1].kind == HoursEntry.Kind.CORRECTION
        assert rows[1].reason == "属实"
        assert rows[1].created_by == team_leader
        assert HoursEntry.objects.filter(volunteer=volunteer).total() == 3
        assert volunteer.notices.filter(text__contains="已更正为3").exists()

    def test_a_rejected_correction_changes_no_hours(self, served, volunteer, team_leader):
        request = services.request_correction(served, user=volunteer, hours=5, reason="x")
        services.decide_correction(request, by=team_leader, approve=False, reason="记录显示2小时")
        request.refresh_from_db()
        assert request.status == CorrectionRequest.Status.REJECTED
        assert HoursEntry.objects.count() == 1

    @pytest.mark.parametrize(
        "hours,reason,message",
        [
            (Decimal("2"), "x", "already credited"),
            (Decimal("30"), "x", "between 0 and 24"),
            (Decimal("3"), " ", "say why"),
        ],
        ids=["same-hours", "too-many", "no-reason"],
    )
    def test_bad_requests_are_refused(self, served, volunteer, hours, reason, message):
        with pytest.raises(services.HoursError, match=message):
            services.request_correction(served, user=volunteer, hours=hours, reason=reason)
        assert not CorrectionRequest.objects.exists()

    def test_a_second_open_request_is_refused(self, served, volunteer):
        services.request_correction(served, user=volunteer, hours=3, reason="x")
        with pytest.raises(services.HoursError, match="already asked"):
            services.request_correction(served, user=volunteer, hours=4, reason="y")

    def test_nobody_asks_about_someone_elses_hours(self, served, resident):
        with pytest.raises(services.HoursError, match="your own"):
            services.request_correction(served, user=resident, hours=3, reason="x")


@pytest.mark.django_db
class TestCertificates:
    def test_it_freezes_the_record_with_a_number_and_code(self, served, volunteer, community):
        certificate = services.issue_certificate(volunteer)
        assert certificate.number.endswith("-00001")
        assert certificate.hours == 2
        assert certificate.volunteer_name == "李志愿"
        assert certificate.issuer == community.committee_name
        assert certificate.content == "补鞋"
        assert len(certificate.verification_code) == 12
        second = services.issue_certificate(volunteer)
        assert second.number.endswith("-00002")
        assert second.verification_code != certificate.verification_code

    def test_no_certificate_without_hours(self, volunteer):
        with pytest.raises(services.HoursError, match="no confirmed"):
            services.issue_certificate(volunteer)
        assert not Certificate.objects.exists()


@pytest.mark.django_db
def test_posts_on_other_days_count_towards_the_same_ledger(team, volunteer, team_leader):
    later = make_post(team=team, start_hour=14, hours=1)
    signup = services.sign_up(later, volunteer)
    services.check_in(signup, by=team_leader, at=later.start)
    services.check_out(signup, by=team_leader, at=later.end - timedelta(minutes=10))
    services.confirm_hours(signup, by=team_leader, at=later.end)
    assert HoursEntry.objects.filter(volunteer=volunteer).total() == 1
