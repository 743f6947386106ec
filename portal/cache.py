"""The portal's cache: README.md, "The cache", explains it on one page. In short:

- **Namespaces.** Everything cached is made from the data of some namespaces: each module's
  content (`portal.modules`), "portal" (the community's settings and announcements, on every
  page), "people" (accounts and households, some shown on public pages: a team's leader),
  "person:<id>" (one person's own row and roles) and "inbox:<id>" (their notices: a notice
  written or read leaves their kept row alone).
- **Versions.** Each namespace has a version number in the shared cache (Redis in production).
  An entry is stored with the versions it was made from, read before it was made, and served
  only while they are still current. "portal" is part of every entry.
- **Who says what changed.** `changed(namespace)`. The model signals call it for every save,
  delete and many-to-many change of a module's model (`connect_signals`); services that write in
  bulk (`QuerySet.update()`, `bulk_create()`: no signals) call it themselves; `migrate` (a deploy)
  changes every namespace.
- **Transactions.** Inside a transaction `changed()` increments the version at once and again
  when the transaction commits: in between, other requests may store what they read of the
  committed rows, and the second increment makes that stale. Until then this thread neither reads
  nor stores anything cached: it must see its own writes and never hand its uncommitted rows to
  anyone.
- **Time limits.** Each entry also expires (settings: *_CACHE_SECONDS): that bounds what a change
  from outside the portal (raw SQL, the shell) or the clock (a cut-off passed) leaves stale.
"""

import contextvars
import functools
import hashlib
import secrets
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, transaction
from django.http import HttpResponse, QueryDict
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import get_language

from portal import modules

# The namespaces of content: every module's, and the portal's own.
CONTENT = ("portal", *modules.labels())
# Every namespace but the per-person ones (which each entry's "portal" version covers).
NAMESPACES = (*CONTENT, "people")
# Accounts, roles and households: their changes count in "people" (and the person's own).
PEOPLE_MODELS = {"portal.user", "portal.user_groups", "portal.household", "portal.householdmember"}
# Rows no cached entry is made from (a person's notices have the person's namespace, changed by
# `portal.notices`), and logs: writing them makes nothing stale. A module's model says the same
# with a class attribute `cache_private = True`.
PRIVATE_MODELS = {
    "portal.notice",
    "portal.noticepreference",
    "portal.delivery",
    "portal.broadcast",
    "portal.consentchange",
    "portal.accountdeletion",
    "portal.mobilereveal",
    "portal.calendarkey",
}


def person(user_id: int) -> str:
    """The namespace of this person's own row and roles."""
    return f"person:{user_id}"


def inbox(user_id: int) -> str:
    """The namespace of this person's notices (changed by `portal.notices`)."""
    return f"inbox:{user_id}"


# --- versions ---------------------------------------------------------------------------------

# The versions this request has read (one round trip per request for all it needs), and the
# namespaces this thread changed in a transaction that has not committed yet.
_read: contextvars.ContextVar[dict | None] = contextvars.ContextVar("cache_read", default=None)
_uncommitted: contextvars.ContextVar[frozenset] = contextvars.ContextVar(
    "cache_uncommitted", default=frozenset()
)


def _version_key(namespace: str) -> str:
    return f"v:{namespace}"


def _new_version() -> int:
    # Random, not a count from 0: a cache emptied and refilled must not give back a version an
    # entry of before was stored with.
    return secrets.randbits(62)


def versions(namespaces: Iterable[str], *, also: Iterable[str] = ()) -> tuple:
    """The current versions of `namespaces`. `also` names keys to fetch in the same round trip:
    returns (versions, {key: value found})."""
    namespaces = tuple(namespaces)
    read = _read.get()
    missing = [ns for ns in namespaces if read is None or ns not in read]
    found = cache.get_many([*map(_version_key, missing), *also]) if missing or also else {}
    known = dict(read or {})
    for ns in missing:
        value = found.pop(_version_key(ns), None)
        if value is None:  # first use, or evicted
            cache.add(_version_key(ns), _new_version(), timeout=None)
            value = cache.get(_version_key(ns))
        known[ns] = value
    if read is not None:
        read.update(known)
    current = tuple(known[ns] for ns in namespaces)
    return (current, found) if also else current


def _increment(namespaces: Iterable[str]) -> None:
    read = _read.get()
    for ns in namespaces:
        try:
            cache.incr(_version_key(ns))
        except ValueError:  # not in the cache (evicted): any new number is a new version
            cache.set(_version_key(ns), _new_version(), timeout=None)
        if read is not None:
            read.pop(ns, None)


def changed(*namespaces: str, using: str = DEFAULT_DB_ALIAS) -> None:
    """What is cached from these namespaces is stale: now, and again when the transaction commits
    (see the module's doc)."""
    if transaction.get_autocommit(using):
        _uncommitted.set(frozenset())
        _increment(namespaces)
        return
    _increment(namespaces)
    _uncommitted.set(_uncommitted.get() | set(namespaces))
    transaction.on_commit(functools.partial(_committed, namespaces), using=using)


