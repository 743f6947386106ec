"""The modules depend on each other openly (imports of each other's services), in one direction.

The graph is read from the source: an edge from one module to another for every `import` of
it, at the top of a file or inside a function, so a circle cannot hide in a lazy import.
"""

import ast
from itertools import pairwise
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# The modules on the shared layer (`portal`, which all of them build on).
MODULES = ["volunteers", "events", "canteen", "classes", "fund", "alliance"]


def imported_modules(app: str) -> dict[str, str]:
    """{other module: first file importing it} for every module `app`'s code imports."""
    found = {}
    for path in sorted((ROOT / app).rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top in MODULES and top != app:
                    found.setdefault(top, str(path.relative_to(ROOT)))
    return found


def find_cycle(graph: dict[str, set[str]]) -> list[str]:
    """One circle in the graph, as the path that closes it, or [] when there is none."""
    state = {}  # node -> "open" while on the current path, "done" once explored

    def visit(path):
        node = path[-1]
        state[node] = "open"
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state and (cycle := visit([*path, nxt])):
                return cycle
        state[node] = "done"
        return []

    for start in sorted(graph):
        if start not in state and (cycle := visit([start])):
            return cycle
    return []


def test_the_modules_import_each_other_without_a_circle():
    edges = {app: imported_modules(app) for app in MODULES}
    graph = {app: set(others) for app, others in edges.items()}

    cycle = find_cycle(graph)

    where = [f"{a} → {b} ({edges[a][b]})" for a, b in pairwise(cycle)]
    assert cycle == [], "modules import each other in a circle: " + ", ".join(where)


@pytest.mark.parametrize(
    "graph,circle",
    [
        ({"a": {"b"}, "b": {"c"}, "c": set()}, False),
        ({"a": {"b"}, "b": {"a"}}, True),
        ({"a": {"b"}, "b": {"c"}, "c": {"a"}}, True),
        ({"a": {"b", "c"}, "b": {"c"}, "c": set()}, False),
    ],
    ids=["chain", "two", "three", "diamond"],
)
def test_a_circle_is_found_only_where_there_is_one(graph, circle):
    assert bool(find_cycle(graph)) is circle
