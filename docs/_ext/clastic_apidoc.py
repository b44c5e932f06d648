"""Sphinx extension: Clastic's API reference and changelog pages, and the map of its names.

At ``builder-inited`` it writes, for every distribution under ``packages/``:

* ``api/<distribution>.rst``: what the distribution is, how to install it, and
  a table of contents of its public modules;
* ``api/<module>.rst`` for every public module (no path component starting
  with ``_``): the module docstring, then each public name the module is the
  *canonical* home of, then the names it re-exports from elsewhere, linked;
* ``changelog/<distribution>.md``: the distribution's ``CHANGELOG.md`` with
  its links between changelogs pointed at the generated pages.

A module's public names are its ``__all__``, or without one, what it defines
or re-exports explicitly (``from x import y as y``) without a leading
underscore. A name defined in a private module (``clastic.meta._app``) is
documented in the public module that exports it, closest in the package
tree. Files are rewritten only when their text changes, so ``sphinx-autobuild``
does not loop.

The :class:`Reference` it builds also maps every name that leads to a
documented object (``clastic.Application``, ``clastic.application.Application``,
``clastic.meta._app.MetaApplication``, a short name only one object has) to
where it is documented; ``clastic_xref.py`` resolves the docstrings'
references with it.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import logging as std_logging
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.util import logging

from clastic_external import external_url, lookup

LOG = logging.getLogger(__name__)
HERE = Path(__file__).resolve().parent
DOCS = HERE.parent
REPO = DOCS.parent
PACKAGES = REPO / "packages"
#: The order distributions are listed in, the meta-package last.
DIST_ORDER = [
    "clastic-core",
    "clastic-middleware",
    "clastic-render",
    "clastic-static",
    "clastic-meta",
    "clastic-errors",
    "clastic",
]
#: Modules whose classes a docstring may name without their module.
BARE_NAMESPACES = ("werkzeug.test", "werkzeug.wrappers", "werkzeug.datastructures", "werkzeug.exceptions")
#: Bare class name -> the module of BARE_NAMESPACES that has it (filled at builder-inited).
BARE_NAMESPACES_NAMES: dict[str, str] = {}
#: The reference of the current build, set at ``builder-inited`` (see current_reference()).
_REFERENCE: Reference | None = None
#: Longest value repr shown in the reference; longer ones are left out.
MAX_VALUE_REPR = 70


@dataclass
class Distribution:
    """One ``packages/<name>`` directory: its metadata and public modules."""

    name: str
    path: Path
    version: str
    description: str
    extras: list[str]
    modules: list[str] = field(default_factory=list)


@dataclass
class ModuleDoc:
    """What one public module's page shows."""

    name: str
    dist: str
    #: (name, directive) for objects documented on this page.
    own: list[tuple[str, str]] = field(default_factory=list)
    #: (name, canonical target or None, external label) for re-exports.
    aliases: list[tuple[str, str | None, str]] = field(default_factory=list)


