"""The course lottery as a pure function, so anyone can re-run a published draw.

Given the published inputs — the seed, the number of places, the entry groups in their stable
order and the entries skipped for a timetable clash — `draw()` returns the same result on any
machine with Python 3:

    >>> from classes.lottery import draw
    >>> draw([[3], [5, 6], [7]], places=2, seed="4f1c9a", skipped=[])

Before the sign-up window closes the course page publishes `commitment(seed)`, the SHA-256 of
the seed chosen when the course was made a lottery; after the draw the seed itself is shown, so
anyone can check both that it is the committed one and that it gives the published result:

    >>> from classes.lottery import commitment
    >>> commitment("4f1c9a") == "<the published commitment>"

`manage.py verify_lottery <course id>` runs the same checks on the stored draws.

Rules: one entry per child; siblings of one household are one group and are placed together or
wait together; a child whose timetable clashes with a course already won is skipped; places left
over are offered first come, first served afterwards.
"""

import hashlib
import random
import secrets


def new_seed() -> str:
    """A fresh random seed (128 bits, hexadecimal)."""
    return secrets.token_hex(16)


def commitment(seed: str) -> str:
    """The published commitment to a seed: its SHA-256, hexadecimal."""
    return hashlib.sha256(seed.encode("utf-8")).hexdigest()


def stable_groups(entries: list[tuple[int, int]]) -> list[list[int]]:
    """Group (entry id, household id) pairs by household, in order of each group's first entry."""
    by_household: dict[int, list[int]] = {}
    for entry_id, household_id in sorted(entries):
        by_household.setdefault(household_id, []).append(entry_id)
    return sorted(by_household.values(), key=lambda group: group[0])


def draw(groups: list[list[int]], *, places: int, seed: str, skipped: list[int]) -> dict:
    """Shuffle the groups with `random.Random(seed)` and give places in that order.

    A group that does not fit in the places left waits as a whole; later, smaller groups may
    still fit, so the places are filled exactly when there are enough entries.
    """
    skip = set(skipped)
    order = [list(group) for group in groups]
    random.Random(seed).shuffle(order)
    won: list[int] = []
    waiting: list[int] = []
    left = places
    for group in order:
        eligible = [entry for entry in group if entry not in skip]
        if not eligible:
            continue
        if len(eligible) <= left:
            won.extend(eligible)
            left -= len(eligible)
        else:
            waiting.extend(eligible)
    return {
        "seed": seed,
        "places": places,
        "groups": [list(group) for group in groups],
        "skipped": sorted(skip),
        "order": order,
        "won": won,
        "waiting": waiting,
    }
