"""Parse, compile and build URL path patterns (the pattern mini-language).

A pattern is a path whose segments are literal text or *bindings*::

    /user/<id:int>/files/<path*>

A binding fills a whole segment and reads ``<name OP TYPE>``: OP is the arity
(``:`` exactly one segment, ``?`` zero or one, ``+`` one or more, ``*`` zero
or more; ``<name>`` means ``<name:str>``) and TYPE one of :data:`CONVERTERS`.
Multi-segment bindings inject lists, ``?`` bindings inject ``None`` when the
segment is absent.

Patterns compile to one regular expression per slash mode. In the lenient
modes (redirect, rewrite) separators may repeat and trailing slashes are
optional; in strict mode the path must match exactly.

A binding may be named like a Python keyword (``/iota/<lambda>``): such a
value reaches callables through ``**kwargs`` and ``request.path_params``.

Kept for compatibility with Clastic 26: :data:`DEFAULT_CONVS`,
:data:`TYPE_CONV_MAP`, :data:`TYPE_PATT_MAP` (read-only views of
:data:`CONVERTERS`) and :func:`build_converter`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any
from urllib.parse import quote

from clastic.exceptions import InvalidPattern, URLBuildError, did_you_mean

__all__ = [
    "ARITIES",
    "CONVERTERS",
    "DEFAULT_CONVS",
    "TYPE_CONV_MAP",
    "TYPE_PATT_MAP",
    "Binding",
    "Converter",
    "Pattern",
    "build_converter",
    "parse_pattern",
]


@dataclass(frozen=True)
class Converter:
    """How one segment's text becomes a Python value and back."""

    #: Regular expression for one segment (never matches ``/``).
    regex: str
    #: Text to value; raising ``ValueError`` means "this route does not match".
    to_python: Callable[[str], Any]
    #: Value to text, for URL building; raising ``TypeError`` or ``ValueError`` rejects it.
    to_url: Callable[[Any], str]


def _int_to_url(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"expected an int, got {value!r} ({type(value).__name__})")
    return str(value)


