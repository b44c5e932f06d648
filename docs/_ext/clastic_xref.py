"""Sphinx extension: resolve the references Clastic's docstrings and type hints make.

At ``missing-reference``, a Python reference Sphinx could not resolve (about
200 ``:class:`` and ``:meth:`` roles written with short names, and
annotations that name private modules) is looked up in the reference that
``clastic_apidoc`` built: by alias (``clastic.Application``,
``clastic.meta._app.MetaApplication``), by a short name only one documented
object has, or by what the Clastic modules import under that name. Names
outside Clastic link to the standard library's or the library's own
documentation, by the rules of ``clastic_external.py``, without fetching
anything. A Clastic name that exists but is not documented (a private type
alias, an instance attribute) is shown as code without a link; a name that
exists nowhere stays a warning, which the nitpicky build turns into an error.

At ``autodoc-process-docstring`` it keeps the ``#:`` comments of data and
attributes as written (napoleon would read "Text: more" as a type and a
description) and drops the type's docstring autodoc shows for a value
without a comment.
"""

from __future__ import annotations

import ast
import functools
import importlib
import inspect
import textwrap
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.pycode import ModuleAnalyzer

from clastic_apidoc import current_reference, data_source
from clastic_external import external_url, lookup


def resolve_missing(app: Sphinx, env: Any, node: nodes.Element, contnode: nodes.Element) -> nodes.Element | None:
    """Resolve a Python reference Sphinx could not: Clastic aliases, short names, external names.

    A Clastic name that exists but has no entry in the reference (a private
    module's type alias, an instance attribute, a special method) is shown
    as code without a link; a name that does not exist stays a warning.
    """
    reference = current_reference()
    if node.get("refdomain") != "py" or reference is None:
        return None
    target = node["reftarget"].lstrip(".~")
    full = reference.resolve(target, node.get("py:module"), node.get("py:class")) or target
    domain = env.domains["py"]
    if full.startswith("clastic"):
        for role in (node["reftype"], "obj"):
            found = domain.resolve_xref(env, node["refdoc"], app.builder, role, full, node, contnode)
            if found is not None:
                return found
        if lookup(full) is not None or instance_attribute(full):
            return contnode
        return None
    url = external_url(full)
    if url is None:
        if lookup_in_context(target, node) is not None:
            return contnode
        return None
    reference = nodes.reference("", "", internal=False, refuri=url, reftitle=full)
    reference += contnode
    return reference


def lookup_in_context(target: str, node: nodes.Element) -> Any:
    """Find a name (``_Page``, ``self.cap``) in the module or class the reference was written in."""
    module = node.get("py:module")
    if not module:
        return None
    klass = node.get("py:class")
    found = lookup(f"{module}.{target}")
    if found is None and klass:
        found = lookup(f"{module}.{klass}.{target}")
        if found is None and instance_attribute(f"{module}.{klass}.{target}"):
            found = True
    return found


def instance_attribute(dotted: str) -> bool:
    """True when *dotted* is ``<class>.<name>`` and the class's methods assign ``self.<name>``."""
    owner, _, attr = dotted.rpartition(".")
    cls = lookup(owner)
    return inspect.isclass(cls) and any(attr in assigned_attributes(klass) for klass in cls.__mro__)


@functools.cache
def assigned_attributes(klass: type) -> frozenset[str]:
    """The ``self.<name>`` a Clastic class assigns anywhere in its body, and its ``__slots__``."""
    if not klass.__module__.startswith("clastic"):
        return frozenset()
    names = set(getattr(klass, "__slots__", ()))
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(klass)))
    except (OSError, TypeError, SyntaxError):
        return frozenset(names)
    for sub in ast.walk(tree):
        if (
            isinstance(sub, ast.Attribute)
            and isinstance(sub.ctx, ast.Store)
            and isinstance(sub.value, ast.Name)
            and sub.value.id == "self"
        ):
            names.add(sub.attr)
    return frozenset(names)


_STASHED: dict[tuple[str, str], list[str]] = {}


def stash_attribute_doc(app: Sphinx, what: str, name: str, obj: Any, options: Any, lines: list[str]) -> None:
    """Before napoleon: keep data and attribute docs as written, and drop a type's docstring shown for a value.

    Napoleon reads "The everyday render: see ..." as a type followed by a
    description; Clastic's ``#:`` comments are prose. A value with no ``#:``
    comment of its own would show its type's docstring (``dict``'s): use the
    comment where the value is defined, or nothing.
    """
    if what not in ("data", "attribute", "property"):
        return
    if what == "data":
        # A value's own __doc__ is its type's (dict's, a GenericAlias's...):
        # a module-level name is documented by its ``#:`` comment only.
        lines[:] = defining_comment(name) or []
    elif what == "attribute" and obj is not None and not inspect.isclass(obj):
        type_doc = inspect.getdoc(type(obj)) or ""
        if type_doc and "\n".join(lines).strip() == type_doc.strip():
            lines[:] = []
    _STASHED[(what, name)] = list(lines)


def restore_attribute_doc(app: Sphinx, what: str, name: str, obj: Any, options: Any, lines: list[str]) -> None:
    """After napoleon: put data and attribute docs back as they were written."""
    kept = _STASHED.pop((what, name), None)
    if kept is not None:
        lines[:] = kept


def defining_comment(dotted: str) -> list[str] | None:
    """The ``#:`` comment of a module-level name, read where the name is assigned (following imports)."""
    modname, _, attr = dotted.rpartition(".")
    for _ in range(5):
        try:
            analyzer = ModuleAnalyzer.for_module(modname)
            analyzer.analyze()
        except Exception:  # no source: no comment
            return None
        docs = analyzer.attr_docs.get(("", attr))
        if docs:
            return [line for line in docs if line is not None]
        source = data_source(importlib.import_module(modname), attr)
        if not source or not source.startswith("clastic"):
            return None
        modname = source
    return None


def setup(app: Sphinx) -> dict[str, Any]:
    app.setup_extension("clastic_apidoc")
    app.connect("missing-reference", resolve_missing)
    app.connect("autodoc-process-docstring", stash_attribute_doc, priority=400)
    app.connect("autodoc-process-docstring", restore_attribute_doc, priority=600)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
