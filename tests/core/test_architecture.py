"""The import rule of docs/architecture.md, checked on the code: which part of app/ may import
which, no import circle between files, and small modules and functions.

The graph is read with `ast` from every `import` in app/, at the top of a module and inside
functions alike: an import deferred into a function is still a dependency.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "app"

# Modules directly under app/ form two parts: the core at the bottom (no domain: settings,
# database, audit, errors, templating, crypto, languages...) and the composition at the top (the
# app, its page and command registries, every table, the demo).
CORE = {
    "audit",
    "cell_key",
    "clock",
    "crime_groups",
    "crypto",
    "db",
    "encrypted_rows",
    "enums",
    "time_estimates",
    "errors",
    "health",
    "i18n",
    "input_guard",
    "migrate",
    "retention",
    "security",
    "setting_values",
    "settings",
    "slash_redirects",
    "startup",
    "support_keys",
    "system",
    "templating",
}
COMPOSITION = {"cli", "demo", "main", "models", "pages", "public_pages"}

# Each part of app/ and its layer: a part may import only parts on a lower layer. Parts on one
# layer are independent of each other.
LAYERS: dict[str, int] = {
    "core": 0,
    "auth": 1,
    "messaging": 1,
    "banks": 2,
    # The frame of every victim page: support services (banks), language, exit.
    "victim_page": 3,
    "invitations": 4,
    "survey": 5,
    "reporting": 6,
    # Support services hand surveys over (issue 12): reads invitations, starts survey sessions.
    "handover": 6,
    # Adapters and cross-domain jobs, above the domains.
    "api": 7,
    "jobs": 7,
    "composition": 8,
}

# The one documented exception (docs/architecture.md): the survey writes the rollup counts
# when an answer is submitted or withdrawn, and shows the published "you said, we did" actions;
# reporting reads the survey's tables. Only these reporting modules may be imported upward.
UPWARD: dict[tuple[str, str], set[str]] = {
    ("survey", "reporting"): {
        "app.reporting.rollups",
        "app.reporting.actions",
        "app.reporting.models",
    },
}

# Import circles still being broken by issue 10; this list only shrinks (it is empty now).
PENDING_CYCLES: list[list[str]] = []

MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60
# Modules and functions over the limits, being split by other changes of issue 10; this list
# only shrinks.
PENDING_LONG = {}


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    line: int


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(APP.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@cache
def _modules() -> dict[str, Path]:
    return {_module_name(path): path for path in sorted(APP.rglob("*.py"))}


def _resolve(name: str) -> str | None:
    """The module of app/ an imported name lives in (a name inside a module: that module)."""
    modules = _modules()
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def _imported(module: str, node: ast.Import | ast.ImportFrom) -> Iterator[str]:
    if isinstance(node, ast.Import):
        yield from (alias.name for alias in node.names)
        return
    base = node.module or ""
    if node.level:
        package = module.split(".")
        if _modules()[module].name != "__init__.py":
            package = package[:-1]
        package = package[: len(package) - (node.level - 1)]
        base = ".".join([*package, *([node.module] if node.module else [])])
    for alias in node.names:
        # `from app.reporting import rollups` imports the module app.reporting.rollups.
        submodule = f"{base}.{alias.name}"
        yield submodule if submodule in _modules() else base


@cache
def _edges() -> tuple[Edge, ...]:
    edges: set[Edge] = set()
    for module, path in _modules().items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Import | ast.ImportFrom):
                continue
            for name in _imported(module, node):
                target = _resolve(name) if name.split(".")[0] == "app" else None
                if target and target != module:
                    edges.add(Edge(module, target, node.lineno))
    return tuple(sorted(edges, key=lambda edge: (edge.source, edge.target, edge.line)))


def _part(module: str) -> str | None:
    """`app.survey.pages` → "survey"; `app.settings` → "core"; `app.cli` → "composition"."""
    parts = module.split(".")
    if len(parts) == 1:
        return None
    if len(parts) == 2 and parts[1] in CORE:
        return "core"
    if len(parts) == 2 and parts[1] in COMPOSITION:
        return "composition"
    return parts[1]


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one file (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, set())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_the_graph_is_read() -> None:
    """Guards the other tests against passing on an empty graph."""
    edges = {(edge.source, edge.target) for edge in _edges()}
    assert ("app.survey.reporting_link", "app.reporting.rollups") in edges
    assert ("app.invitations.pages", "app.victim_page") in edges
    assert ("app.jobs.retention", "app.survey.models") in edges  # inside the function too
    assert ("app.jobs.cli", "app.jobs.retention") in edges


def _file_cycles() -> list[list[str]]:
    graph: dict[str, set[str]] = {module: set() for module in _modules()}
    for edge in _edges():
        graph[edge.source].add(edge.target)
    return _cycles(graph)


def test_no_new_import_circle_between_files() -> None:
    assert [cycle for cycle in _file_cycles() if cycle not in PENDING_CYCLES] == []


def test_no_import_circle_between_files() -> None:
    assert _file_cycles() == []


def test_every_part_of_app_has_a_layer() -> None:
    parts = {_part(module) for module in _modules()} - {None}
    assert parts - LAYERS.keys() == set(), "give the new part a layer in LAYERS (or CORE)"
    assert LAYERS.keys() - parts == set(), "a part named in LAYERS no longer exists"


def test_imports_follow_the_layers() -> None:
    wrong = []
    for edge in _edges():
        source, target = _part(edge.source), _part(edge.target)
        if source is None or target is None or source == target:
            continue
        if LAYERS[target] < LAYERS[source]:
            continue
        if edge.target in UPWARD.get((source, target), set()):
            continue
        wrong.append(f"{edge.source}:{edge.line} imports {edge.target}")
    assert wrong == []


def test_the_only_two_way_dependency_is_the_documented_one() -> None:
    pairs = {
        (_part(edge.source), _part(edge.target))
        for edge in _edges()
        if _part(edge.source) and _part(edge.target) and _part(edge.source) != _part(edge.target)
    }
    two_way = {(a, b) for a, b in pairs if (b, a) in pairs and LAYERS[str(a)] < LAYERS[str(b)]}
    assert two_way == set(UPWARD)


def _long_functions() -> list[str]:
    found = []
    for module, path in _modules().items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    found.append(f"{module}.{node.name} ({length} lines)")
    return sorted(found)


def _long_modules() -> list[str]:
    found = []
    for module, path in _modules().items():
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_MODULE_LINES:
            found.append(f"{module} ({lines} lines)")
    return sorted(found)


def _offenders() -> list[str]:
    return _long_modules() + _long_functions()


def test_no_module_over_400_lines_and_no_function_over_60() -> None:
    assert _offenders() == []
