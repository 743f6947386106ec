"""This module's part of `manage.py seed_demo` (see portal's seed_demo command)."""


def seed(command, community, people):
    """Create demo data for the module; idempotent. Returns lines to print."""
    return []
