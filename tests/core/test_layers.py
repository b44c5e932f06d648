"""clastic-core's layers, read from the source: no import points up, no import cycle anywhere.

Every core module belongs to one layer of :data:`LAYERS`. A module may import
modules of its own layer and of the layers below it, never above; a module
missing from the table fails :func:`test_every_core_module_has_a_layer`, so a
new module gets placed on purpose. "Import" means a runtime import: at module
level or inside a function, not one under ``if TYPE_CHECKING:`` (those are
for annotations only and never run). A function-local import of a clastic
module is allowed only when :data:`FUNCTION_LOCAL` gives the reason.

The same import graph, read for every distribution with modules of its
own, must have no cycle, even for the type checker: counting the
imports under ``if TYPE_CHECKING:`` too, it has no cycle (a module that
needs only the shape of one that imports it annotates with a Protocol
instead, such as ``clastic.types.ApplicationLike``).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGES = Path(__file__).resolve().parents[2] / "packages"

#: clastic-core's layers, lowest first. A module imports only from its own layer and the ones below.
LAYERS: tuple[tuple[str, frozenset[str]], ...] = (
    (
        "exceptions/types",
        frozenset({
            "clastic.exceptions",
            "clastic.types",
            "clastic._deps",  # dependency maps of provided names: plain data
            "clastic._json",
            "clastic._moved",  # the lazy table of satellite names; imports them by string only
            "clastic._negotiate",
            "clastic._fast_wsgi",
        }),
    ),
    (
        "patterns/injection",
        frozenset({
            "clastic._pattern",
            "clastic._inject",
            "clastic._router",
        }),
    ),
    (
        "wrappers/errors",
        frozenset({
            "clastic.wrappers",
            "clastic._client",  # the LocalClient get_local_client() returns (public in clastic.testing)
            "clastic.utils",
            "clastic.access",  # who may see developer-only pages: reads requests through clastic.utils
            "clastic.errors",
            "clastic.errors._base",
            "clastic.errors.http",
            "clastic.errors.handler",
            "clastic.render.tabular",
        }),
    ),
    (
        "chain/route",
        frozenset({
            "clastic._chain",
            "clastic._codegen",  # writing and compiling the chains' generated code
            "clastic.middleware",
            "clastic.middleware.core",
            # Clastic 26's injection helpers: thin adapters over _chain and _inject. They sit here,
            # not with the other compatibility modules at the top, because the Clastic 26 names
            # clastic.middleware.core.make_chain and clastic.route.get_fb re-export them.
            "clastic.sinter",
            "clastic.route",
            "clastic._bound_compat",
            "clastic._dispatch_state",  # DispatchState and RerouteWSGI, used by routes
            "clastic._null_route",  # the null route's endpoint
            "clastic.render",
            "clastic.render.simple",
        }),
    ),
    (
        "dispatch/application",
        frozenset({
            "clastic._dispatch",
            "clastic._app_helpers",
            "clastic.application",
            "clastic",  # clastic/__init__.py re-exports the Application
        }),
    ),
    (
        "server/cli/testing",
        frozenset({
            "clastic.server",
            "clastic.cli",
            "clastic.__main__",
            "clastic.testing",
            "clastic.pytest_plugin",
            "clastic.plugins",
            "clastic._dev",  # the development tooling behind them
            "clastic._dev.failsafe",
            "clastic._dev.introspect",
            "clastic._dev.log",
            "clastic._dev.mounts",
            "clastic._dev.reloader",
            "clastic._dev.target",
        }),
    ),
    (
        "compatibility",
        frozenset({
            "clastic.cline",
            "clastic.flaw",
            "clastic.decorators",
        }),
    ),
)

#: (importer, imported) -> why this upward import is allowed.
UPWARD_ALLOWED: dict[tuple[str, str], str] = {
    ("clastic.application", "clastic.server"): (
        "Application.serve() starts the development server: a documented convenience, imported only when called"
    ),
}

#: (importer, imported) -> why the import is inside a function rather than at the top of the module.
FUNCTION_LOCAL: dict[tuple[str, str], str] = {
    ("clastic.application", "clastic.server"): "Application.serve(): the server is imported only when one is started",
}

#: (importer, imported) -> the work that removes it. Imports still to be taken out of the dispatch
#: code, tolerated by every check here until then; once one is gone, test_pending_imports_still_exist
#: fails until its entry is deleted, so this list only shrinks.
PENDING: dict[tuple[str, str], str] = {}

LAYER_OF: dict[str, int] = {module: index for index, (_name, modules) in enumerate(LAYERS) for module in modules}


@dataclass(frozen=True)
class Import:
    """One runtime import of a first-party module, as written in the source."""

    importer: str
    imported: str
    line: int
    function_local: bool

    def __str__(self) -> str:
        where = "inside a function" if self.function_local else "at module level"
        return f"{self.importer} imports {self.imported} (line {self.line}, {where})"


def iter_modules(src: Path, top: str) -> Iterator[tuple[str, Path]]:
    """Yield ``(dotted name, path)`` for every module of *src* under the package directory *top*."""
    for path in sorted((src / top.replace(".", "/")).rglob("*.py")):
        parts = path.relative_to(src).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        yield ".".join(parts), path


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


class _ImportReader(ast.NodeVisitor):
    """Collect the runtime imports of one module, noting those made inside functions.

    With *type_checking*, the imports under ``if TYPE_CHECKING:`` are collected too.
    """

    def __init__(self, importer: str, known: set[str], type_checking: bool = False) -> None:
        self.importer = importer
        self.known = known
        self.type_checking = type_checking  # also read the imports under `if TYPE_CHECKING:`
        self.depth = 0
        self.found: list[Import] = []

    def visit_If(self, node: ast.If) -> None:
        if _is_type_checking(node.test) and not self.type_checking:
            for child in node.orelse:  # the else branch runs
                self.visit(child)
            return
        self.generic_visit(node)

    def _in_function(self, node: ast.AST) -> None:
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1

    visit_FunctionDef = visit_AsyncFunctionDef = visit_Lambda = _in_function

    def _add(self, target: str, node: ast.stmt) -> None:
        if target in self.known and target != self.importer:
            self.found.append(Import(self.importer, target, node.lineno, self.depth > 0))

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._add(alias.name, node)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level:
            pytest.fail(f"{self.importer}, line {node.lineno}: relative import (use absolute imports)")
        base = node.module or ""
        for alias in node.names:
            submodule = f"{base}.{alias.name}"
            self._add(submodule if submodule in self.known else base, node)


def read_imports(modules: dict[str, Path], type_checking: bool = False) -> list[Import]:
    """Return every runtime import between *modules*, and with *type_checking* the annotation-only ones too."""
    known = set(modules)
    found: list[Import] = []
    for name, path in modules.items():
        reader = _ImportReader(name, known, type_checking)
        reader.visit(ast.parse(path.read_text(encoding="utf-8"), str(path)))
        found.extend(reader.found)
    return found


def _reachable(graph: dict[str, set[str]], start: str) -> set[str]:
    seen: set[str] = set()
    todo = list(graph.get(start, ()))
    while todo:
        node = todo.pop()
        if node not in seen:
            seen.add(node)
            todo.extend(graph.get(node, ()))
    return seen


def find_cycles(imports: list[Import]) -> list[list[str]]:
    """Return the import cycles: groups of two or more modules that each reach the others, each sorted."""
    graph: dict[str, set[str]] = {}
    for edge in imports:
        graph.setdefault(edge.importer, set()).add(edge.imported)
    reach = {node: _reachable(graph, node) for node in graph}
    cycles: list[list[str]] = []
    placed: set[str] = set()
    for node in sorted(reach):
        if node in placed or node not in reach[node]:
            continue
        group = sorted(other for other in reach[node] if node in reach.get(other, ()))
        placed.update(group)
        cycles.append(group)
    return cycles


CORE = dict(iter_modules(PACKAGES / "clastic-core" / "src", "clastic"))
CORE_IMPORTS = read_imports(CORE)

DISTRIBUTIONS = {
    "clastic-core": CORE,
    "clastic-meta": {
        **dict(iter_modules(PACKAGES / "clastic-meta" / "src", "clastic.meta")),
        **dict(iter_modules(PACKAGES / "clastic-meta" / "src", "clastic.contrib")),
    },
    "clastic-render": dict(iter_modules(PACKAGES / "clastic-render" / "src", "clastic.render")),
    "clastic-middleware": dict(iter_modules(PACKAGES / "clastic-middleware" / "src", "clastic.middleware")),
    "clastic-static": dict(iter_modules(PACKAGES / "clastic-static" / "src", "clastic.static")),
    "clastic-errors": dict(iter_modules(PACKAGES / "clastic-errors" / "src", "clastic.errors")),
}


def test_every_core_module_has_a_layer() -> None:
    missing = sorted(set(CORE) - set(LAYER_OF))
    assert not missing, f"give these clastic-core modules a layer in LAYERS: {missing}"
    gone = sorted(set(LAYER_OF) - set(CORE))
    assert not gone, f"LAYERS lists modules that do not exist: {gone}"
    placed_twice = [module for module in LAYER_OF if sum(module in modules for _name, modules in LAYERS) > 1]
    assert not placed_twice, f"modules in more than one layer: {placed_twice}"


def test_no_core_import_points_up_a_layer() -> None:
    upward = [
        f"{edge} [{LAYERS[LAYER_OF[edge.importer]][0]} -> {LAYERS[LAYER_OF[edge.imported]][0]}]"
        for edge in CORE_IMPORTS
        if edge.importer in LAYER_OF
        and edge.imported in LAYER_OF
        and LAYER_OF[edge.imported] > LAYER_OF[edge.importer]
        and (edge.importer, edge.imported) not in UPWARD_ALLOWED
        and (edge.importer, edge.imported) not in PENDING
    ]
    assert not upward, "imports pointing up the layers:\n" + "\n".join(upward)


def test_function_local_imports_are_explained() -> None:
    explained = FUNCTION_LOCAL.keys() | PENDING.keys()
    unexplained = [
        str(edge) for edge in CORE_IMPORTS if edge.function_local and (edge.importer, edge.imported) not in explained
    ]
    assert not unexplained, (
        "move these imports to the top of the module, or give the reason in FUNCTION_LOCAL:\n" + "\n".join(unexplained)
    )


def test_the_allowlists_name_imports_that_exist() -> None:
    edges = {(edge.importer, edge.imported) for edge in CORE_IMPORTS}
    stale = sorted((set(UPWARD_ALLOWED) | set(FUNCTION_LOCAL)) - edges)
    assert not stale, f"allowlisted imports that no longer exist: {stale}"


def test_pending_imports_still_exist() -> None:
    edges = {(edge.importer, edge.imported) for edge in CORE_IMPORTS}
    done = sorted(set(PENDING) - edges)
    assert not done, f"these imports are gone: delete them from PENDING: {done}"


@pytest.mark.parametrize("distribution", sorted(DISTRIBUTIONS))
def test_no_import_cycle(distribution: str) -> None:
    modules = DISTRIBUTIONS[distribution]
    assert modules, f"no modules found for {distribution}"
    # An allowed upward import runs lazily, inside the one function that needs it, so it
    # is left out; pending ones are tolerated until they are taken out.
    tolerated = UPWARD_ALLOWED.keys() | PENDING.keys()
    imports = [edge for edge in read_imports(modules) if (edge.importer, edge.imported) not in tolerated]
    cycles = find_cycles(imports)
    assert not cycles, f"import cycles in {distribution}:\n" + "\n".join(" <-> ".join(cycle) for cycle in cycles)


#: The distributions whose import graph has no cycle even counting ``if TYPE_CHECKING:`` imports: all of them.
TYPE_CHECKING_ACYCLIC = tuple(sorted(DISTRIBUTIONS))


@pytest.mark.parametrize("distribution", TYPE_CHECKING_ACYCLIC)
def test_no_import_cycle_even_for_the_type_checker(distribution: str) -> None:
    modules = DISTRIBUTIONS[distribution]
    assert modules, f"no modules found for {distribution}"
    # As in test_no_import_cycle: the allowed upward import (Application.serve) runs lazily, in one function.
    imports = read_imports(modules, type_checking=True)
    cycles = find_cycles([edge for edge in imports if (edge.importer, edge.imported) not in UPWARD_ALLOWED])
    assert not cycles, (
        f"import cycles in {distribution} counting `if TYPE_CHECKING:` imports (annotate with a Protocol of "
        "what is used, beside the consumer or in the distribution's _types.py, instead of importing the module):\n"
        + "\n".join(" <-> ".join(cycle) for cycle in cycles)
    )


def test_the_reader_sees_what_it_must() -> None:
    # The checks above are only as good as the reader: a function-local import counts, a
    # TYPE_CHECKING one does not, "from package import submodule" points at the submodule.
    source = (
        "from typing import TYPE_CHECKING\n"
        "from clastic import errors\n"
        "import clastic.route\n"
        "if TYPE_CHECKING:\n"
        "    from clastic.application import Application\n"
        "def serve():\n"
        "    from clastic.server import serve\n"
    )
    known = {"clastic", "clastic.errors", "clastic.route", "clastic.application", "clastic.server"}
    reader = _ImportReader("clastic.probe", known)
    reader.visit(ast.parse(source))
    assert [(edge.imported, edge.function_local) for edge in reader.found] == [
        ("clastic.errors", False),
        ("clastic.route", False),
        ("clastic.server", True),
    ]
    reader = _ImportReader("clastic.probe", known, type_checking=True)
    reader.visit(ast.parse(source))
    assert [edge.imported for edge in reader.found] == [
        "clastic.errors",
        "clastic.route",
        "clastic.application",
        "clastic.server",
    ]
    edges = [Import("a", "b", 1, False), Import("b", "c", 1, True), Import("c", "a", 1, False)]
    edges += [Import("c", "d", 1, False), Import("d", "e", 1, False), Import("e", "d", 1, False)]
    assert find_cycles(edges) == [["a", "b", "c"], ["d", "e"]]


def test_clastic_types_imports_nothing_from_clastic_even_for_annotations() -> None:
    # Any module may annotate with clastic.types (the Protocols) without closing a cycle,
    # even one that only the type checker sees.
    tree = ast.parse(CORE["clastic.types"].read_text(encoding="utf-8"))
    imported = [
        node.module if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree)
        if isinstance(node, (ast.Import, ast.ImportFrom))
        for alias in node.names
    ]
    assert [name for name in imported if name and name.split(".")[0] == "clastic"] == []


def _documented_layers() -> dict[str, set[str]]:
    """Read ARCHITECTURE.md's layer table: layer name -> the modules it lists, spelled out.

    A cell lists modules in backticks; backticked names in parentheses after
    one are its submodules (``errors`` (``_base``, ``http``)); a package listed
    alone stands for all of its modules.
    """
    text = (PACKAGES.parent / "ARCHITECTURE.md").read_text(encoding="utf-8")
    section = text.split("## clastic-core's layers", 1)[1].split("\n## ", 1)[0]
    layers: dict[str, set[str]] = {}
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 2 or not cells[1].startswith("`"):
            continue
        names: set[str] = set()
        last = ""
        for name, inside in re.findall(r"`([^`]+)`|\(([^)]*)\)", cells[1]):
            if name:
                last = "clastic" if name == "clastic" else f"clastic.{name}"
                names.add(last)
            else:
                names.update(last if sub == "__init__" else f"{last}.{sub}" for sub in re.findall(r"`([^`]+)`", inside))
        layers[cells[0]] = names
    return layers


def test_architecture_md_lists_the_layers_as_they_are() -> None:
    documented = _documented_layers()
    assert list(documented) == [name for name, _modules in LAYERS], "ARCHITECTURE.md's layers, in order"
    for name, modules in LAYERS:
        listed = documented[name]
        covered = {module for module in modules if any(module == n or module.startswith(n + ".") for n in listed)}
        assert listed <= modules, f"{name}: ARCHITECTURE.md lists modules the layer lacks: {sorted(listed - modules)}"
        assert covered == modules, f"{name}: ARCHITECTURE.md leaves out {sorted(modules - covered)}"
