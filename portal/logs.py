"""Logging helpers: a refused or missing page is one line in the log, not a traceback.

Django's `django.request` logger passes the exception (`exc_info`) of a 403 (PermissionDenied)
or 404 along with its warning, so runserver prints a whole traceback for an ordinary refusal.
Those are the visitor's mistake, not the server's: keep the warning, drop the traceback. Server
errors (5xx) keep theirs.
"""

import logging


class OneLineClientErrors(logging.Filter):
    """Strip the traceback from `django.request` records of 4xx responses."""

    def filter(self, record):
        status = getattr(record, "status_code", None)
        if status is not None and 400 <= status < 500:
            record.exc_info = None
            record.exc_text = None
        return True
