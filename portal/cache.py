"""Caching what every visitor sees alike, invalidated when the data behind it changes.

Each app's content has a *generation* number kept in the shared cache (Redis in production, so
every worker sees the same numbers). Anything cached here is keyed by the generations of the
apps it was made from, so a change makes the old entries unreachable at once:

- any save or delete of a model of a content app (signals, `connect_signals`), and
- any write request (POST, PUT, PATCH, DELETE) that succeeds (`CacheGenerationMiddleware`),
  which also covers bulk updates, which send no signals,

bump the generation of that app. Entries also expire after a short time, which bounds what a
write outside both (a raw SQL statement, a shell) or a clock-driven change (a registration window
opening) can leave stale.

Inside a transaction that has written something, nothing is read from or stored in the cache: the
transaction sees its own uncommitted rows, which must never be served to anyone else, and its own
writes must be visible to it. The generation is bumped when it commits.
"""

import contextvars
import functools
import hashlib
import secrets
import time
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, transaction
from django.http import HttpResponse, QueryDict
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import get_language

from portal import modules

# The apps whose content pages and aggregates are cached: every module (portal.modules), and
# "portal" for the community's settings and announcements, which every page shows.
CONTENT_APPS = ("portal", *modules.labels())
# People's accounts, roles and households are shown on no public page: their changes (a sign-up,
# a profile saved, a role given) bump a generation of their own and leave the public pages cached.
PEOPLE_MODELS = {"portal.user", "portal.user_groups", "portal.household", "portal.householdmember"}
GENERATIONS = (*CONTENT_APPS, "people")
# Rows no cached page shows: a person's own notices and choices (the unread count keeps its own
# key, `portal.notices.unread_count`) and the outbox. Writing them makes nothing stale.
PRIVATE_MODELS = {
    "portal.notice",
    "portal.noticepreference",
    "portal.delivery",
    "portal.broadcast",
}

_PREFIX = "gen:"
# The generations read once per request (reset by the middleware), so one page costs one round
# trip to the cache for them however many cached parts it has.
_memo: contextvars.ContextVar[dict | None] = contextvars.ContextVar(
    "portal_cache_gen", default=None
)


def _key(app: str) -> str:
    return f"{_PREFIX}{app}"


def generations(apps: Iterable[str]) -> tuple[int, ...]:
    apps = tuple(apps)
    memo = _memo.get()
    if memo is not None and all(app in memo for app in apps):
        return tuple(memo[app] for app in apps)
    # In a request, read them all at once: the next part of the page will want others.
    wanted = GENERATIONS if memo is not None else apps
    found = cache.get_many([_key(app) for app in wanted])
    for app in wanted:
        if _key(app) not in found:  # first use, or evicted: start from a number never used
            cache.add(_key(app), _fresh(), timeout=None)
            found[_key(app)] = cache.get(_key(app), 0)
    if memo is not None:
        memo.update((app, found[_key(app)]) for app in wanted)
    return tuple(found[_key(app)] for app in apps)


def _fresh() -> int:
    # Random, not the clock: a cache emptied and refilled within the same microsecond (or under
    # a frozen clock in tests) must not get back a generation an earlier copy was kept under.
    return secrets.randbits(62)


def bump(*apps: str) -> None:
    """Make everything cached from these apps' content (all content apps if none) stale."""
    for app in apps or GENERATIONS:
        key = _key(app)
        try:
            cache.incr(key)
        except ValueError:  # not in the cache yet (or evicted): any new value is a new generation
            cache.set(key, _fresh(), timeout=None)
    memo = _memo.get()
    if memo is not None:
        for app in apps or GENERATIONS:
            memo.pop(app, None)


def _bump_on_commit(app: str) -> Callable[[], None]:
    def after_commit():
        bump(app)

    after_commit.portal_cache_bump = app
    return after_commit


def _pending_bumps(connection) -> set:
    return {
        getattr(func, "portal_cache_bump", None) for _sids, func, _r in connection.run_on_commit
    } - {None}


def usable(using: str = DEFAULT_DB_ALIAS) -> bool:
    """False inside a transaction with uncommitted writes to content (see the module's doc)."""
    connection = transaction.get_connection(using)
    return not (connection.in_atomic_block and _pending_bumps(connection))


