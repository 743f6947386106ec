"""What each module holds about a person, in one place: a member leaving a household, a
resident's export of their own data, and the deletion of an account.

Each module contributes a `<app>.privacy` module with any of:
- `member_left(member, *, by) -> int`: give up the member's future places (bookings,
  registrations, enrolments); history stays.
"""

from importlib import import_module

PRIVACY_APPS = ["volunteers", "events", "canteen", "classes"]


def hooks(name: str):
    """The modules' functions called `name`, in PRIVACY_APPS order (modules without one skipped)."""
    found = []
    for app in PRIVACY_APPS:
        try:
            module = import_module(f"{app}.privacy")
        except ModuleNotFoundError:
            continue
        func = getattr(module, name, None)
        if func is not None:
            found.append((app, func))
    return found
