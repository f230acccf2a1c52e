"""The package's import structure: no import circles, and layers that point one way.

Read from the source with ``ast`` (nothing is imported), so a circle that Python
happens to tolerate today, because of the order modules load in, still fails here.
"""

from __future__ import annotations

import ast
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "simulator"


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _resolve(module: str, node: ast.ImportFrom | ast.Import) -> set[str]:
    """The modules of this package that an import statement in ``module`` names."""
    if isinstance(node, ast.Import):
        return {alias.name for alias in node.names if alias.name in MODULES}
    if node.level:
        package = module if MODULES[module].name == "__init__.py" else module.rpartition(".")[0]
        for _ in range(node.level - 1):
            package = package.rpartition(".")[0]
        base = f"{package}.{node.module}" if node.module else package
    else:
        base = node.module or ""
    found = set()
    for alias in node.names:
        # ``from . import battlefield`` names a module; ``from .x import f`` a name in one.
        if f"{base}.{alias.name}" in MODULES:
            found.add(f"{base}.{alias.name}")
        elif base in MODULES:
            found.add(base)
    return found


def _top_level_imports(tree: ast.Module) -> list[ast.Import | ast.ImportFrom]:
    """Imports run (or read by a type checker) when the module loads: those at module
    level, including inside ``if TYPE_CHECKING:`` and ``try:`` blocks, not in functions."""
    found: list[ast.Import | ast.ImportFrom] = []
    pending: list[ast.stmt] = list(tree.body)
    while pending:
        node = pending.pop()
        if isinstance(node, ast.Import | ast.ImportFrom):
            found.append(node)
        elif isinstance(node, ast.If | ast.Try):
            pending.extend(node.body)
            pending.extend(node.orelse)
            if isinstance(node, ast.Try):
                for handler in node.handlers:
                    pending.extend(handler.body)
                pending.extend(node.finalbody)
    return found


def _all_imports(tree: ast.Module) -> list[ast.Import | ast.ImportFrom]:
    return [n for n in ast.walk(tree) if isinstance(n, ast.Import | ast.ImportFrom)]


def _graph(imports) -> dict[str, set[str]]:
    graph = {}
    for module, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        graph[module] = set().union(*(_resolve(module, n) for n in imports(tree))) - {module}
    return graph


def test_the_graph_sees_the_imports_it_should():
    """A check on the checker: known edges are found, relative and absolute."""
    graph = _graph(_top_level_imports)
    assert "simulator.agents" in graph["simulator.model"]
    assert "simulator.battlefield" in graph["simulator.model"]  # from . import battlefield
    assert "simulator.talks.registry" in graph["simulator.agents"]
    assert "simulator.cli.base" in graph["simulator.cli"]


def test_no_module_takes_part_in_an_import_circle():
    graph = _graph(_top_level_imports)
    try:
        tuple(TopologicalSorter(graph).static_order())
    except CycleError as exc:
        pytest.fail(f"import circle: {' -> '.join(exc.args[1])}")


def test_agents_do_not_import_the_model():
    """Agents see the model through the protocol in simulator.world, at any depth."""
    graph = _graph(_all_imports)
    assert "simulator.model" not in graph["simulator.agents"]
    assert "simulator.model" not in graph["simulator.world"]


def _importers(graph, prefix: str) -> dict[str, set[str]]:
    return {
        module: {t for t in targets if t == prefix or t.startswith(prefix + ".")}
        for module, targets in graph.items()
    }


@pytest.mark.parametrize(
    ("layer", "forbidden"),
    [
        ("simulator.scenario", "simulator.model"),
        ("simulator.scenario", "simulator.outputs"),
        ("simulator.scenario", "simulator.cli"),
        ("simulator.talks", "simulator.model"),
        ("simulator.talks", "simulator.cli"),
        ("simulator", "simulator.cli"),
    ],
)
def test_layers_point_one_way(layer, forbidden):
    """Lower layers never import higher ones, not even inside a function: the scenario
    layer knows nothing of the model, its outputs or the command line, and the library
    nothing of the command line."""
    graph = _graph(_all_imports)
    wrong = {
        module: sorted(targets)
        for module, targets in _importers(graph, forbidden).items()
        if targets
        and (module == layer or module.startswith(layer + "."))
        and not (module == forbidden or module.startswith(forbidden + "."))
    }
    assert not wrong, f"{layer} imports {forbidden}: {wrong}"
