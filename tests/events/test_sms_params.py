"""The stall review's text carries what every `stall_reviewed` text carries (SMS_PARAMS): the
market and the outcome in a few words, in the applicant's language (Chinese here) though the
staff act in English."""

import pytest

from events import services
from events.models import Activity
from portal.models import Notice
from tests.events.helpers import make_activity
from tests.factories import text_params, wants_every_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def market(festival):
    return make_activity(
        festival,
        title="跳蚤市场",
        kind=Activity.Kind.MARKET,
        needs_registration=False,
        stall_count=2,
    )


@pytest.mark.parametrize(
    ("approve", "reason", "result"),
    [(True, "", "已通过，摊位号 1"), (False, "摊位已满", "未通过：摊位已满")],
    ids=["approved", "declined"],
)
def test_the_review_names_the_market_and_the_outcome(
    market, resident, events_staff, approve, reason, result
):
    wants_every_text(resident)
    application = services.apply_for_stall(market, user=resident, goods="旧书", needs_table=False)

    services.decide_stall(application, approve=approve, reason=reason, by=events_staff)

    (params,) = text_params(resident, Notice.Kind.STALL_REVIEWED)
    assert (params["title"], params["result"]) == ("跳蚤市场", result)