def content_changed(app: str, using: str = DEFAULT_DB_ALIAS) -> None:
    """Make `app`'s cached content stale now (autocommit) or when the transaction commits.

    Until it commits, other requests see only the committed rows, so what they cache is right;
    this transaction itself bypasses the cache (`usable`). One bump per app and transaction.
    """
    connection = transaction.get_connection(using)
    if not connection.in_atomic_block:
        bump(app)
    elif app not in _pending_bumps(connection):
        transaction.on_commit(_bump_on_commit(app), using=using)


def _on_model_change(sender, using=DEFAULT_DB_ALIAS, update_fields=None, **kwargs):
    app = sender._meta.app_label
    if app not in CONTENT_APPS or sender._meta.label_lower in PRIVATE_MODELS:
        return
    if sender._meta.label_lower in PEOPLE_MODELS:
        if update_fields is not None and set(update_fields) <= {"last_login"}:
            return  # a log-in changes nothing anyone else sees
        app = "people"
    content_changed(app, using)


def connect_signals() -> None:
    from django.db.models.signals import m2m_changed, post_delete, post_save

    for signal in (post_save, post_delete, m2m_changed):
        signal.connect(_on_model_change, dispatch_uid=f"portal_cache_{id(signal)}")


# What this process last read from the shared cache, with the time it was made: a page or a value
# read on every request then costs no round trip for its bytes. Each entry is still checked
# against the current generations (in its key, or stored with it) and the time limit.
_in_process: dict[str, tuple] = {}
IN_PROCESS = 500


def _keep_in_process(key: str, made: float, value) -> None:
    if len(_in_process) >= IN_PROCESS:
        _in_process.clear()  # simple and safe under threads; refilled from the cache
    _in_process[key] = (made, value)


def _kept_in_process(key: str, seconds: int):
    """(made, value) if this process has `key` and it is younger than `seconds`, else None."""
    kept = _in_process.get(key)
    if kept is None or kept[0] + seconds < time.time():
        return None
    return kept


def cached(
    name: str,
    apps: Iterable[str],
    compute: Callable[[], object],
    timeout=None,
    in_process: bool = False,
):
    """`compute()`, remembered until the apps' content changes (or `timeout` seconds pass).

    Put in `name` whatever else the value depends on (a date, a language, an id). With
    `in_process`, the process keeps it too (for what every request reads): the caller gets the
    same object each time and must not change it.
    """
    apps = tuple(apps)
    if not usable():
        return compute()
    seconds = settings.CONTENT_CACHE_SECONDS if timeout is None else timeout
    key = "c:{}:{}".format(name, ".".join(str(g) for g in generations(apps)))
    stored = _kept_in_process(key, seconds) if in_process else None
    if stored is None:
        stored = cache.get(key)
        if stored is None:
            stored = (time.time(), compute())
            cache.set(key, stored, seconds)
        if in_process:
            _keep_in_process(key, *stored)
    return stored[1]


def _page_cacheable(request) -> bool:
    if request.method not in ("GET", "HEAD"):
        return False
    if request.user.is_authenticated:
        return False
    # A flash message waiting to be shown is this visitor's alone.
    if "messages" in request.COOKIES:
        return False
    return usable()


def _not_kept_by_browsers(response):
    # Browsers and proxies must not keep a visitor's page: the next request may be logged in.
    patch_cache_control(response, private=True, max_age=0)
    return response


# Bounds on what a query string may add to a page's cache key: longer values are cut (no page
# here reads a longer one), further values of a parameter dropped.
QUERY_VALUE_CHARS = 100
QUERY_VALUES_PER_PARAM = 5


def _normalised_query(query: QueryDict, params: tuple[str, ...]) -> QueryDict:
    """Only the declared parameters, in name order, with bounded values."""
    kept = QueryDict(mutable=True)
    for name in sorted(params):
        values = [v[:QUERY_VALUE_CHARS] for v in query.getlist(name)[:QUERY_VALUES_PER_PARAM]]
        if values:
            kept.setlist(name, values)
    kept._mutable = False
    return kept


