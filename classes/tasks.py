"""Background tasks of the Neighbour Classroom (django-tasks): run by `manage.py db_worker`."""

from django_tasks import task


@task()
def decide_enrolments(course_id: int) -> int:
    """Decide the course's queued enrolment requests in arrival order (harmless if run twice:
    a request is decided once, under the course's row lock)."""
    from classes.services import decide_enrolment_requests

    return decide_enrolment_requests(course_id)
