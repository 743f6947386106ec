"""The log: runserver prints each line once; a refusal (403) is one line, not a traceback."""

import contextlib
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import path

from portal import urls as portal_urls


def _denied(request):
    raise PermissionDenied


def _boom(request):
    raise RuntimeError("a bug")


urlpatterns = [
    path("test-denied/", _denied),
    path("test-boom/", _boom),
    *portal_urls.urlpatterns,
]
handler403 = portal_urls.handler403
handler500 = portal_urls.handler500

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


RUNSERVER_LIKE = """
import logging, sys
import django
django.setup()
from django.core.exceptions import PermissionDenied
from django.utils.log import log_response
from django.http import HttpResponseForbidden, HttpResponseNotFound
from django.test import RequestFactory
request = RequestFactory().get("/volunteers/lead/")
try:
    raise PermissionDenied
except PermissionDenied:
    log_response("Forbidden (Permission denied): %s", request.path,
                 response=HttpResponseForbidden(), request=request, exception=sys.exc_info()[1])
log_response("Not Found: %s", "/nowhere/", response=HttpResponseNotFound(), request=request)
logging.getLogger("django.server").info('"GET /volunteers/lead/ HTTP/1.1" 403 1234',
                                        extra={"status_code": 403, "request": None})
logging.getLogger("portal.tasks").info("one line from the portal")
"""


def test_runserver_prints_each_line_once_and_a_refusal_without_traceback():
    """The settings as `manage.py runserver` uses them (DEBUG on), outside pytest's handlers."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings", "DEBUG": "1"}
    done = subprocess.run(
        [sys.executable, "-c", RUNSERVER_LIKE],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert "Traceback" not in done.stderr
    assert sum("Forbidden (Permission denied): /volunteers/lead/" in x for x in lines) == 1
    assert sum("Not Found: /nowhere/" in x for x in lines) == 1
    access = [x for x in lines if "GET /volunteers/lead/ HTTP/1.1" in x]
    assert len(access) == 1
    assert access[0].startswith("["), access  # runserver's own format, with the time
    assert sum("one line from the portal" in x for x in lines) == 1
    assert len(lines) == 4, lines


class _List(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.records = []

    def emit(self, record):
        self.records.append(record)


@contextlib.contextmanager
def _capture(logger):
    """The records `logger` lets through (its own filters applied), as a list."""
    handler = _List()
    logger.addHandler(handler)
    try:
        yield handler.records
    finally:
        logger.removeHandler(handler)


def test_a_refusal_is_one_warning_line_without_a_traceback(client):
    logger = logging.getLogger("django.request")
    with _capture(logger) as records:
        response = client.get("/test-denied/")
    assert response.status_code == 403
    assert len(records) == 1
    record = records[0]
    assert record.levelno == logging.WARNING
    assert record.exc_info is None
    formatted = logging.Formatter().format(record)
    assert "\n" not in formatted and "Traceback" not in formatted
    assert "/test-denied/" in formatted


def test_a_server_error_keeps_its_traceback(client):
    client.raise_request_exception = False
    logger = logging.getLogger("django.request")
    with _capture(logger) as records:
        response = client.get("/test-boom/")
    assert response.status_code == 500
    assert len(records) == 1
    assert records[0].levelno == logging.ERROR
    assert "Traceback" in logging.Formatter().format(records[0])
