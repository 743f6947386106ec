"""The portal's URLs plus the ceiling: a bare Django view rendering a small template.

The ceiling goes through the same gunicorn workers and middleware as every page but touches no
model, so each page's requests per second divided by the ceiling's compares across machines.
"""

from pathlib import Path

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.template import engines
from django.urls import path

from portal.urls import urlpatterns as portal_urlpatterns

_CEILING = engines["django"].from_string(
    (Path(__file__).parent / "templates" / "bench" / "ceiling.html").read_text(encoding="utf-8")
)


def ceiling(request):
    """No database, no context processors: the fastest page this stack can serve."""
    items = ["一", "二", "三", "四", "五"]
    return HttpResponse(_CEILING.render({"title": "天花板", "items": items}))


@login_required
def noop_post(request):
    """The rush's yardstick (issue 16): a logged-in POST through the same middleware (session,
    CSRF, log-in) that writes nothing; `python -m bench.rush` bursts it in the same run."""
    if request.method != "POST":
        return HttpResponse(status=405)
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("bench/ceiling/", ceiling, name="bench-ceiling"),
    path("bench/noop-post/", noop_post, name="bench-noop-post"),
    *portal_urlpatterns,
]
