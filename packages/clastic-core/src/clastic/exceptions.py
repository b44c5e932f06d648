"""Errors raised while an Application is being built.

These are mistakes by the application's author, found before the first
request: an argument nothing provides, two sources for one name, a malformed
URL pattern. HTTP errors answered to clients live in :mod:`clastic.errors`.

Each class also derives from the built-in the original Clastic raised
(``NameError``, ``ValueError``, ``TypeError``), so existing ``except``
clauses keep working.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class ClasticError(Exception):
    """Base class of every build-time error Clastic raises."""


class InvalidPattern(ClasticError, ValueError):
    """A URL pattern that does not follow the pattern mini-language."""

    def __init__(self, pattern: str, reason: str) -> None:
        #: The pattern as written by the author.
        self.pattern = pattern
        #: Why it was refused.
        self.reason = reason
        super().__init__(f"invalid URL pattern {pattern!r}: {reason}")


class InvalidMethod(ClasticError, ValueError):
    """An HTTP method name Clastic does not know."""


class InvalidEndpoint(ClasticError, TypeError):
    """An endpoint, render or hook that cannot be called or introspected."""


class UnresolvedArgumentError(ClasticError, NameError):
    """A callable needs an argument that no source provides."""

    def __init__(self, message: str, *, name: str = "", available: Iterable[str] = ()) -> None:
        #: The argument nothing provides.
        self.arg_name = name
        #: The names that were available where it was looked for.
        self.available = tuple(sorted(available))
        super().__init__(message)


class ConflictingProvidesError(ClasticError, NameError):
    """One name is provided by two sources (URL, resources, middleware, built-ins)."""

    def __init__(self, message: str, *, conflicts: Iterable[tuple[str, tuple[str, ...]]] = ()) -> None:
        #: ``[(name, (source, source, ...)), ...]``
        self.conflicts = list(conflicts)
        super().__init__(message)


class ReservedArgumentError(ClasticError, NameError):
    """A reserved name (``next``, ``context``, ``_error``...) used where it is not allowed."""


class MiddlewareError(ClasticError, TypeError):
    """A middleware that does not follow the Middleware protocol."""


class RenderFactoryError(ClasticError, ValueError):
    """A render argument that no render factory could turn into a render function."""

    @classmethod
    def wrapping(cls, message: str, cause: BaseException) -> RenderFactoryError:
        """Return the error for a factory that raised *cause*, also an instance of *cause*'s class.

        Code written for the factory's own exception keeps catching it around
        ``Application(...)`` (``except ashes.TemplateNotFound``), as it did
        when Clastic 26 let that exception through unwrapped. The cause's
        attributes are copied; a class that cannot be combined (conflicting
        layouts) gives a plain :class:`RenderFactoryError`.
        """
        error_type = _combined_error_type(cls, type(cause))
        try:
            error = error_type(message)
        except TypeError:  # a cause class whose __new__ wants other arguments
            error_type, error = cls, cls(message)
        if error_type is not cls:
            error.__dict__.update({key: value for key, value in vars(cause).items() if key != "__notes__"})
        return error


def _init_with_message(self: BaseException, message: str) -> None:
    BaseException.__init__(self, message)


#: The combined classes made so far, one per (wrapper, cause) class pair.
_COMBINED_TYPES: dict[tuple[type[RenderFactoryError], type[BaseException]], type[RenderFactoryError]] = {}


def _combined_error_type(base: type[RenderFactoryError], cause_type: type[BaseException]) -> type[RenderFactoryError]:
    combined = _COMBINED_TYPES.get((base, cause_type))
    if combined is None:
        combined = _COMBINED_TYPES[base, cause_type] = _make_combined_error_type(base, cause_type)
    return combined


def _make_combined_error_type(
    base: type[RenderFactoryError], cause_type: type[BaseException]
) -> type[RenderFactoryError]:
    if issubclass(cause_type, base) or not issubclass(cause_type, Exception):
        return base
    namespace = {
        "__module__": base.__module__,
        "__qualname__": base.__qualname__,
        "__doc__": base.__doc__,
        # Built from the message alone, whatever the cause's class constructor takes.
        "__init__": _init_with_message,
        # The message is the wrapper's (args[0]), whatever __str__ the cause's class has.
        "__str__": BaseException.__str__,
    }
    try:
        return type(base.__name__, (base, cause_type), namespace)
    except TypeError:  # incompatible instance layouts, or a class that refuses subclasses
        return base


class URLBuildError(ClasticError, LookupError):
    """``Application.url_for`` could not build a URL from the given values."""


class UnknownResourceError(ClasticError, LookupError):
    """A resource name that the Application does not have."""


def did_you_mean(name: str, candidates: Iterable[str]) -> str:
    """Return a " Did you mean 'x'?" hint for *name*, or an empty string.

    >>> did_you_mean('dbb', ['db', 'request'])
    " Did you mean 'db'?"
    """
    candidates = [c for c in candidates if isinstance(c, str)]
    close = difflib.get_close_matches(name, candidates, n=1, cutoff=0.6)
    if not close:
        # 'first_name' -> 'name', 'database' -> 'db' is too far, 'user_db' -> 'db' is not
        contained = [c for c in candidates if len(c) >= 3 and (c in name or name in c)]
        close = sorted(contained, key=len, reverse=True)[:1]
    return f" Did you mean {close[0]!r}?" if close else ""
