"""The fund's tests use the classroom's people and courses (the classroom posts fee shares)."""

from tests.classes.conftest import *  # noqa: F403
