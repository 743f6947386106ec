"""Two partners claiming the same need at the same second: one gets it, the other is told."""

import threading

import pytest
from django.db import connection

from alliance import services
from alliance.models import Need
from tests.alliance.helpers import make_need, make_partner
from tests.factories import make_user

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _run_together(jobs):
    barrier = threading.Barrier(len(jobs))
    refused, won = [], []

    def run(job):
        try:
            barrier.wait()
            won.append(job())
        except services.AllianceError as e:
            refused.append(str(e))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return won, refused


def test_of_partners_claiming_one_need_at_once_exactly_one_gets_it(staff, asker):
    need = make_need(asker, state="accepted", by=staff)
    contacts = [make_user(f"联络{i}", building="9", room=f"9{i:02d}") for i in range(6)]
    partners = [make_partner(f"单位{i}", contact=c) for i, c in enumerate(contacts)]

    won, refused = _run_together(
        [
            lambda p=p, c=c: services.claim(need, partner=p, user=c)
            for p, c in zip(partners, contacts, strict=True)
        ]
    )

    assert len(won) == 1 and len(refused) == 5
    need.refresh_from_db()
    assert need.claimed_by_id == won[0].claimed_by_id
    assert all("Another organisation" in r or "另一家单位" in r for r in refused)
    assert Need.objects.filter(claimed_by__isnull=False).count() == 1
