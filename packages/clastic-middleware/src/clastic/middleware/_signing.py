"""Secret keys, key rotation and cookie attributes shared by the signing middlewares.

Cookies, session ids and CSRF tokens are signed with itsdangerous using
HMAC-SHA256. A list of keys rotates them: the first key signs, every key
verifies. (itsdangerous signs with the *last* key of its list, so the list
is reversed before it is handed over.)
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from itsdangerous import Signer, TimestampSigner, URLSafeSerializer, URLSafeTimedSerializer

__all__ = [
    "SAMESITE_VALUES",
    "Clock",
    "ClockedTimestampSigner",
    "check_clock",
    "check_cookie_name",
    "check_samesite",
    "epoch",
    "make_serializer",
    "make_signer",
    "make_timed_serializer",
    "normalize_keys",
    "to_seconds",
]

logger = logging.getLogger(__name__)

#: Accepted ``SameSite`` values; ``None`` leaves the attribute out.
SAMESITE_VALUES = ("Lax", "Strict", "None")

SecretKey = str | bytes

#: What the middlewares' ``clock=`` argument takes: a function returning the
#: current time in seconds since the epoch, ``time.time`` by default. Tests
#: pass a fake one to check expiry without waiting.
Clock = Callable[[], float]


def normalize_keys(
    secret_key: SecretKey | Sequence[SecretKey] | None, *, owner: str, log: logging.Logger = logger
) -> tuple[list[bytes], bool]:
    """Return ``(keys newest first, generated)`` from a key or a list of keys.

    With no key, a random one is generated and a warning is logged: what it
    signs becomes invalid when the process restarts, and differs between
    worker processes.

    Args:
        secret_key: A key, a list of keys (the first signs, all verify), or ``None``.
        owner: The middleware, for messages.
        log: Where to log the warning (the middleware module's logger).
    """
    if secret_key is None:
        log.warning(
            "%s has no secret_key: using a random key, so what it signs becomes invalid when this process "
            "restarts and is not accepted by other worker processes; pass secret_key=... (for example read "
            "from your configuration file)",
            owner,
        )
        return [secrets.token_bytes(32)], True
    raw: Sequence[SecretKey] = [secret_key] if isinstance(secret_key, (str, bytes)) else list(secret_key)
    keys: list[bytes] = []
    for key in raw:
        if isinstance(key, str):
            key = key.encode("utf-8")
        if not isinstance(key, bytes):
            raise TypeError(f"{owner}: secret keys must be str or bytes, got {type(key).__name__}")
        if not key:
            raise ValueError(f"{owner}: a secret key is empty; use a long random value such as secrets.token_hex(32)")
        keys.append(key)
    if not keys:
        raise ValueError(f"{owner}: secret_key is an empty list; give at least one key (the first one signs)")
    return keys, False


def _signer_kwargs() -> dict[str, Any]:
    return {"digest_method": hashlib.sha256, "key_derivation": "hmac"}


def make_serializer(keys: list[bytes], salt: str) -> URLSafeSerializer:
    """A JSON serializer signing with ``keys[0]`` and verifying with all of them."""
    return URLSafeSerializer(list(reversed(keys)), salt=salt, signer_kwargs=_signer_kwargs())


class ClockedTimestampSigner(TimestampSigner):
    """itsdangerous' ``TimestampSigner`` reading the time from *clock* instead of ``time.time``."""

    def __init__(self, *args: Any, clock: Clock = time.time, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.clock = clock

    def get_timestamp(self) -> int:
        """Return the clock's time in whole seconds, as itsdangerous signs and checks it."""
        return int(self.clock())


def make_timed_serializer(keys: list[bytes], salt: str, *, clock: Clock = time.time) -> URLSafeTimedSerializer:
    """Like :func:`make_serializer`, with a signing timestamp checked by ``loads(max_age=...)``.

    Timestamps are read from *clock* when signing and when checking the age.
    """
    signer_kwargs = {**_signer_kwargs(), "clock": clock}
    return URLSafeTimedSerializer(
        list(reversed(keys)), salt=salt, signer=ClockedTimestampSigner, signer_kwargs=signer_kwargs
    )


def make_signer(keys: list[bytes], salt: str) -> Signer:
    """A signer for plain strings (session ids) with the same key rules."""
    return Signer(list(reversed(keys)), salt=salt, **_signer_kwargs())


def check_samesite(samesite: str | None, secure: bool, *, owner: str) -> str | None:
    """Validate a ``SameSite`` value; ``'None'`` requires ``secure=True`` (browsers drop it otherwise)."""
    if samesite is None:
        return None
    for value in SAMESITE_VALUES:
        if str(samesite).lower() == value.lower():
            if value == "None" and not secure:
                raise ValueError(
                    f"{owner}: samesite='None' requires secure=True, or browsers reject the cookie; "
                    "set secure=True (and serve over HTTPS) or use samesite='Lax'"
                )
            return value
    raise ValueError(f"{owner}: samesite must be one of {list(SAMESITE_VALUES)} or None, got {samesite!r}")


def check_clock(clock: object, *, owner: str) -> Clock:
    """Return *clock* if it is callable, else raise ``TypeError`` naming *owner*."""
    if not callable(clock):
        raise TypeError(
            f"{owner}: clock must be a function returning the time in seconds, such as time.time, got {clock!r}"
        )
    return clock


def to_seconds(value: float | timedelta | None, *, owner: str, what: str) -> float | None:
    """Return a duration in seconds from a number or ``timedelta``; ``None`` stays ``None``."""
    if value is None:
        return None
    if isinstance(value, timedelta):
        seconds = value.total_seconds()
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        seconds = float(value)
    else:
        raise TypeError(f"{owner}: {what} must be a number of seconds or a timedelta, got {value!r}")
    if seconds <= 0:
        raise ValueError(f"{owner}: {what} must be positive, got {value!r}")
    return seconds


def epoch(value: datetime) -> float:
    """Seconds since the epoch for a timezone-aware datetime; naive ones are refused."""
    if value.tzinfo is None:
        raise ValueError(f"expected a timezone-aware datetime, got naive {value!r}; use datetime.now(timezone.utc)")
    return value.timestamp()


_COOKIE_NAME = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")


def check_cookie_name(name: object, *, owner: str) -> str:
    """Return *name* if it is a valid cookie name (an HTTP token), else raise ``ValueError``."""
    if not isinstance(name, str) or not _COOKIE_NAME.fullmatch(name):
        raise ValueError(
            f"{owner}: cookie name {name!r} is not a valid cookie name; use letters, digits and '_' or '-' "
            "(no spaces, '=', ';' or quotes)"
        )
    return name
