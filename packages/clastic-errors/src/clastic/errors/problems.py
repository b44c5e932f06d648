"""Problem types: application errors with their own RFC 9457 ``type``, title and members.

Declare one class per kind of problem your API reports, on top of the HTTP
status class it answers with::

    from clastic.errors import Forbidden
    from clastic.errors.problems import Problem

    class OutOfCredit(Problem, Forbidden):
        \"\"\"The account cannot pay for this.\"\"\"

        error_type = "https://example.com/probs/out-of-credit"
        message = "You do not have enough credit."
        members = ("balance", "accounts")

    raise OutOfCredit("Your balance is 30, but that costs 50.", balance=30, accounts=["/account/12345"])

A client asking for ``application/problem+json`` gets::

    {"type": "https://example.com/probs/out-of-credit", "title": "You do not have enough credit.",
     "status": 403, "detail": "Your balance is 30, but that costs 50.", "instance": "/buy",
     "balance": 30, "accounts": ["/account/12345"]}

and the other formats (HTML, JSON, XML, text) carry the same members. The
debug error pages list every declared problem type with a link to its
``type`` URI, so the documentation of an API's errors is one click away.
Mistakes in a declaration (no status, a member that clashes with a standard
one) raise ``TypeError`` when the class is defined.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterator
from typing import Any, ClassVar

from clastic.errors import HTTPException
from clastic.exceptions import did_you_mean

__all__ = ["RESERVED_MEMBERS", "Problem", "iter_problem_types"]

#: Members RFC 9457 defines itself; a problem type cannot redefine them.
RESERVED_MEMBERS = frozenset({"type", "title", "status", "detail", "instance"})

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _init_keywords(cls: type) -> frozenset[str]:
    """Every argument name the ``__init__`` methods of *cls*'s HTTP error bases accept."""
    names: set[str] = set()
    for klass in cls.__mro__:
        if isinstance(klass, type) and issubclass(klass, HTTPException) and "__init__" in klass.__dict__:
            names.update(name for name in inspect.signature(klass.__dict__["__init__"]).parameters if name != "self")
    return frozenset(names - {"args", "kwargs"})


def _status_owner(cls: type) -> type | None:
    for klass in cls.__mro__:
        if "code" in klass.__dict__:
            return klass
    return None


class Problem(HTTPException):
    """Base for application errors that declare an RFC 9457 problem type.

    Subclass it together with the status class to answer with (``Forbidden``,
    ``Conflict``...), or set ``code``, and declare:

    * ``error_type``: the problem type URI (the RFC's ``type``);
    * ``message``: its title (the RFC's ``title``);
    * ``members``: names of the extra members an instance may carry.

    Args:
        detail: This occurrence's explanation (the RFC's ``detail``).
        **members: Values of the declared members (``balance=30``), plus any
            keyword argument of the HTTP error base (``headers=``...).

    Raises:
        TypeError: at class definition, for an invalid declaration; at
            instantiation, for an undeclared member.
    """

    #: Names of the extension members instances of this problem type carry.
    members: ClassVar[tuple[str, ...]] = ()
    # The keyword arguments of the HTTP error bases, read once per class.
    _base_keywords: ClassVar[frozenset[str]] = frozenset()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        _check_declaration(cls)

    def __init__(self, detail: str | None = None, **kwargs: Any) -> None:
        members = {name: kwargs.pop(name) for name in list(kwargs) if name in self.members}
        known = self._base_keywords
        unknown = sorted(name for name in kwargs if name not in known)
        if unknown:
            candidates = [*self.members, *sorted(known)]
            raise TypeError(
                f"{type(self).__name__}() got an undeclared member {unknown[0]!r}: problem type "
                f"{self.error_type or 'about:blank'} declares members {list(self.members)}; add it to "
                f"{type(self).__name__}.members or drop it.{did_you_mean(unknown[0], candidates)}"
            )
        extensions = dict(kwargs.pop("extensions", None) or {})
        extensions.update(members)
        super().__init__(detail=detail, extensions=extensions, **kwargs)

    def to_dict(self) -> dict[str, Any]:
        """Return ``{code, message, detail, error_type}`` plus this instance's members."""
        data = dict(self.extensions)
        data.update(super().to_dict())
        return data

    @classmethod
    def describe(cls) -> dict[str, Any]:
        """Describe this problem type: ``type``, ``title``, ``status``, ``members``, ``name``, ``doc``."""
        doc = inspect.getdoc(cls) if "__doc__" in cls.__dict__ and cls.__doc__ else ""
        return {
            "type": cls.error_type,
            "title": cls.message,
            "status": cls.code,
            "members": list(cls.members),
            "name": f"{cls.__module__}.{cls.__qualname__}",
            "doc": (doc or "").split("\n\n", 1)[0].strip(),
        }


def _check_declaration(cls: type[Problem]) -> None:
    name = cls.__name__
    error_type = cls.__dict__.get("error_type")
    if error_type is not None and (
        not isinstance(error_type, str) or not error_type.strip() or any(ch.isspace() for ch in error_type)
    ):
        raise TypeError(
            f"problem type {name}: error_type must be a URI such as 'https://example.com/probs/out-of-credit' "
            f"(no spaces), got {error_type!r}"
        )
    owner = _status_owner(cls)
    if cls.error_type and (owner is None or owner is HTTPException or owner is Problem):
        raise TypeError(
            f"problem type {name} has no HTTP status: subclass the status class it answers with, as in "
            f"'class {cls.__name__}(Problem, Forbidden)', or set code = 403 in the class body"
        )
    members = cls.members
    if isinstance(members, str) or not isinstance(members, (tuple, list)):
        raise TypeError(f"problem type {name}: members must be a tuple of names, got {members!r}")
    keywords = _init_keywords(cls)
    for member in members:
        if not isinstance(member, str) or not _IDENTIFIER.match(member):
            raise TypeError(f"problem type {name}: member names must be identifiers like 'balance', got {member!r}")
        if member in RESERVED_MEMBERS:
            raise TypeError(
                f"problem type {name}: member {member!r} is one RFC 9457 defines itself "
                f"({sorted(RESERVED_MEMBERS)}); rename it"
            )
        if member in keywords:
            raise TypeError(
                f"problem type {name}: member {member!r} clashes with the {member}= argument of "
                f"{cls.__mro__[1].__name__}(); rename it"
            )
    if len(set(members)) != len(members):
        raise TypeError(f"problem type {name}: members lists a name twice: {list(members)}")
    cls.members = tuple(members)
    cls._base_keywords = keywords


Problem._base_keywords = _init_keywords(Problem)


def iter_problem_types(base: type[Problem] = Problem) -> Iterator[type[Problem]]:
    """Yield every declared problem type under *base* that has an ``error_type``, sorted by type URI.

    Args:
        base: Where to start looking (defaults to every :class:`Problem`).
    """
    seen: dict[int, type[Problem]] = {}
    stack = list(base.__subclasses__())
    while stack:
        cls = stack.pop()
        if id(cls) in seen:
            continue
        seen[id(cls)] = cls
        stack.extend(cls.__subclasses__())
    declared = [cls for cls in seen.values() if cls.error_type]
    yield from sorted(declared, key=lambda cls: (str(cls.error_type), cls.__qualname__))