def _committed(namespaces) -> None:
    # One increment per namespace and commit: the first of its callbacks takes it.
    pending = _uncommitted.get()
    _increment(set(namespaces) & pending)
    _uncommitted.set(pending - set(namespaces))


def usable(using: str = DEFAULT_DB_ALIAS) -> bool:
    """False while this thread has changes in a transaction that has not committed."""
    if transaction.get_autocommit(using):
        _uncommitted.set(frozenset())  # a transaction rolled back: nothing of it is pending
        return True
    return not _uncommitted.get()


# --- what changed, from the models --------------------------------------------------------------


def _on_model_change(sender, instance=None, update_fields=None, action=None, **kwargs):
    if action is not None and not action.startswith("post_"):
        return  # many-to-many: counted once, after
    label = sender._meta.label_lower
    if (
        sender._meta.app_label not in CONTENT
        or label in PRIVATE_MODELS
        or getattr(sender, "cache_private", False)
    ):
        return
    using = kwargs.get("using", DEFAULT_DB_ALIAS)
    if label not in PEOPLE_MODELS:
        changed(sender._meta.app_label, using=using)
        return
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return  # a log-in changes nothing anyone sees
    touched = {"people"}
    if label == "portal.user" and instance is not None:
        touched.add(person(instance.pk))
    elif label == "portal.user_groups":
        if hasattr(instance, "user_id"):  # a membership row deleted with its group
            ids = (instance.user_id,)
        elif instance is not None and instance._meta.label_lower == "portal.user":
            ids = (instance.pk,)
        else:  # from a group's side: the users changed, or all of them (a clear)
            ids = kwargs.get("pk_set")
            if ids is None:
                touched.add("portal")  # in every entry: everyone's kept roles go
        touched.update(person(pk) for pk in ids or ())
    changed(*touched, using=using)


def connect_signals() -> None:
    from django.db.models.signals import m2m_changed, post_delete, post_save

    for signal in (post_save, post_delete, m2m_changed):
        signal.connect(_on_model_change, dispatch_uid=f"portal_cache_{id(signal)}")


# --- entries ------------------------------------------------------------------------------------

_NOTHING = object()


def _lookup(key: str, namespaces: tuple) -> tuple:
    """(current versions, the value stored under `key` for them, or _NOTHING): one round trip."""
    current, found = versions(namespaces, also=[key])
    entry = found.get(key)
    if entry is not None and entry[0] == current:
        return current, entry[1]
    return current, _NOTHING


def _store(key: str, current: tuple, value, seconds: int) -> None:
    if usable():
        cache.set(key, (current, value), seconds)


def cached(name: str, namespaces: Iterable[str], compute: Callable[[], object], timeout=None):
    """`compute()`, kept until one of the namespaces changes (or `timeout` seconds pass,
    CONTENT_CACHE_SECONDS by default). Put in `name` whatever else the value depends on (a date,
    a language, an id)."""
    if not usable():
        return compute()
    key = f"c:{name}"
    current, value = _lookup(key, tuple(dict.fromkeys(("portal", *namespaces))))
    if value is _NOTHING:
        value = compute()
        _store(key, current, value, settings.CONTENT_CACHE_SECONDS if timeout is None else timeout)
    return value


def personal(name: str, user_id: int, namespaces: Iterable[str], compute: Callable[[], object]):
    """`compute()` for one person's part of a page (their next post, their bookings), kept like
    `resident_page` keeps their pages: until the namespaces, "people" or their own (row, roles,
    notices) change, and at most RESIDENT_PAGE_CACHE_SECONDS (what the clock changes)."""
    seconds = settings.RESIDENT_PAGE_CACHE_SECONDS
    if seconds <= 0:
        return compute()
    depends = ("people", person(user_id), inbox(user_id), *namespaces)
    return cached(f"me:{user_id}:{name}", depends, compute, timeout=seconds)


# --- whole pages --------------------------------------------------------------------------------

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
    return QueryDict(kept.urlencode())  # read-only, like the request's own


# A longer host and path is kept in a key as its hash (a hostile URL cannot make a long key).
KEY_PATH_CHARS = 150


def _page_key(kind: str, request, *extra) -> str:
    from portal.context_processors import wants_large_text

    where = f"{request.get_host()}{request.get_full_path()}"
    if len(where) > KEY_PATH_CHARS:
        where = "#" + hashlib.sha256(where.encode()).hexdigest()
    return ":".join(
        str(part)
        for part in (
            kind,
            *extra,
            get_language(),
            int(wants_large_text(request)),
            timezone.localdate().isoformat(),
            where,
        )
    )


def _served(stored, label: str) -> HttpResponse:
    status, headers, content = stored
    response = HttpResponse(content, status=status)
    for name, value in headers:
        response.headers[name] = value
    response.headers["X-Portal-Cache"] = label
    return response


