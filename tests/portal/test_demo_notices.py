"""The demo puts a few messages in each persona's inbox, once, sending nothing."""

from django.core import mail

from portal import demo
from portal.models import Notice


def test_every_persona_has_a_few_messages_some_unread_and_a_second_run_adds_none(
    db, django_capture_on_commit_callbacks
):
    demo.seed_community()
    people = demo.seed_people()

    with django_capture_on_commit_callbacks(execute=True):
        made = demo.seed_notices(people)
        again = demo.seed_notices(people)

    assert made == len(demo.DEMO_NOTICES) and again == 0
    for key, user in people.items():
        mine = Notice.objects.filter(recipient=user)
        assert mine.exists(), key
        assert all(n.url.startswith("/") for n in mine)
    assert Notice.objects.filter(recipient=people["parent"], read_at__isnull=True).count() == 2
    assert Notice.objects.filter(recipient=people["parent"], read_at__isnull=False).count() == 1
    assert mail.outbox == []