def public_page(*apps: str, params: Iterable[str] = ()):
    """Serve a page that looks the same to every anonymous visitor from the cache.

    `params` names the query parameters the page reads. For a visitor the view sees only those
    (sorted, bounded: `_normalised_query`), and the cache key holds only those, so a crawler
    adding parameters of its own cannot make new entries, and the page always matches its key.
    The key also holds the host and path, the language, the text size, today's date and the
    generations of `apps` (plus "portal": the community's settings are on every page). Logged-in
    residents always get a fresh page from the full query. A response that used a CSRF token,
    set a cookie or is not a 200 is never stored (it is somebody's own).
    """
    from portal.context_processors import wants_large_text

    depends = tuple(dict.fromkeys(("portal", *apps)))
    params = tuple(params)

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if not _page_cacheable(request):
                return view(request, *args, **kwargs)
            request.GET = _normalised_query(request.GET, params)
            request.META["QUERY_STRING"] = request.GET.urlencode()
            large = int(wants_large_text(request))
            today = timezone.localdate().isoformat()
            where = f"{request.get_host()}{request.get_full_path()}"
            key = f"p:{get_language()}:{large}:{today}:{where}"
            # One round trip for the generations (and the page, unless this process has it); a
            # page is stored with the generations it was made from and the time it was made, and
            # served only while they are current and it is younger than the time limit.
            gen_keys = [_key(app) for app in depends]
            kept = _kept_in_process(key, settings.PUBLIC_PAGE_CACHE_SECONDS)
            found = cache.get_many(gen_keys if kept is not None else [*gen_keys, key])
            if all(k in found for k in gen_keys):
                current = tuple(found[k] for k in gen_keys)
            else:
                current = generations(depends)
            stored = kept if kept is not None else found.get(key)
            if stored is not None and stored[1][0] == current:
                if kept is None:
                    _keep_in_process(key, *stored)
                _gens, status, headers, content = stored[1]
                response = HttpResponse(content, status=status)
                for name, value in headers:
                    response.headers[name] = value
                response.headers["X-Portal-Cache"] = "hit"
                return _not_kept_by_browsers(response)
            response = view(request, *args, **kwargs)
            if hasattr(response, "render") and callable(response.render):
                response = response.render()
            if (
                response.status_code == 200
                and not response.streaming
                and not response.cookies
                and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
                and usable()
            ):
                headers = [
                    (name, value)
                    for name, value in response.headers.items()
                    if name.lower() in ("content-type", "content-language")
                ]
                stored = (time.time(), (current, response.status_code, headers, response.content))
                cache.set(key, stored, settings.PUBLIC_PAGE_CACHE_SECONDS)
                _keep_in_process(key, *stored)
                response.headers["X-Portal-Cache"] = "miss"
            return _not_kept_by_browsers(response)

        return wrapper

    return decorator


def person_generation_key(user_id: int) -> str:
    """The generation of what only this person sees and no app's generation covers: their
    notices (written by `portal.notices`, which bumps it: `person_changed`)."""
    return _key(f"person:{user_id}")


def person_changed(user_id: int) -> None:
    """Make this person's own cached pages stale (a notice to them, or one read)."""
    try:
        cache.incr(person_generation_key(user_id))
    except ValueError:
        cache.set(person_generation_key(user_id), _fresh(), timeout=None)
    memo = _memo.get()
    if memo is not None:
        memo.pop(person_generation_key(user_id), None)


def person_generation(user_id: int) -> int:
    """This person's own generation (see `person_changed`), read once per request."""
    key = person_generation_key(user_id)
    memo = _memo.get()
    if memo is not None and key in memo:
        return memo[key]
    value = cache.get(key)
    if value is None:
        cache.add(key, _fresh(), timeout=None)
        value = cache.get(key, 0)
    if memo is not None:
        memo[key] = value
    return value


def personal(name: str, user_id: int, apps: Iterable[str], compute: Callable[[], object]):
    """`compute()` for one person's part of a page (their next post, their bookings), kept for
    them like `resident_page` keeps a page: until anything in `apps`, any account or household,
    or their own notices change, and at most RESIDENT_PAGE_CACHE_SECONDS (what the clock
    changes). A page made of several modules' parts then recomputes only the parts whose
    module changed."""
    seconds = settings.RESIDENT_PAGE_CACHE_SECONDS
    if seconds <= 0:
        return compute()
    name = f"me:{user_id}:{person_generation(user_id)}:{name}"
    return cached(name, ("people", *apps), compute, timeout=seconds)


