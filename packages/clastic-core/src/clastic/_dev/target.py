"""Find the Application a command-line argument names.

The ``clastic`` commands take an application *target*:

* ``MODULE:NAME`` -- an :class:`~clastic.Application` held by a module
  attribute (dotted attribute paths such as ``site:apps.public`` work too);
* ``MODULE:FACTORY()`` -- a function that returns one, called with Python
  literal arguments only (``'shop:create_app("dev", debug=True)'``);
* ``MODULE`` alone -- the module's ``app`` or ``application``, else its
  ``create_app()`` or ``make_app()``;
* ``path/to/file.py[:NAME]`` -- a file, imported as a module from its folder.

Two kinds of failure are kept apart. :class:`TargetError` means the target
itself is wrong (no such module or attribute, not an Application): a one-line
message the user can act on. :class:`AppLoadError` means the application's
own code failed while it was imported or built (a ``SyntaxError``, an
``ImportError`` inside the module, a build-time ``NameError``); it carries the
original exception for tracebacks and the fail-safe page.
"""

from __future__ import annotations

import ast
import contextvars
import importlib
import importlib.util
import os
import pkgutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from clastic._dev.introspect import error_location
from clastic.application import Application
from clastic.exceptions import did_you_mean

__all__ = ["AppLoadError", "Target", "TargetError", "importing_target", "load_target", "parse_target"]

#: Module attributes tried, in order, when a target names no attribute.
DEFAULT_NAMES = ("app", "application")
#: Factories called, in order, when a target names no attribute and no default name matched.
DEFAULT_FACTORIES = ("create_app", "make_app")

# True while a command imports the target module: an ``app.serve()`` left at
# module level (the README's hello world has one) must not start a server then.
_IMPORTING: contextvars.ContextVar[str | None] = contextvars.ContextVar("clastic_importing_target", default=None)


class TargetError(ValueError):
    """The application target given on the command line is wrong; the message is one line."""


class AppLoadError(Exception):
    """The application's own code raised while it was imported or built.

    Attributes:
        target: The target as given.
        original: The exception the application's code raised.
    """

    def __init__(self, target: str, stage: str, original: BaseException) -> None:
        self.target = target
        self.stage = stage
        self.original = original
        where = error_location(original)
        at = f" ({where})" if where else ""
        first_line = (str(original).strip().splitlines() or [""])[0]
        super().__init__(f"{stage} {target!r} failed{at}: {type(original).__name__}: {first_line}")


@dataclass(frozen=True)
class Target:
    """A parsed ``MODULE:APP`` target."""

    #: The target as given.
    text: str
    #: The module to import, e.g. ``'shop.web'``.
    module: str
    #: The attribute expression after the colon, or ``None`` for the defaults.
    expression: str | None
    #: The folder to put first on ``sys.path`` (a file target's folder), or ``None``.
    path_entry: str | None = None


def parse_target(text: str) -> Target:
    """Parse a target string, raising :class:`TargetError` for malformed ones.

    >>> parse_target("shop.web:create_app()")
    Target(text='shop.web:create_app()', module='shop.web', expression='create_app()', path_entry=None)
    """
    if not isinstance(text, str) or not text.strip():
        raise TargetError("no application given: pass MODULE:APP, for example 'hello:app' or 'shop:create_app()'")
    module_part, sep, after_colon = text.strip().partition(":")
    expression = after_colon.strip() if sep else None
    if sep and not expression:
        raise TargetError(f"{text!r} names no attribute after ':'; write MODULE:APP, for example 'hello:app'")
    path_entry = None
    if module_part.endswith(".py") or os.sep in module_part or "/" in module_part:
        path = os.path.abspath(module_part)
        if not os.path.isfile(path):
            raise TargetError(f"no such file: {module_part!r} (the application target {text!r})")
        if not path.endswith(".py"):
            raise TargetError(f"{module_part!r} is not a .py file; pass a Python file or a module name")
        path_entry = os.path.dirname(path)
        module_part = os.path.splitext(os.path.basename(path))[0]
    if not all(part.isidentifier() for part in module_part.split(".")):
        raise TargetError(
            f"{module_part!r} is not a module name (in {text!r}); write MODULE:APP, for example 'hello:app'"
        )
    return Target(text.strip(), module_part, expression, path_entry)


def in_target_import() -> str | None:
    """Return the target being imported by a ``clastic`` command, or ``None``."""
    return _IMPORTING.get()


@contextmanager
def importing_target(text: str) -> Iterator[None]:
    """Mark the current context as importing *text* (see :func:`in_target_import`)."""
    token = _IMPORTING.set(text)
    try:
        yield
    finally:
        _IMPORTING.reset(token)


def load_target(text: str, *, wrap_errors: bool = True) -> Application:
    """Import and build the Application that *text* names.

    Args:
        text: ``MODULE:NAME``, ``MODULE:FACTORY(...)``, ``MODULE`` or a ``.py`` path.
        wrap_errors: Raise :class:`AppLoadError` for exceptions from the
            application's code; with ``False`` they propagate unchanged (the
            reloader's server process wants the real traceback).

    Raises:
        TargetError: The target is wrong (unknown module or attribute, not an Application).
        AppLoadError: The application's code raised (only with *wrap_errors*).
    """
    target = parse_target(text)
    _prepare_sys_path(target)
    module = _import_module(target, wrap_errors)
    with importing_target(target.text):
        obj = _resolve(module, target, wrap_errors)
    if not isinstance(obj, Application):
        if callable(obj) and target.expression and not target.expression.endswith(")"):
            hint = f"if it is a factory, call it: '{target.module}:{target.expression}()'"
        else:
            hint = "point at an Application (MODULE:app) or a function returning one (MODULE:create_app())"
        raise TargetError(f"{target.text!r} is {_describe(obj)}, not a clastic Application; {hint}")
    return obj