def _made(request, view, args, kwargs):
    response = view(request, *args, **kwargs)
    if hasattr(response, "render") and callable(response.render):
        response = response.render()
    return response


def _keepable(response) -> tuple | None:
    """What to store of a page: a whole 200 that set no cookie of its own."""
    if response.status_code != 200 or response.streaming or response.cookies:
        return None
    headers = [
        (name, value)
        for name, value in response.headers.items()
        if name.lower() in ("content-type", "content-language")
    ]
    return response.status_code, headers, response.content


def _not_kept_by_browsers(response):
    # Browsers and proxies must not keep a page: the next request may be somebody else's.
    patch_cache_control(response, private=True, max_age=0)
    return response


def public_page(*namespaces: str, params: Iterable[str] = ()):
    """Serve a page that looks the same to every anonymous visitor from the cache.

    `params` names the query parameters the page reads. For a visitor the view sees only those
    (sorted, bounded: `_normalised_query`), and the key holds only those, so a crawler adding
    parameters of its own cannot make new entries. The key also holds the host and path, the
    language, the text size and today's date. Logged-in residents always get a fresh page. A page
    that used a CSRF token, set a cookie or is not a 200 is never stored (it is somebody's own).
    """
    depends = tuple(dict.fromkeys(("portal", *namespaces)))
    params = tuple(params)

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if (
                request.method not in ("GET", "HEAD")
                or request.user.is_authenticated
                or "messages" in request.COOKIES  # a flash message is this visitor's alone
                or not usable()
            ):
                return view(request, *args, **kwargs)
            request.GET = _normalised_query(request.GET, params)
            request.META["QUERY_STRING"] = request.GET.urlencode()
            key = _page_key("p", request)
            current, stored = _lookup(key, depends)
            if stored is not _NOTHING:
                return _not_kept_by_browsers(_served(stored, "hit"))
            response = _made(request, view, args, kwargs)
            keep = _keepable(response)
            if keep is not None and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
                _store(key, current, keep, settings.PUBLIC_PAGE_CACHE_SECONDS)
                response.headers["X-Portal-Cache"] = "miss"
            return _not_kept_by_browsers(response)

        return wrapper

    return decorator


def resident_page(*namespaces: str, seconds: int | None = None):
    """Keep a logged-in resident's own page (GET) for them, until what it shows changes.

    The key holds the person, their session and the browser's CSRF secret (the page's forms carry
    tokens made from it; hashed, no secret in a key's name), the path and query, the language,
    the text size and today's date. The page depends on `namespaces`, "people" and the person's
    own (row, roles, notices), and is kept at most `seconds` (RESIDENT_PAGE_CACHE_SECONDS): what
    the clock changes (a post that ended, a cut-off passed) shows within that. The bench's mix
    reports how often it is served (`X-Portal-Cache: resident-hit|resident-miss`).
    """

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            limit = settings.RESIDENT_PAGE_CACHE_SECONDS if seconds is None else seconds
            secret = request.COOKIES.get(settings.CSRF_COOKIE_NAME)
            if (
                limit <= 0
                or request.method not in ("GET", "HEAD")
                or not request.user.is_authenticated
                # A page that makes a new CSRF secret sets a cookie: it is never stored.
                or not secret
                # A flash message waiting to be shown (in a cookie or the session) shows once.
                or "messages" in request.COOKIES
                or "_messages" in request.session
                or not usable()
            ):
                return view(request, *args, **kwargs)
            user_id = request.user.pk
            browser = hashlib.sha256(f"{request.session.session_key}:{secret}".encode())
            key = _page_key("r", request, user_id, browser.hexdigest()[:32])
            depends = tuple(
                dict.fromkeys(("portal", "people", person(user_id), inbox(user_id), *namespaces))
            )
            current, stored = _lookup(key, depends)
            if stored is not _NOTHING:
                # As rendering the tokens would: the browser's CSRF cookie is renewed.
                request.META["CSRF_COOKIE_NEEDS_UPDATE"] = True
                return _not_kept_by_browsers(_served(stored, "resident-hit"))
            response = _made(request, view, args, kwargs)
            keep = _keepable(response)
            if (
                keep is not None
                and request.META.get("CSRF_COOKIE") == secret
                and "_messages" not in request.session
            ):
                _store(key, current, keep, limit)
                response.headers["X-Portal-Cache"] = "resident-miss"
            return _not_kept_by_browsers(response)

        return wrapper

    return decorator


class CacheScopeMiddleware:
    """Each request reads the versions it needs once, and starts with nothing uncommitted (in
    tests, the test's own open transaction is not the request's)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        read = _read.set({})
        pending = _uncommitted.set(frozenset())
        try:
            return self.get_response(request)
        finally:
            _uncommitted.reset(pending)
            _read.reset(read)
