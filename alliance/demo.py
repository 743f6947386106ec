"""The alliance's demo data (run by `seed_demo`)."""


def seed(command, community, people):
    return []
