"""Sign-up and promotion notices: written in the locked transaction, mailed after it commits."""

from django.core import mail

from portal.models import Notice
from tests.factories import make_user
from tests.volunteers.helpers import make_post
from volunteers import services


def test_the_sign_up_mail_leaves_only_after_the_locked_transaction_commits(
    post, volunteer, django_capture_on_commit_callbacks
):
    volunteer.email = "li@example.com"
    volunteer.save(update_fields=["email"])

    with django_capture_on_commit_callbacks(execute=False) as after_commit:
        services.sign_up(post, volunteer)
        assert mail.outbox == []

    assert Notice.objects.get(recipient=volunteer).kind == Notice.Kind.CONFIRMED
    for callback in after_commit:
        callback()
    assert [m.to for m in mail.outbox] == [["li@example.com"]]


def test_a_promotion_is_a_text_and_a_mail_and_the_confirmation_only_a_mail(team, monkeypatch):
    queued = []
    monkeypatch.setattr("portal.delivery.queue_message", lambda **kw: queued.append(kw))
    post = make_post(team=team, capacity=1)
    first = services.sign_up(post, make_user("甲"))
    second = make_user("乙")
    services.sign_up(post, second, waitlist=True)
    queued.clear()

    services.cancel_signup(first, by=first.volunteer)

    told = [(c["user"], c["kind"], c["channel"]) for c in queued]
    assert (second, "promoted", "sms") in told and (second, "promoted", "email") in told
    assert Notice.objects.filter(recipient=second, kind=Notice.Kind.PROMOTED).count() == 1
