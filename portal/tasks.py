"""Background tasks (django-tasks): run by `manage.py db_worker`, or at once in development."""

from django_tasks import task


@task()
def send_delivery(delivery_id: int) -> str:
    """Send one queued text or mail (portal.delivery.deliver); harmless if run twice."""
    from portal.delivery import deliver

    return deliver(delivery_id)


@task()
def send_broadcast(broadcast_id: int) -> str:
    """Notify the recipients of one staff message (portal.broadcasts.run); resumes if re-run."""
    from portal.broadcasts import run

    return run(broadcast_id)