def module_name(src: Path, path: Path) -> str | None:
    """The dotted name of a public module file, or None for a private one."""
    parts = list(path.relative_to(src).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    if not parts or any(part.startswith("_") for part in parts):
        return None
    return ".".join(parts)


def discover() -> list[Distribution]:
    """Every distribution under packages/, with its public modules."""
    dists = []
    for pyproject in PACKAGES.glob("*/pyproject.toml"):
        project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
        dist = Distribution(
            name=project["name"],
            path=pyproject.parent,
            version=project["version"],
            description=project.get("description", ""),
            extras=sorted(project.get("optional-dependencies", {})),
        )
        src = pyproject.parent / "src"
        if src.is_dir():
            names = {module_name(src, path) for path in src.rglob("*.py")}
            dist.modules = sorted(name for name in names if name)
        dists.append(dist)
    order = {name: index for index, name in enumerate(DIST_ORDER)}
    return sorted(dists, key=lambda d: (order.get(d.name, len(order)), d.name))


def explicit_names(module: Any) -> list[str]:
    """A module's public names when it has no ``__all__``: defined here, or re-exported as themselves."""
    source = inspect.getsource(module)
    names: list[str] = []
    for node in ast.parse(source).body:
        names.extend(defined_names(node))
        if isinstance(node, ast.ImportFrom):
            names.extend(alias.asname for alias in node.names if alias.asname and alias.asname == alias.name)
    return [name for name in dict.fromkeys(names) if not name.startswith("_")]


def public_names(module: Any) -> list[str]:
    """The names a module offers: ``__all__``, else what it defines or re-exports explicitly."""
    names = getattr(module, "__all__", None)
    if names is None:
        names = explicit_names(module)
    return [name for name in names if hasattr(module, name)]


def data_source(module: Any, name: str) -> str | None:
    """For a data name, the module it is imported from (``from m import name as name``), if any."""
    try:
        tree = ast.parse(inspect.getsource(module))
    except (OSError, TypeError):
        return None
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                if (alias.asname or alias.name) == name:
                    return node.module
    return None


def defined_names(node: ast.stmt) -> list[str]:
    """The names a module-level statement defines (functions, classes, assignments)."""
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [node.name]
    if isinstance(node, ast.Assign):
        return [target.id for target in node.targets if isinstance(target, ast.Name)]
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        return [node.target.id]
    return []


def werkzeug_names() -> dict[str, str]:
    """Werkzeug's classes, by bare name: docstrings name ``EnvironBuilder`` or ``TestResponse`` alone."""
    table: dict[str, str] = {}
    for module in BARE_NAMESPACES:
        for name, obj in vars(importlib.import_module(module)).items():
            if inspect.isclass(obj) and not name.startswith("_"):
                table.setdefault(name, module)
    return table


def is_documentable(obj: Any) -> bool:
    """Classes and functions are documented where they are defined; other values where assigned."""
    return inspect.isclass(obj) or inspect.isfunction(obj) or inspect.isbuiltin(obj)


def common_prefix(a: str, b: str) -> int:
    """How many leading dotted components two module names share."""
    count = 0
    for left, right in zip(a.split("."), b.split("."), strict=False):
        if left != right:
            break
        count += 1
    return count


def closer(candidate: str, best: str, defined_in: str) -> bool:
    """Is *candidate* a better home than *best* for an object defined in *defined_in*?

    The one sharing more of the defining module's path wins; on a tie, the
    deeper module (``clastic.application`` rather than ``clastic``).
    """
    mine, theirs = common_prefix(candidate, defined_in), common_prefix(best, defined_in)
    return mine > theirs or (mine == theirs and candidate.count(".") > best.count("."))


def find_homes(loaded: dict[str, Any], exports: dict[str, list[str]]) -> dict[int, str]:
    """Map each documented class or function (by id) to the public module that documents it.

    That is the public module it is defined in when that exports it, else the
    exporting public module that shares the longest prefix with its defining module.
    """
    homes: dict[int, str] = {}
    for modname, names in exports.items():
        for name in names:
            obj = getattr(loaded[modname], name)
            if not is_documentable(obj):
                continue
            defined_in = getattr(obj, "__module__", "") or ""
            if not defined_in.startswith("clastic"):
                continue
            best = homes.get(id(obj))
            own_home = defined_in == modname and getattr(obj, "__name__", name) == name
            if own_home or best is None or (best != defined_in and closer(modname, best, defined_in)):
                homes[id(obj)] = modname
    return homes


class Reference:
    """Everything the generated pages document, and every name that leads there."""

    def __init__(self, dists: list[Distribution]) -> None:
        self.dists = dists
        self.modules: dict[str, ModuleDoc] = {}
        #: dotted name (alias, private path, canonical) -> canonical dotted name
        self.aliases: dict[str, str] = {}
        #: short name -> canonical names with that last component
        self.short: dict[str, set[str]] = {}
        #: name -> the dotted names it is defined or imported as, across every clastic module (private too)
        self.imports: dict[str, set[str]] = {}
        self._build()
        self._read_imports()

    def _build(self) -> None:
        loaded, exports = self._load_modules()
        homes = find_homes(loaded, exports)
        for modname, names in exports.items():
            for name in names:
                obj = getattr(loaded[modname], name)
                if is_documentable(obj):
                    self._add_object(modname, name, obj, homes)
                else:
                    self._add_data(modname, name, loaded[modname], exports)
        for target in {t for t in self.aliases.values() if t.startswith("clastic")}:
            self.short.setdefault(target.rsplit(".", 1)[1], set()).add(target)
        # Names a package resolves lazily from a satellite (clastic._moved.MOVED).
        moved = getattr(loaded.get("clastic"), "_moved", None) or importlib.import_module("clastic._moved")
        for package, table in moved.MOVED.items():
            for name, (module, _dist) in table.items():
                canonical = self.aliases.get(f"{module}.{name}")
                if canonical:
                    self.aliases.setdefault(f"{package}.{name}", canonical)

    def _load_modules(self) -> tuple[dict[str, Any], dict[str, list[str]]]:
        """Import every module of every distribution: (name -> module, name -> its public names)."""
        loaded: dict[str, Any] = {}
        exports: dict[str, list[str]] = {}
        for dist in self.dists:
            for name in dist.modules:
                try:
                    loaded[name] = importlib.import_module(name)
                except ImportError as ex:
                    LOG.warning("cannot import %s for the API reference: %s", name, ex)
                    continue
                self.modules[name] = ModuleDoc(name, dist.name)
                exports[name] = public_names(loaded[name])
        return loaded, exports

    def _add_object(self, modname: str, name: str, obj: Any, homes: dict[int, str]) -> None:
        """Record the class or function *obj*, exported as *name* by *modname*."""
        doc = self.modules[modname]
        full = f"{modname}.{name}"
        defined_in = getattr(obj, "__module__", "") or ""
        if not defined_in.startswith("clastic"):
            target = f"{defined_in}.{getattr(obj, '__qualname__', name)}"
            doc.aliases.append((name, None, target))
            self.aliases.setdefault(full, target)
            return
        home = homes[id(obj)]
        canonical_name = getattr(obj, "__name__", name) if home == defined_in else name
        canonical = f"{home}.{canonical_name}"
        if home == modname and canonical_name == name:
            doc.own.append((name, self.directive_for(obj)))
        else:
            doc.aliases.append((name, canonical, ""))
        self.aliases[full] = canonical
        self.aliases[f"{defined_in}.{getattr(obj, '__qualname__', name)}"] = canonical

    def _add_data(self, modname: str, name: str, module: Any, exports: dict[str, list[str]]) -> None:
        """Record the data attribute *name* of *modname*: its own, or an alias of where it comes from."""
        doc = self.modules[modname]
        full = f"{modname}.{name}"
        source = data_source(module, name)
        if source in exports and name in exports[source]:
            doc.aliases.append((name, f"{source}.{name}", ""))
            self.aliases[full] = f"{source}.{name}"
        elif source and not source.startswith("clastic"):
            doc.aliases.append((name, None, f"{source}.{name}"))
        else:
            doc.own.append((name, "autodata"))
            self.aliases[full] = full

    def _read_imports(self) -> None:
        for dist in self.dists:
            src = dist.path / "src"
            for path in src.rglob("*.py") if src.is_dir() else ():
                try:
                    tree = ast.parse(path.read_text(encoding="utf-8"))
                except SyntaxError:
                    continue
                modname = ".".join(path.relative_to(src).with_suffix("").parts).removesuffix(".__init__")
                for statement in tree.body:
                    for local in defined_names(statement):
                        self.imports.setdefault(local, set()).add(f"{modname}.{local}")
                for node in ast.walk(tree):
                    if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                        for alias in node.names:
                            local = alias.asname or alias.name
                            self.imports.setdefault(local, set()).add(f"{node.module}.{alias.name}")

    @staticmethod
    def directive_for(obj: Any) -> str:
        if inspect.isclass(obj):
            return "autoexception" if issubclass(obj, BaseException) else "autoclass"
        return "autofunction"

    def resolve(self, target: str, module: str | None, klass: str | None) -> str | None:
        """The canonical dotted name *target* refers to, from within *module* and *klass*."""
        target = target.lstrip(".~")
        for context in (f"{module}.{klass}" if module and klass else None, module):
            if context and f"{context}.{target}" in self.aliases:
                return self.aliases[f"{context}.{target}"]
        parts = target.split(".")
        for cut in range(len(parts), 0, -1):
            head = ".".join(parts[:cut])
            if head in self.aliases:
                return ".".join([self.aliases[head], *parts[cut:]])
        parts = target.split(".")
        owners = self.short.get(parts[0], set())
        if len(owners) == 1:
            return ".".join([next(iter(owners)), *parts[1:]])
        imported = {self._through_aliases(".".join([full, *parts[1:]])) for full in self.imports.get(parts[0], ())}
        if len(imported) == 1:
            return imported.pop()
        if not imported and parts[0] in BARE_NAMESPACES_NAMES:
            imported = {f"{BARE_NAMESPACES_NAMES[parts[0]]}.{target}"}
        if len(imported) == 1:
            return imported.pop()
        if len(imported) > 1:
            # Several modules import the name from different places; fine if it is one object.
            objects = {id(lookup(full)) for full in imported}
            if len(objects) == 1 and lookup(next(iter(imported))) is not None:
                return min(imported, key=lambda full: (not full.startswith("clastic"), len(full)))
        return None

    def _through_aliases(self, full: str) -> str:
        parts = full.split(".")
        for cut in range(len(parts), 0, -1):
            head = ".".join(parts[:cut])
            if head in self.aliases:
                return ".".join([self.aliases[head], *parts[cut:]])
        return full


def current_reference() -> Reference | None:
    """The Reference of the build in progress, once ``builder-inited`` has run."""
    return _REFERENCE


def write_if_changed(path: Path, text: str) -> None:
    """Write *text* to *path* unless it already holds exactly that."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


def heading(text: str, char: str = "=") -> str:
    return f"{text}\n{char * len(text)}\n"


def value_is_short(module: Any, name: str) -> bool:
    return len(repr(getattr(module, name))) <= MAX_VALUE_REPR


def module_page(ref: Reference, doc: ModuleDoc) -> str:
    """The reStructuredText of one module's reference page."""
    module = importlib.import_module(doc.name)
    out = [heading(f"``{doc.name}``"), "", f".. automodule:: {doc.name}", "   :no-members:", ""]
    out += [f"*Distribution:* :doc:`{doc.dist}`", ""]
    for name, directive in doc.own:
        out.append(f".. {directive}:: {doc.name}.{name}")
        if directive in ("autoclass", "autoexception"):
            out += ["   :members:", "   :show-inheritance:"]
        elif directive == "autodata" and not value_is_short(module, name):
            out.append("   :no-value:")
        out.append("")
    if doc.aliases:
        out += [heading("Also importable from here", "-"), ""]
        out += [".. list-table::", "   :header-rows: 1", "", "   * - Name", "     - Documented as"]
        for name, canonical, external in doc.aliases:
            if canonical:
                target = f":py:obj:`{canonical}`"
            elif external_url(external) and lookup(external) is not None:
                target = f":py:obj:`{external}` (outside Clastic)"
            else:
                target = f"``{external}`` (outside Clastic)"
            out += [f"   * - ``{doc.name}.{name}``", f"     - {target}"]
        out.append("")
    out += moved_names_table(ref, doc.name)
    return "\n".join(out)


def moved_names_table(ref: Reference, package: str) -> list[str]:
    """The Clastic 26 names *package* resolves lazily from a satellite (``clastic._moved.MOVED``), linked."""
    table = importlib.import_module("clastic._moved").MOVED.get(package, {})
    rows = [(name, ref.aliases.get(f"{module}.{name}"), dist) for name, (module, dist) in sorted(table.items())]
    if not rows:
        return []
    out = [heading("Provided by other distributions", "-"), ""]
    out += [f"These names import from ``{package}`` when the distribution that defines them is installed;"]
    out += ["without it, the import fails with an ``ImportError`` naming the distribution to install.", ""]
    out += [".. list-table::", "   :header-rows: 1", "", "   * - Name", "     - Documented as", "     - Distribution"]
    for name, canonical, dist in rows:
        target = f":py:obj:`{canonical}`" if canonical else "(not installed here)"
        out += [f"   * - ``{package}.{name}``", f"     - {target}", f"     - ``{dist}``"]
    out.append("")
    return out


def dist_page(dist: Distribution) -> str:
    """The reStructuredText of one distribution's reference index."""
    out = [heading(dist.name), "", dist.description, ""]
    out += [f"Version {dist.version}.", ""]
    if dist.extras:
        extras = ", ".join(f"``{extra}``" for extra in dist.extras)
        out += [f"Optional extras: {extras} (see :doc:`/installation`).", ""]
    if dist.modules:
        out += [".. toctree::", "   :maxdepth: 1", ""]
        out += [f"   {name}" for name in dist.modules]
    else:
        out += ["This distribution ships no modules: it installs the other six at its own version."]
    out += ["", f"Changes: :doc:`/changelog/{dist.name}`.", ""]
    return "\n".join(out)


CHANGELOG_LINK = re.compile(r"\]\(\.\./(clastic(?:-[a-z]+)?)/CHANGELOG\.md\)")
RELATIVE_LINK = re.compile(r"\]\((?!https?:|#|mailto:)([^)]+)\)")


def changelog_page(dist: Distribution) -> str:
    """A distribution's CHANGELOG.md, with links between changelogs pointed at their pages."""
    path = dist.path / "CHANGELOG.md"
    if path.exists():
        text = path.read_text(encoding="utf-8")
    else:
        text = f"# Changelog: {dist.name}\n\nNo changes recorded yet.\n"
    text = CHANGELOG_LINK.sub(r"](\1.md)", text)

    def relative(match: re.Match[str]) -> str:
        link = match.group(1)
        if link.endswith(".md") and (DOCS / "changelog" / link).exists():
            return match.group(0)
        # Any other relative link points into the repository: show it as a path.
        return f"]({link})" if link.startswith("/") else f"](../{Path('..') / dist.path.relative_to(REPO) / link})"

    text = RELATIVE_LINK.sub(relative, text)
    return text


def generate(app: Sphinx) -> None:
    """Write the API and changelog pages (``builder-inited``)."""
    std_logging.getLogger("clastic").setLevel(std_logging.WARNING)
    dists = discover()
    BARE_NAMESPACES_NAMES.update(werkzeug_names())
    ref = Reference(dists)
    global _REFERENCE
    _REFERENCE = ref
    api = DOCS / "api"
    for dist in dists:
        write_if_changed(api / f"{dist.name}.rst", dist_page(dist))
        write_if_changed(DOCS / "changelog" / f"{dist.name}.md", changelog_page(dist))
    for doc in ref.modules.values():
        write_if_changed(api / f"{doc.name}.rst", module_page(ref, doc))


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("builder-inited", generate)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