def _float_to_python(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # '1e999' overflows to inf
        raise ValueError(f"{text!r} is not a finite number")
    return value


def _float_to_url(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"expected a float, got {value!r} ({type(value).__name__})")
    if not math.isfinite(value):
        raise ValueError(f"expected a finite number, got {value!r}")
    return repr(float(value)) if isinstance(value, float) else str(value)


def _str_to_url(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a str, got {value!r} ({type(value).__name__})")
    if not value:
        raise ValueError("expected a non-empty string")
    if "/" in value:
        raise ValueError(f"{value!r} contains '/', which a single segment cannot carry")
    return value


_STR = Converter(r"[^/]+", str, _str_to_url)

#: Segment types by name: ``<x:int>``, ``<x:float>``, ``<x:str>`` (``unicode`` is an alias).
CONVERTERS: Mapping[str, Converter] = {
    "str": _STR,
    "unicode": _STR,
    "int": Converter(r"-?[0-9]+", int, _int_to_url),
    "float": Converter(r"-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?", _float_to_python, _float_to_url),
}

class _ConverterView(Mapping[str, Any]):
    """A read-only view of one attribute of every :data:`CONVERTERS` entry."""

    def __init__(self, attribute: str) -> None:
        self._attribute = attribute

    def __getitem__(self, type_name: str) -> Any:
        return getattr(CONVERTERS[type_name], self._attribute)

    def __iter__(self) -> Iterator[str]:
        return iter(CONVERTERS)

    def __len__(self) -> int:
        return len(CONVERTERS)

    def __repr__(self) -> str:
        return repr(dict(self))


#: Type name -> text-to-value function (``TYPE_CONV_MAP['int']('5') == 5``).
#: Kept for compatibility with Clastic 26; a read-only view of :data:`CONVERTERS`.
TYPE_CONV_MAP: Mapping[str, Callable[[str], Any]] = _ConverterView("to_python")
#: Type name -> segment regular expression. Kept for compatibility with
#: Clastic 26; a read-only view of :data:`CONVERTERS`.
TYPE_PATT_MAP: Mapping[str, str] = _ConverterView("regex")
#: ``(type name, text-to-value function, regex)`` of the built-in types.
#: Kept for compatibility with Clastic 26; use :data:`CONVERTERS`.
DEFAULT_CONVS: tuple[tuple[str, Callable[[str], Any], str], ...] = tuple(
    (name, conv.to_python, conv.regex) for name, conv in CONVERTERS.items()
)


def build_converter(
    converter: Callable[[str], Any], optional: bool = False, multi: bool = False
) -> Callable[[str | None], Any]:
    """Return the function that turns a binding's matched text into its value.

    *converter* turns one segment (``int``); *multi* bindings get a list of
    converted segments (``'/1/2'`` -> ``[1, 2]``, nothing -> ``[]``);
    *optional* ones ``None`` when nothing matched. ``ValueError`` from
    *converter* means the route does not match. The pattern compiler builds
    every binding's converter with it; also kept under this name for
    compatibility with Clastic 26.

    >>> build_converter(int, multi=True)('/1/2')
    [1, 2]
    """
    if multi:

        def convert_multi(text: str | None) -> list[Any]:
            return [converter(part) for part in (text or "").split("/") if part]

        return convert_multi

    def convert_one(text: str | None) -> Any:
        if text is None:
            if optional:
                return None
            raise ValueError("a required URL segment is missing")
        return converter(text)

    return convert_one


#: Arity operators: how many segments a binding takes.
ARITIES = {":": "one", "?": "optional", "+": "one or more", "*": "zero or more"}

_BINDING_RE = re.compile(r"<(?P<name>[A-Za-z0-9_]*)(?P<op>[^A-Za-z0-9_<>]?)(?P<type>[A-Za-z0-9_]*)>")


@dataclass(frozen=True)
class Binding:
    """One ``<name OP TYPE>`` segment of a pattern."""

    name: str
    op: str
    type_name: str
    converter: Converter = field(repr=False, compare=False)
    #: Matched text -> value (see :func:`build_converter`).
    convert: Callable[[str | None], Any] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        convert = build_converter(self.converter.to_python, optional=self.op == "?", multi=self.op in "+*")
        object.__setattr__(self, "convert", convert)

    @property
    def is_multi(self) -> bool:
        """True for ``+`` and ``*`` bindings, which inject lists."""
        return self.op in "+*"

    @property
    def is_optional(self) -> bool:
        """True when the binding may match no segment at all."""
        return self.op in "?*"

    def __str__(self) -> str:
        return f"<{self.name}{self.op}{self.type_name}>"


Segment = str | Binding


@dataclass(frozen=True)
class Pattern:
    """A parsed URL pattern, ready to compile into a matcher or build URLs."""

    #: The pattern as written, e.g. ``'/user/<id:int>/'``.
    text: str
    #: Literal strings and :class:`Binding` objects, in order.
    segments: tuple[Segment, ...]

    @property
    def is_branch(self) -> bool:
        """True when the pattern ends with a slash (``/docs/``)."""
        return self.text.endswith("/")

    @cached_property
    def bindings(self) -> tuple[Binding, ...]:
        """The bindings, in order."""
        return tuple(seg for seg in self.segments if isinstance(seg, Binding))

    @cached_property
    def fields(self) -> tuple[str, ...]:
        """The names this pattern injects."""
        return tuple(b.name for b in self.bindings)

    @property
    def literal_prefix(self) -> tuple[str, ...]:
        """The literal segments before the first binding (used to index routes)."""
        prefix = []
        for seg in self.segments:
            if isinstance(seg, Binding):
                break
            prefix.append(seg)
        return tuple(prefix)

    def with_prefix(self, prefix: str) -> Pattern:
        """Return this pattern mounted under *prefix* (``'/api'`` + ``'/x'``)."""
        prefix = prefix.rstrip("/")
        if not prefix:
            return self
        return parse_pattern(prefix + self.text)

    def regex(self, strict: bool) -> re.Pattern[str]:
        """Compile the matcher for one slash mode.

        >>> parse_pattern('/a/<x:int>').regex(strict=False).pattern
        '^/+a/+(?P<x>-?[0-9]+)/*$'
        """
        return re.compile(self._regex_source(strict, 0))

    def shape_regex(self, strict: bool) -> re.Pattern[str]:
        """Compile a matcher shared by every pattern of this shape: :meth:`regex` with leading literals as groups.

        The leading literal segments (:attr:`literal_prefix`) become the
        first unnamed groups, ``([^/]+)``; a match is a match of this pattern
        when they equal those literals. ``/route1/<x>`` and ``/route2/<x>``
        share one compiled expression (through :func:`re.compile`'s cache),
        which keeps building many similar routes cheap.

        >>> parse_pattern('/a/<x:int>').shape_regex(strict=False).pattern
        '^/+([^/]+)/+(?P<x>-?[0-9]+)/*$'
        """
        return re.compile(self._regex_source(strict, len(self.literal_prefix)))

    def _regex_source(self, strict: bool, generic_literals: int) -> str:
        sep = "/" if strict else "/+"
        parts = ["^"]
        for index, seg in enumerate(self.segments):
            if isinstance(seg, str):
                parts.append(sep + ("([^/]+)" if index < generic_literals else re.escape(seg)))
                continue
            value = seg.converter.regex
            if seg.op == ":":
                parts.append(f"{sep}(?P<{seg.name}>{value})")
            elif seg.op == "?":
                parts.append(f"(?:{sep}(?P<{seg.name}>{value}))?")
            else:
                repeat = "+" if seg.op == "+" else "*"
                parts.append(f"(?P<{seg.name}>(?:{sep}{value}){repeat})")
        if strict:
            parts.append("/" if self.is_branch else "")
        else:
            parts.append("/*")
        parts.append("$")
        return "".join(parts)

    def convert(self, groups: Mapping[str, str | None]) -> dict[str, Any]:
        """Turn a match's groups into injected values; ``ValueError`` means no match."""
        return {binding.name: binding.convert(groups[binding.name]) for binding in self.bindings}

    def build(self, values: Mapping[str, Any]) -> str:
        """Build a path from *values*, quoting each segment.

        >>> parse_pattern('/u/<id:int>/<tags*>').build({'id': 3, 'tags': ['a b', 'c']})
        '/u/3/a%20b/c'
        """
        missing = [b.name for b in self.bindings if b.name not in values and not b.is_optional]
        extra = sorted(set(values) - set(self.fields))
        if missing or extra:
            problems = []
            if missing:
                problems.append(f"missing {missing}")
            if extra:
                problems.append(f"unexpected {extra}")
            raise URLBuildError(
                f"cannot build {self.text!r}: {' and '.join(problems)} (the pattern's fields are {list(self.fields)})"
            )
        out = []
        for seg in self.segments:
            if isinstance(seg, str):
                out.append(quote(seg, safe=""))
                continue
            value = values.get(seg.name)
            if seg.is_multi:
                items = [] if value is None else value
                if isinstance(items, (str, bytes)) or not isinstance(items, Iterable):
                    raise URLBuildError(f"cannot build {self.text!r}: {seg} takes a list of values, got {value!r}")
                items = list(items)
                if seg.op == "+" and not items:
                    raise URLBuildError(f"cannot build {self.text!r}: {seg} needs at least one value")
            else:
                items = [] if value is None and seg.op == "?" else [value]
            for item in items:
                try:
                    text = seg.converter.to_url(item)
                except (TypeError, ValueError) as ex:
                    raise URLBuildError(f"cannot build {self.text!r}: bad value for {seg}: {ex}") from None
                out.append(quote(text, safe=""))
        path = "/" + "/".join(out)
        if self.is_branch and not path.endswith("/"):
            path += "/"
        return path


def parse_pattern(text: str) -> Pattern:
    """Parse *text* into a :class:`Pattern`, raising :class:`InvalidPattern`.

    >>> [str(s) for s in parse_pattern('/a/<b+int>/').segments]
    ['a', '<b+int>']
    """
    if not isinstance(text, str):
        raise InvalidPattern(repr(text), f"expected a string, got {type(text).__name__}")
    if not text.startswith("/"):
        raise InvalidPattern(text, "URL path patterns must start with a forward slash '/'")
    if "//" in text:
        raise InvalidPattern(text, "empty segment ('//'); segments are separated by a single '/'")
    segments: list[Segment] = []
    seen: set[str] = set()
    for raw in text.strip("/").split("/"):
        if not raw:
            continue
        if "<" not in raw and ">" not in raw:
            segments.append(raw)
            continue
        binding = _parse_binding(text, raw)
        if binding.name in seen:
            raise InvalidPattern(text, f"duplicate binding {binding.name!r}")
        seen.add(binding.name)
        segments.append(binding)
    return Pattern(text, tuple(segments))


def _parse_binding(text: str, raw: str) -> Binding:
    match = _BINDING_RE.match(raw)
    if match is None or not raw.startswith("<"):
        raise InvalidPattern(text, f"segment {raw!r}: a binding '<name>' must fill a whole segment")
    if match.end() != len(raw):
        raise InvalidPattern(
            text, f"segment {raw!r}: text after the binding {match.group(0)!r}; a binding fills a whole segment"
        )
    name, op, type_name = match.group("name", "op", "type")
    if not name.isidentifier():
        raise InvalidPattern(text, f"binding name {name!r} is not a valid Python identifier")
    op = op or ":"
    if op not in ARITIES:
        expected = ", ".join(repr(o) for o in ARITIES)
        raise InvalidPattern(text, f"unknown arity operator {op!r} in {raw!r}, expected one of {expected}")
    type_name = type_name or "str"
    if type_name not in CONVERTERS:
        hint = did_you_mean(type_name, CONVERTERS)
        raise InvalidPattern(
            text, f"unknown type {type_name!r} in {raw!r}, expected one of {sorted(CONVERTERS)}.{hint}"
        )
    return Binding(name, op, type_name, CONVERTERS[type_name])