def _prepare_sys_path(target: Target) -> None:
    # Console scripts do not put the current directory on sys.path; `python -m` does.
    # Users expect `clastic serve hello:app` to find ./hello.py, so add it.
    entries = [target.path_entry] if target.path_entry else []
    entries.append(os.getcwd())
    for entry in reversed(entries):
        if entry not in sys.path:
            sys.path.insert(0, entry)


def _import_module(target: Target, wrap_errors: bool) -> ModuleType:
    name = target.module
    with importing_target(target.text):
        try:
            spec = importlib.util.find_spec(name)
        except ModuleNotFoundError as ex:
            if ex.name and (name == ex.name or name.startswith(ex.name + ".")):  # a parent package is missing
                spec = None
            elif wrap_errors:
                raise AppLoadError(target.text, "importing", ex) from ex
            else:
                raise
        except Exception as ex:  # a parent package's own code raised; reported, or re-raised as is
            if wrap_errors:
                raise AppLoadError(target.text, "importing", ex) from ex
            raise
        if spec is None:
            near = did_you_mean(name, [info.name for info in pkgutil.iter_modules([os.getcwd()])])
            raise TargetError(f"cannot find module {name!r} (searched the current directory and sys.path).{near}")
        try:
            return importlib.import_module(name)
        except Exception as ex:  # the application's code raised while importing; reported, or re-raised as is
            if wrap_errors:
                raise AppLoadError(target.text, "importing", ex) from ex
            raise


def _resolve(module: ModuleType, target: Target, wrap_errors: bool) -> Any:
    if target.expression is None:
        return _resolve_default(module, target, wrap_errors)
    try:
        node = ast.parse(target.expression, mode="eval").body
    except SyntaxError:
        raise TargetError(
            f"cannot read {target.expression!r} (in {target.text!r}); "
            "expected an attribute name like 'app' or a call like 'create_app()'"
        ) from None
    if isinstance(node, ast.Call):
        func = _lookup(module, target, _dotted_name(node.func, target))
        args, kwargs = _literal_arguments(node, target)
        if not callable(func):
            raise TargetError(
                f"{target.text!r}: {_dotted_name(node.func, target)!r} is {_describe(func)}, which cannot be called"
            )
        return _call_factory(func, args, kwargs, target, wrap_errors)
    return _lookup(module, target, _dotted_name(node, target))


def _resolve_default(module: ModuleType, target: Target, wrap_errors: bool) -> Any:
    for name in DEFAULT_NAMES:
        obj = getattr(module, name, None)
        if isinstance(obj, Application):
            return obj
    for name in DEFAULT_FACTORIES:
        func = getattr(module, name, None)
        if callable(func):
            return _call_factory(func, (), {}, target, wrap_errors)
    found = sorted(name for name, value in vars(module).items() if isinstance(value, Application))
    if len(found) == 1:
        return getattr(module, found[0])
    if found:
        raise TargetError(
            f"module {target.module!r} holds several Applications ({', '.join(found)}); "
            f"name one: '{target.module}:{found[0]}'"
        )
    raise TargetError(
        f"module {target.module!r} has no Application: no {' or '.join(DEFAULT_NAMES)} attribute and no "
        f"{'() or '.join(DEFAULT_FACTORIES)}() factory; name one: '{target.module}:NAME'"
    )


def _dotted_name(node: ast.expr, target: Target) -> str:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        raise TargetError(
            f"cannot use {target.expression!r} (in {target.text!r}); "
            "expected an attribute name like 'app' or a call like 'create_app()'"
        )
    parts.append(node.id)
    return ".".join(reversed(parts))


def _lookup(module: ModuleType, target: Target, dotted: str) -> Any:
    obj: Any = module
    parts = dotted.split(".")
    for index, part in enumerate(parts):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            owner = f"module {target.module!r}" if index == 0 else repr(f"{target.module}:{'.'.join(parts[:index])}")
            names = [name for name in dir(obj) if not name.startswith("__")]
            raise TargetError(f"{owner} has no attribute {part!r}.{did_you_mean(part, names)}") from None
    return obj


def _literal_arguments(node: ast.Call, target: Target) -> tuple[tuple[Any, ...], dict[str, Any]]:
    try:
        args = tuple(ast.literal_eval(arg) for arg in node.args)
        kwargs: dict[str, Any] = {}
        for keyword in node.keywords:
            if keyword.arg is None:
                raise ValueError("**kwargs")
            kwargs[keyword.arg] = ast.literal_eval(keyword.value)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):  # literal_eval's ways of refusing
        raise TargetError(
            f"the arguments in {target.expression!r} must be Python literals "
            "(strings, numbers, True/False/None, lists, dicts)"
        ) from None
    return args, kwargs


def _call_factory(func: Any, args: tuple[Any, ...], kwargs: dict[str, Any], target: Target, wrap_errors: bool) -> Any:
    try:
        return func(*args, **kwargs)
    except Exception as ex:  # the application's factory raised; reported, or re-raised as is
        if wrap_errors:
            raise AppLoadError(target.text, "building", ex) from ex
        raise


def _describe(obj: Any) -> str:
    if obj is None:
        return "None"
    if isinstance(obj, ModuleType):
        return f"the module {obj.__name__!r}"
    if isinstance(obj, type):
        return f"the class {obj.__qualname__!r}"
    if callable(obj) and hasattr(obj, "__qualname__"):
        return f"the function {obj.__qualname__!r}"
    return f"a {type(obj).__name__}"
