"""Settings for the benchmark: the portal's own settings, served over plain HTTP on localhost.

`python -m bench.run` sets DEBUG=0, a generated SECRET_KEY, ALLOWED_HOSTS=127.0.0.1 and
SECURE_SSL_REDIRECT=0 in the environment; this module adds only the benchmark's URLs (the
portal's plus the ceiling view) and turns off what needs HTTPS (secure cookies, HSTS).
"""

import os

from portal.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"

# Plain HTTP on 127.0.0.1: cookies marked `secure` would never be sent back.
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0

# The enrolment rush (issue 16): BENCH_ENROL_QUEUE=0 measures the synchronous enrolment as before.
CLASSES_ENROL_QUEUE = os.environ.get("BENCH_ENROL_QUEUE", "1") != "0"
