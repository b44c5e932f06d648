"""Named request values (query parameters, form fields) converted to types.

Shared by ``GetParamMiddleware`` and ``PostDataMiddleware``: both take a
name, a list of names or a ``{name: type}`` mapping, and provide each name to
endpoints. By default a missing value, or one that fails conversion, is
``None`` (the original Clastic behaviour); in strict mode either is a 400
whose body names the field and the type it expected.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from clastic.errors import BadRequest
from clastic.middleware.core import check_arg_name

__all__ = ["Field", "extract_fields", "parse_bool", "parse_fields"]

_MISSING: Any = object()

_TRUE = frozenset({"1", "true", "t", "yes", "y", "on"})
_FALSE = frozenset({"0", "false", "f", "no", "n", "off", ""})


def parse_bool(text: str) -> bool:
    """Convert ``'true'``/``'on'``/``'1'``... to True and ``'false'``/``'off'``/``'0'``/``''`` to False.

    ``bool('false')`` is True, which is never what a form means, so ``bool``
    fields use this instead. Anything else raises ``ValueError``.

    >>> parse_bool('On'), parse_bool('0')
    (True, False)
    """
    lowered = text.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ValueError(f"not a boolean: {text!r}")


@dataclass(frozen=True)
class Field:
    """One named value to read from the request."""

    #: The argument name endpoints take.
    name: str
    #: Converts the received text; ``None`` keeps the text.
    convert: Callable[[str], Any] | None
    #: The expected type, for messages (``'int'``).
    expected: str
    #: Used when the value is missing; ``_MISSING`` when there is none.
    default: Any = _MISSING
    #: The type or converter as the app author gave it (``str`` for a bare name).
    declared: Any = str

    @property
    def has_default(self) -> bool:
        """True when a default was given for this field."""
        return self.default is not _MISSING


def _expected_label(convert: Callable[[str], Any] | None) -> str:
    if convert is None or convert is str:
        return "str"
    if convert is parse_bool:
        return "bool"
    return getattr(convert, "__name__", None) or repr(convert)


def parse_fields(params: object, defaults: Mapping[str, Any] | None, *, owner: str) -> tuple[Field, ...]:
    """Normalise the ``params`` argument of the form and query middlewares.

    Args:
        params: A name (``'q'``), an iterable of names (``['q', 'page']``)
            or a mapping of names to types or converters (``{'page': int}``).
        defaults: Values for fields that are missing from the request.
        owner: The middleware's name, for messages.

    An empty mapping or iterable gives no fields (the middleware then
    provides nothing), as Clastic 26 accepted ``GetParamMiddleware({})``.

    Raises:
        TypeError: for anything else, or a mapping value that is not callable.
    """
    if isinstance(params, str):
        items: list[tuple[str, Any]] = [(params, str)]
    elif isinstance(params, Mapping):
        items = list(params.items())
        for name, convert in items:
            if not callable(convert):
                raise TypeError(
                    f"{owner}: param mapping values must be a valid type or converter function; {name!r} maps to "
                    f"{convert!r}. Use a type such as int, float, str or bool, or a function taking the text"
                )
    elif isinstance(params, Iterable):
        items = [(name, str) for name in params]
    else:
        raise TypeError(
            f"{owner}: expected a string, dict, mapping, or iterable of parameter names, got {params!r} "
            f"({type(params).__name__})"
        )
    if defaults is not None and not isinstance(defaults, Mapping):
        raise TypeError(f"{owner}: defaults must be a mapping of names to values, got {defaults!r}")
    remaining = dict(defaults or {})
    fields: list[Field] = []
    seen: set[str] = set()
    for name, convert in items:
        check_arg_name(name, owner=owner, what="parameter name")
        if name in seen:
            raise ValueError(f"{owner}: parameter {name!r} is listed twice")
        seen.add(name)
        declared = convert
        convert = parse_bool if convert is bool else (None if convert is str else convert)
        fields.append(Field(name, convert, _expected_label(convert), remaining.pop(name, _MISSING), declared))
    if remaining:
        extra = sorted(remaining)
        raise ValueError(f"{owner}: defaults given for {extra}, which are not among the parameters {sorted(seen)}")
    return tuple(fields)


def _article(label: str) -> str:
    return "an" if label[:1].lower() in "aeiou" else "a"


def extract_fields(source: Any, fields: Iterable[Field], *, strict: bool, kind: str) -> dict[str, Any]:
    """Read and convert each field from *source* (a Werkzeug ``MultiDict``).

    Args:
        source: ``request.args`` or ``request.form``.
        fields: From :func:`parse_fields`.
        strict: Raise ``BadRequest`` for a missing field without a default or a
            failed conversion, instead of providing ``None``.
        kind: What the fields are, for messages (``'query parameter'``).
    """
    values: dict[str, Any] = {}
    for field in fields:
        raw = source.get(field.name)
        if raw is None:
            if field.has_default:
                values[field.name] = field.default
            elif strict:
                raise BadRequest(
                    f"missing required {kind} {field.name!r} (expected {_article(field.expected)} {field.expected})",
                    extensions={"field": field.name, "expected": field.expected},
                )
            else:
                values[field.name] = None
            continue
        if field.convert is None:
            values[field.name] = raw
            continue
        try:
            values[field.name] = field.convert(raw)
        except (ValueError, TypeError, ArithmeticError) as ex:
            if strict:
                raise BadRequest(
                    f"{kind} {field.name!r} must be {_article(field.expected)} {field.expected}, got {raw[:64]!r}",
                    extensions={"field": field.name, "expected": field.expected},
                ) from ex
            values[field.name] = field.default if field.has_default else None
    return values
