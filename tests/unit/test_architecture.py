"""The layers of chalicelib, checked from the source: imports are read with `ast`, nothing
is imported. Every import counts: at module level, under TYPE_CHECKING and inside functions.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = "chalicelib"
MAX_LINES = 400

AWS_AND_WEB = ("boto3", "botocore", "pynamodb", "chalice")


@dataclass(frozen=True)
class Import:
    importer: str
    imported: str
    """The module named (for `from a.b import c`, `a.b.c` when that is a module, else `a.b`)."""
    line: int

    def __str__(self) -> str:
        return f"{self.importer} imports {self.imported} (line {self.line})"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


@cache
def modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted((ROOT / PACKAGE).rglob("*.py"))}


def is_package(name: str) -> bool:
    return modules()[name].name == "__init__.py"


def _resolve_relative(importer: str, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = importer.split(".")
    if not is_package(importer):
        base.pop()
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def _named(importer: str, node: ast.Import | ast.ImportFrom) -> Iterator[str]:
    if isinstance(node, ast.Import):
        yield from (alias.name for alias in node.names)
        return
    source = _resolve_relative(importer, node)
    for alias in node.names:
        submodule = f"{source}.{alias.name}"
        yield submodule if submodule in modules() else source


def imports_in(importer: str, source: str) -> tuple[Import, ...]:
    found = {
        Import(importer, imported, node.lineno)
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Import | ast.ImportFrom)
        for imported in _named(importer, node)
    }
    return tuple(sorted(found, key=lambda each: (each.line, each.imported)))


@cache
def imports_of(importer: str) -> tuple[Import, ...]:
    return imports_in(importer, modules()[importer].read_text())


def under(prefix: str) -> list[str]:
    return [name for name in modules() if name == prefix or name.startswith(prefix + ".")]


def is_within(module: str, prefixes: Iterable[str]) -> bool:
    return any(module == prefix or module.startswith(prefix + ".") for prefix in prefixes)


def offending(layer: str, forbidden: Iterable[str]) -> list[Import]:
    forbidden = tuple(forbidden)
    return [
        found
        for importer in under(layer)
        for found in imports_of(importer)
        if is_within(found.imported, forbidden)
    ]


def report(rule: str, offences: list[Import]) -> str:
    return rule + ":\n" + "\n".join(f"  {offence}" for offence in offences)


# --- cycles --------------------------------------------------------------------------------


def graph() -> dict[str, list[Import]]:
    return {
        name: [found for found in imports_of(name) if found.imported in modules()]
        for name in modules()
    }


def strongly_connected(edges: dict[str, list[Import]]) -> list[list[str]]:
    """Tarjan's algorithm: the groups of modules that reach each other."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for edge in edges[node]:
            target = edge.imported
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            groups.append(sorted(group))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return groups


def a_cycle(group: list[str], edges: dict[str, list[Import]]) -> list[Import]:
    """One path through `group` that comes back to its start, as the imports that make it."""
    members = set(group)
    start = group[0]
    came_by: dict[str, Import] = {}
    frontier = [start]
    while frontier:
        node = frontier.pop(0)
        for edge in edges[node]:
            if edge.imported not in members:
                continue
            if edge.imported == start:
                path = [edge]
                while path[0].importer != start:
                    path.insert(0, came_by[path[0].importer])
                return path
            if edge.imported not in came_by:
                came_by[edge.imported] = edge
                frontier.append(edge.imported)
    raise AssertionError(f"no cycle found through {group}")


def cycles() -> list[list[Import]]:
    edges = graph()
    return [
        a_cycle(group, edges)
        for group in strongly_connected(edges)
        if len(group) > 1 or any(edge.imported == group[0] for edge in edges[group[0]])
    ]


def test_no_module_reaches_itself_through_its_imports() -> None:
    found = cycles()

    assert not found, "import cycles (move what both sides share into a module below them):\n" + (
        "\n".join("  " + " -> ".join(str(edge) for edge in cycle) for cycle in found)
    )


def test_the_cycle_check_counts_every_kind_of_import() -> None:
    source = """
from typing import TYPE_CHECKING
from chalicelib.domain import values
from . import errors
if TYPE_CHECKING:
    from chalicelib.domain.workflows import WorkflowRule
def later():
    import chalicelib.settings
"""
    imported = {found.imported for found in imports_in("chalicelib.domain.model", source)}

    assert {
        "chalicelib.domain.values",
        "chalicelib.domain.errors",
        "chalicelib.domain.workflows",
        "chalicelib.settings",
    } <= imported


def test_the_cycle_check_finds_a_cycle_and_names_its_imports() -> None:
    edges = {"a": [Import("a", "b", 1)], "b": [Import("b", "a", 2)], "c": []}

    assert strongly_connected(edges) == [["a", "b"], ["c"]]
    assert [str(edge) for edge in a_cycle(["a", "b"], edges)] == [
        "a imports b (line 1)",
        "b imports a (line 2)",
    ]


# --- layers --------------------------------------------------------------------------------


def test_the_domain_depends_on_nothing_outside_it() -> None:
    offences = offending(
        "chalicelib.domain",
        (
            *AWS_AND_WEB,
            "chalicelib.adapters",
            "chalicelib.services",
            "chalicelib.entrypoints",
            "chalicelib.bootstrap",
            "chalicelib.settings",
        ),
    )

    assert not offences, report("the domain must stay pure", offences)


ADAPTERS_ABOVE = (
    "chalicelib.services",
    "chalicelib.bootstrap",
    "chalicelib.entrypoints",
)


def test_adapters_sit_below_the_services() -> None:
    offences = offending("chalicelib.adapters", ADAPTERS_ABOVE)

    assert not offences, report("adapters must not import what sits above them", offences)


def test_services_reach_storage_only_through_ports() -> None:
    offences = offending(
        "chalicelib.services", ("chalicelib.adapters.dynamodb", "pynamodb", "boto3", "botocore")
    )

    assert not offences, report("use cases must reach DynamoDB through their ports", offences)


def test_no_module_is_longer_than_the_limit() -> None:
    too_long = {
        str(path.relative_to(ROOT)): lines
        for path in modules().values()
        if (lines := len(path.read_text().splitlines())) > MAX_LINES
    }

    assert not too_long, f"modules longer than {MAX_LINES} lines (split them by concern):\n" + (
        "\n".join(f"  {path}: {lines}" for path, lines in sorted(too_long.items()))
    )
