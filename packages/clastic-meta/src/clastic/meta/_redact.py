"""Keep secrets off the meta page: redact secret-looking keys, scrub and cut reprs.

The meta page shows resource values and middleware reprs. Anything filed under
a name that looks secret (``secret_key``, ``DB_PASSWORD``, ``apiKey``...) is
replaced by :data:`REDACTED`; inside a repr, ``name=value`` and
``'name': value`` pairs with such names (a value ends at white space or
``,``, and at ``;`` or ``&`` when another ``name=`` follows, as in
connection strings and query strings), the password part of URLs
(``postgres://user:pw@host``) and a URL's user part without a password
(``https://KEY@sentry.example/1``) are scrubbed too. Matching is by substring and
ignores case, so it errs on the side of hiding (``monkey`` contains ``key``).
"""

from __future__ import annotations

import re
import reprlib
from collections.abc import Iterable
from typing import Any

__all__ = ["REDACTED", "SECRET_WORDS", "Redactor"]

#: What a redacted value shows instead.
REDACTED = "[REDACTED]"

#: Substrings that make a key look secret (compared ignoring case).
SECRET_WORDS: tuple[str, ...] = (
    "secret",
    "pass",  # password, passwd, passphrase, smtp_pass
    "pwd",
    "token",
    "key",
    "credential",
    "auth",
    "bearer",
    "jwt",
    "cookie",
    "dsn",  # Sentry-style DSNs carry their key in the URL
    "private",
    "salt",
    "signature",
)

# An unquoted value ends at white space, a closing bracket or a comma; at ``;``
# or ``&`` only when another ``name=`` follows (connection strings, queries).
_VALUE = r"""(?P<value>b?'(?:[^'\\]|\\.)*'|b?"(?:[^"\\]|\\.)*"|(?:[^\s,;&)\]}>]|[;&](?![\w.-]+=))+)"""
# ``name=value`` (keyword-style reprs) and ``'name': value`` (dict reprs). An
# unquoted ``name: value`` is left alone: prose such as ``KeyError: 'x'`` reads so.
_PAIR = re.compile(
    r"""(?P<name>'[^'\n]*'(?=\s*:)|"[^"\n]*"(?=\s*:)|[A-Za-z_][\w.-]*(?=\s*=))"""
    r"""(?P<sep>\s*[=:]\s*)""" + _VALUE
)
# The password of ``scheme://user:password@host`` URLs.
_URL_PASSWORD = re.compile(r"(?P<head>[A-Za-z][A-Za-z0-9+.-]*://[^:/@\s'\"]*:)(?P<password>[^@\s'\"/]+)(?=@)")
# A user part with no password (``https://KEY@sentry.example/1``) is often a key itself.
_URL_USER = re.compile(r"(?P<head>[A-Za-z][A-Za-z0-9+.-]*://)(?P<user>[^:/@\s'\"]+)(?=@)")


class Redactor:
    """Decide which keys are secret and turn values into short, scrubbed text.

    Args:
        secret_words: Substrings that make a key secret, compared ignoring case.
        max_length: Longest value text shown; longer text is cut and ends with ``…``.

    >>> r = Redactor()
    >>> r.is_secret("DB_Password"), r.is_secret("db_host")
    (True, False)
    >>> r.describe({"user": "ann", "api_token": "xyz"})["text"]
    "{'api_token': [REDACTED], 'user': 'ann'}"
    """

    def __init__(self, secret_words: Iterable[str] = SECRET_WORDS, max_length: int = 80) -> None:
        words = tuple(str(word) for word in secret_words)
        if not words or not all(words):
            raise ValueError(f"secret_words must be non-empty strings, got {words!r}; for example ('secret', 'token')")
        if max_length < 8:
            raise ValueError(f"max_length must be at least 8 characters, got {max_length!r}")
        #: The substrings that make a key secret.
        self.secret_words = words
        #: Longest value text shown.
        self.max_length = max_length
        self._secret = re.compile("|".join(re.escape(word) for word in words), re.IGNORECASE)
        # Bounded containers, unbounded strings: scrub the whole text, then cut.
        self._repr = reprlib.Repr()
        self._repr.maxlevel = 4
        self._repr.maxdict = self._repr.maxlist = self._repr.maxtuple = self._repr.maxset = 20
        self._repr.maxfrozenset = self._repr.maxdeque = self._repr.maxarray = 20
        self._repr.maxstring = self._repr.maxother = self._repr.maxlong = 4000

    def is_secret(self, key: object) -> bool:
        """Return True if *key* contains one of the secret words, in any case."""
        return bool(self._secret.search(str(key)))

    def scrub(self, text: str) -> str:
        """Replace secret-looking ``name=value`` pairs and URL passwords in *text*."""

        def replace_pair(match: re.Match[str]) -> str:
            if self.is_secret(match.group("name").strip("'\"")):
                return f"{match.group('name')}{match.group('sep')}{REDACTED}"
            return match.group(0)

        text = _URL_PASSWORD.sub(lambda m: m.group("head") + REDACTED, text)
        text = _URL_USER.sub(lambda m: m.group("head") + REDACTED, text)
        return _PAIR.sub(replace_pair, text)

    def safe_repr(self, value: Any) -> str:
        """Return a bounded, scrubbed repr of *value*.

        A ``repr`` that raises shows as ``<Type instance at 0x...>``
        (:mod:`reprlib` catches it), so one broken value cannot break the page.
        """
        return self.scrub(self._repr.repr(value))

    def truncate(self, text: str) -> tuple[str, bool]:
        """Cut *text* to :attr:`max_length`; return ``(text, was_cut)``."""
        if len(text) <= self.max_length:
            return text, False
        return text[: self.max_length - 1] + "…", True

    def describe(self, value: Any, key: object = None) -> dict[str, Any]:
        """Describe *value* (filed under *key*) for display.

        Returns ``{"text", "type", "redacted", "truncated", "length"}``:
        the text is :data:`REDACTED` when *key* looks secret, otherwise the
        scrubbed repr cut to :attr:`max_length`; ``length`` is the length
        before cutting (``None`` when redacted).
        """
        type_name = f"{type(value).__module__}.{type(value).__qualname__}".removeprefix("builtins.")
        if key is not None and self.is_secret(key):
            return {"text": REDACTED, "type": type_name, "redacted": True, "truncated": False, "length": None}
        full = self.safe_repr(value)
        text, cut = self.truncate(full)
        return {"text": text, "type": type_name, "redacted": False, "truncated": cut, "length": len(full)}

    def __repr__(self) -> str:
        return f"Redactor(secret_words={self.secret_words!r}, max_length={self.max_length!r})"
