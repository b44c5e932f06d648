"""Clastic 26's injection helpers, kept for compatibility.

The original ``clastic.sinter`` read signatures with boltons'
``FunctionBuilder``, injected arguments by name and generated call chains as
Python source. Applications do all of this themselves when they are built;
these functions are thin adapters over the same machinery
(``clastic._inject`` and ``clastic._chain``) for code that called them
directly:

* :func:`get_fb`, :func:`get_arg_names`: a callable's signature.
* :func:`inject`, :func:`get_callable_name`, :func:`get_callable_labels`.
* :func:`make_chain`, :func:`compile_chain`, :func:`build_chain_str`,
  :func:`chain_argspec`: a chain of functions, each taking the rest of the
  chain (``next``) first, compiled to code.
* :func:`compile_code`: compile generated source, visible in tracebacks.

New code needs none of them: give the functions to a :class:`~clastic.Route`
or a :class:`~clastic.Middleware` and the Application compiles and checks
them.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from boltons.funcutils import FunctionBuilder

from clastic._chain import _compile, compile_linear_chain
from clastic._inject import get_callable_name as get_callable_name
from clastic._inject import inject as inject
from clastic._inject import read_signature
from clastic.render.tabular import get_callable_labels as get_callable_labels

__all__ = [
    "build_chain_str",
    "chain_argspec",
    "compile_chain",
    "compile_code",
    "get_arg_names",
    "get_callable_labels",
    "get_callable_name",
    "get_fb",
    "inject",
    "make_chain",
]

_KINDS = inspect.Parameter


def get_fb(f: Callable[..., Any], drop_self: bool = True) -> FunctionBuilder:
    """Return a boltons ``FunctionBuilder`` describing *f*'s signature.

    Follows ``functools.wraps`` like injection does; a bound method's
    ``self`` is left out unless *drop_self* is false; a callable object is
    described by its ``__call__``; an object carrying ``_sinter_fb`` (a
    ``FunctionBuilder``) is trusted as is. Kept for compatibility with
    Clastic 26; ``inspect.signature`` serves new code.
    """
    given = getattr(f, "_sinter_fb", None)
    if isinstance(given, FunctionBuilder):
        return given
    if not callable(f):
        raise TypeError(f"expected a function or other callable, not: {f!r}")
    target: Any = f
    if not drop_self and inspect.ismethod(f):
        target = f.__func__
    try:
        signature = inspect.signature(target)
    except ValueError:  # a builtin without a readable signature: no arguments
        signature = inspect.Signature()
    name = getattr(f, "__name__", None) or type(f).__name__
    fields = _function_builder_fields(signature)
    return FunctionBuilder(name, doc=getattr(f, "__doc__", None) or "", module=getattr(f, "__module__", None), **fields)


def _function_builder_fields(signature: inspect.Signature) -> dict[str, Any]:
    """Return *signature* as ``FunctionBuilder`` keyword arguments (``args``, ``defaults``, ``varkw``...)."""
    fields: dict[str, Any] = {"args": [], "kwonlyargs": [], "kwonlydefaults": {}, "posonlyargs": []}
    defaults: list[Any] = []
    for param in signature.parameters.values():
        if param.kind is _KINDS.VAR_POSITIONAL:
            fields["varargs"] = param.name
        elif param.kind is _KINDS.VAR_KEYWORD:
            fields["varkw"] = param.name
        elif param.kind is _KINDS.KEYWORD_ONLY:
            fields["kwonlyargs"].append(param.name)
            if param.default is not param.empty:
                fields["kwonlydefaults"][param.name] = param.default
        else:
            fields["args"].append(param.name)
            if param.kind is _KINDS.POSITIONAL_ONLY:
                fields["posonlyargs"].append(param.name)
            if param.default is not param.empty:
                defaults.append(param.default)
    if defaults:
        fields["defaults"] = tuple(defaults)
    return fields


def get_arg_names(f: Callable[..., Any], only_required: bool = False) -> tuple[str, ...]:
    """Return the names *f* is injected by, in order (with *only_required*, those without defaults).

    ``*args`` and ``**kwargs`` are not names. Kept for compatibility with
    Clastic 26; ``BoundRoute.arg_sources`` tells where a route's names come from.

    >>> get_arg_names(lambda a, b=1, *c, d, **e: None)
    ('a', 'b', 'd')
    """
    spec = read_signature(f)
    if only_required:
        return tuple(name for name in spec.names if name in spec.required)
    return spec.names


def make_chain(
    funcs: Sequence[Callable[..., Any]],
    provides: Sequence[Sequence[str] | str],
    final_func: Callable[..., Any],
    preprovided: Sequence[str],
    inner_name: str = "next",
) -> tuple[Callable[..., Any], tuple[str, ...], tuple[str, ...]]:
    """Compile *funcs* around *final_func*; return ``(chain, args, unresolved)``.

    Each function takes the rest of the chain as its first argument, named
    *inner_name*, and calls it with the names in its entry of *provides*
    (``provides[i]`` lists what ``funcs[i]`` passes inward). *chain* is
    called with *args* as keyword arguments; *unresolved* are the required
    names that neither *preprovided* nor an outer function provides. Kept
    for compatibility with Clastic 26.

    >>> def outer(next, a):
    ...     return next(b=a * 2)
    >>> chain, args, unresolved = make_chain([outer], [['b']], lambda b: b + 1, ['a'])
    >>> chain(a=3), args, unresolved
    (7, ('a',), ())
    """
    chain, _source, args, unresolved = compile_linear_chain(funcs, provides, final_func, preprovided, inner_name)
    return chain, args, unresolved


def compile_chain(
    funcs: Sequence[Callable[..., Any]],
    provides: Sequence[Sequence[str] | str],
    final_func: Callable[..., Any],
    preprovided: Sequence[str],
    inner_name: str = "next",
) -> Callable[..., Any]:
    """Return only the compiled chain of :func:`make_chain`. Kept for compatibility with Clastic 26."""
    return compile_linear_chain(funcs, provides, final_func, preprovided, inner_name)[0]


def build_chain_str(
    funcs: Sequence[Callable[..., Any]],
    provides: Sequence[Sequence[str] | str],
    final_func: Callable[..., Any],
    preprovided: Sequence[str],
    inner_name: str = "next",
) -> str:
    """Return the Python source :func:`make_chain` generates for these functions.

    Kept for compatibility with Clastic 26, for reading; routes show theirs
    in ``BoundRoute.chain_source``.
    """
    return compile_linear_chain(funcs, provides, final_func, preprovided, inner_name)[1]


def chain_argspec(
    funcs: Sequence[Callable[..., Any]],
    provides: Sequence[Sequence[str] | str],
    final_func: Callable[..., Any],
    preprovided: Sequence[str] = (),
    inner_name: str = "next",
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Return ``(args, unresolved)`` of :func:`make_chain`: what the chain takes and what nothing provides.

    Kept for compatibility with Clastic 26.
    """
    _chain, _source, args, unresolved = compile_linear_chain(funcs, provides, final_func, preprovided, inner_name)
    return args, unresolved


def compile_code(code_str: str, name: str, env: Mapping[str, Any] | None = None) -> Any:
    """Compile and run *code_str* in a copy of *env*; return what it defines as *name*.

    The source is registered in ``linecache`` under a ``<clastic compiled
    NAME #N>`` file name so tracebacks show it. Kept for compatibility with
    Clastic 26.

    >>> compile_code('def double(x):\\n    return 2 * x\\n', 'double')(4)
    8
    """
    namespace = dict(env or {})
    try:
        return _compile(code_str, f"clastic compiled {name}", namespace, name)
    except KeyError:
        raise NameError(f"compile_code(): the code does not define {name!r}") from None