def _resident_page_cacheable(request) -> bool:
    if request.method not in ("GET", "HEAD") or not request.user.is_authenticated:
        return False
    # The page holds CSRF tokens for this browser's secret: only when the browser sent one (a
    # page that makes a new secret sets a cookie and is never stored), and keyed by it.
    if not request.COOKIES.get(settings.CSRF_COOKIE_NAME):
        return False
    # A flash message waiting to be shown (in a cookie or in the session) is shown once.
    if "messages" in request.COOKIES or "_messages" in request.session:
        return False
    return usable()


def resident_page(*apps: str, seconds: int | None = None):
    """Keep a logged-in resident's own page (GET) for them, until what it shows changes.

    The key holds the session, the browser's CSRF secret (the page's forms carry tokens made
    from it), the path and query, the language, the text size and today's date; the stored page
    is served only while the generations of `apps`, "portal", "people" (accounts, roles,
    households) and this person's own generation (their notices) are those it was made from, and
    for at most `seconds` (RESIDENT_PAGE_CACHE_SECONDS): what the clock changes (a post that
    ended, a cut-off passed) is seen within that bound. Any write in one of the apps (by anyone)
    makes it stale, so in real use it saves the repeated views between writes: the bench's mix
    reports how often that is (`X-Portal-Cache: resident-hit|resident-miss`).
    """
    from portal.context_processors import wants_large_text

    depends = tuple(dict.fromkeys(("portal", "people", *apps)))

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            limit = settings.RESIDENT_PAGE_CACHE_SECONDS if seconds is None else seconds
            if limit <= 0 or not _resident_page_cacheable(request):
                return view(request, *args, **kwargs)
            user = request.user
            secret = request.COOKIES[settings.CSRF_COOKIE_NAME]
            where = f"{request.get_host()}{request.get_full_path()}"
            # The session key and the CSRF secret are hashed: no secret in a key's name.
            browser = hashlib.sha256(
                f"{request.session.session_key}:{secret}".encode()
            ).hexdigest()[:32]
            key = (
                f"r:{user.pk}:{browser}:{get_language()}:"
                f"{int(wants_large_text(request))}:{timezone.localdate().isoformat()}:{where}"
            )
            gen_keys = [*(_key(app) for app in depends), person_generation_key(user.pk)]
            found = cache.get_many([*gen_keys, key])
            if not all(k in found for k in gen_keys):
                generations(depends)
                for k in gen_keys:
                    if k not in found:
                        cache.add(k, _fresh(), timeout=None)
                found = {**cache.get_many(gen_keys), key: found.get(key)}
            current = tuple(found[k] for k in gen_keys)
            stored = found.get(key)
            if stored is not None and stored[0] + limit >= time.time() and stored[1] == current:
                _gens, status, headers, content = stored[1:]
                response = HttpResponse(content, status=status)
                for name, value in headers:
                    response.headers[name] = value
                response.headers["X-Portal-Cache"] = "resident-hit"
                # As rendering the tokens would: the browser's CSRF cookie is renewed.
                request.META["CSRF_COOKIE_NEEDS_UPDATE"] = True
                return _not_kept_by_browsers(response)
            response = view(request, *args, **kwargs)
            if hasattr(response, "render") and callable(response.render):
                response = response.render()
            if (
                response.status_code == 200
                and not response.streaming
                and not response.cookies
                and request.META.get("CSRF_COOKIE") == secret
                and "_messages" not in request.session
                and usable()
            ):
                headers = [
                    (name, value)
                    for name, value in response.headers.items()
                    if name.lower() in ("content-type", "content-language")
                ]
                stored = (time.time(), current, response.status_code, headers, response.content)
                cache.set(key, stored, limit)
                response.headers["X-Portal-Cache"] = "resident-miss"
            return _not_kept_by_browsers(response)

        return wrapper

    return decorator


class CacheGenerationMiddleware:
    """Reads the generations once per request, and bumps them after a write request.

    A successful write request to a module (a form posted) bumps that module's generation (the
    URL's namespace); one to the admin (bulk actions send no signals) bumps them all.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _memo.set({})
        try:
            response = self.get_response(request)
        finally:
            _memo.reset(token)
        if request.method not in ("GET", "HEAD", "OPTIONS", "TRACE") and response.status_code < 400:
            match = getattr(request, "resolver_match", None)
            namespace = match.namespaces[0] if match is not None and match.namespaces else None
            if namespace in CONTENT_APPS:
                bump(namespace)
            elif namespace == "admin":
                bump()
            # Elsewhere (log-in, profile, language) the model signals say what changed.
        return response
