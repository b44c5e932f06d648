"""RateLimitMiddleware: a token bucket per client, 429 with Retry-After when empty."""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from typing import Any

from clastic import Middleware, Request, Response
from clastic.errors import HTTPException, TooManyRequests
from clastic_ratelimit.bucket import RateLimitDecision
from clastic_ratelimit.stores import BucketStore, MemoryStore

__all__ = ["RateLimitMiddleware", "client_address"]

logger = logging.getLogger(__name__)


def client_address(request: Request) -> str:
    """Key requests by the client's address (``REMOTE_ADDR``).

    Behind a reverse proxy every request comes from the proxy: wrap the
    Application in ``werkzeug.middleware.proxy_fix.ProxyFix`` so the address
    is the client's, or pass your own *key* function.
    """
    return request.remote_addr or "unknown"


def _positive(label: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
        raise ValueError(f"RateLimitMiddleware {label} must be a positive number, got {value!r}")
    return float(value)


class RateLimitMiddleware(Middleware):
    """Limit each client to *limit* requests per *per* seconds, in bursts of up to *burst*.

    Each client (see *key*) has a bucket of *burst* tokens that refills at
    ``limit / per`` tokens a second; every request takes *cost* tokens. When
    the bucket is empty the client gets ``429 Too Many Requests`` with a
    ``Retry-After`` header (whole seconds) and the endpoint does not run.
    Used on the Application, it also counts requests that end in 404.

    Args:
        limit: Requests allowed per *per* seconds, on average.
        per: The period *limit* is counted over, in seconds.
        burst: How many requests may arrive at once; defaults to *limit*.
        key: ``key(request) -> str | None`` names the client's bucket;
            returning ``None`` exempts the request. Defaults to
            :func:`client_address`.
        store: Where buckets live: :class:`~clastic_ratelimit.MemoryStore`
            (the default, one per middleware) or
            :class:`~clastic_ratelimit.SQLiteStore` to share counts between
            processes.
        cost: Tokens each request takes.
        scope: This limiter's name in its store; limiters that share a
            store need different scopes, as it keeps their buckets apart.
        provide_as: Also inject the :class:`~clastic_ratelimit.RateLimitDecision`
            (``None`` for exempt requests) under this name.
        headers: Add ``RateLimit-Limit``, ``RateLimit-Remaining`` and
            ``RateLimit-Reset`` to responses.
        clock: Returns the current time in seconds (tests pass a fake one).
    """

    #: The clastic-core middleware protocol this class was written for.
    protocol_version = 1
    #: Limiters stack: one on the Application and a stricter one on a route
    #: (each with its own scope) both count, instead of the route's being
    #: merged into the Application's as equal middlewares are.
    unique = False

    def __init__(
        self,
        limit: float,
        per: float = 60.0,
        *,
        burst: float | None = None,
        key: Callable[[Request], str | None] = client_address,
        store: BucketStore | None = None,
        cost: float = 1,
        scope: str = "default",
        provide_as: str | None = None,
        headers: bool = True,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.limit = _positive("limit", limit)
        self.per = _positive("per", per)
        self.burst = self.limit if burst is None else _positive("burst", burst)
        self.cost = _positive("cost", cost)
        if self.cost > self.burst:
            raise ValueError(
                f"RateLimitMiddleware cost ({cost!r}) is larger than burst ({self.burst:g}), so no request could "
                "ever pass; raise burst or lower cost"
            )
        if not callable(key):
            raise TypeError(f"RateLimitMiddleware key must be a function of the request, got {key!r}")
        if store is not None and not isinstance(store, BucketStore):
            raise TypeError(
                f"RateLimitMiddleware store must implement take(), buckets(), reset() and prune() "
                f"(see clastic_ratelimit.BucketStore), got {store!r}"
            )
        if not isinstance(scope, str) or not scope:
            raise ValueError(f"RateLimitMiddleware scope must be a non-empty string, got {scope!r}")
        if provide_as is not None and (not isinstance(provide_as, str) or not provide_as.isidentifier()):
            raise ValueError(f"RateLimitMiddleware provide_as must be a valid argument name, got {provide_as!r}")
        #: Tokens gained per second.
        self.rate = self.limit / self.per
        self.key = key
        self.store: BucketStore = MemoryStore() if store is None else store
        self.scope = scope
        self.provide_as = provide_as
        self.send_headers = headers
        self.clock = clock
        #: Read by clastic-core when routes are built: what ``request`` passes to ``next``.
        self.provides = (provide_as,) if provide_as else ()  # type: ignore[misc]  # per-instance provides, by design

    def request(self, next: Callable[..., Response], request: Request) -> Response:
        """Take a token for the request's client, or answer 429."""
        client = self.key(request)
        if client is None:
            return next(**self._provided(None))
        decision = self.store.take(
            self.scope, str(client), now=self.clock(), rate=self.rate, burst=self.burst, cost=self.cost
        )
        if not decision.allowed:
            # Whole seconds, rounded up; the 1e-6 keeps float noise (1.0000000002) from adding a second.
            retry = max(1, math.ceil(decision.retry_after - 1e-6))
            logger.info(
                "rate limit %r: refused %s %s from %r, retry in %ds",
                self.scope,
                request.method,
                request.path,
                client,
                retry,
            )
            refusal = TooManyRequests(
                f"This client sent too many requests: the limit is {self.limit:g} per {self.per:g} seconds, "
                f"at most {self.burst:g} at once. Retry in {retry} seconds.",
                headers={"Retry-After": str(retry)},
            )
            self._add_headers(refusal, decision)
            return refusal
        try:
            response = next(**self._provided(decision))
        except HTTPException as ex:
            self._add_headers(ex, decision)
            raise
        self._add_headers(response, decision)
        return response

    def _provided(self, decision: RateLimitDecision | None) -> dict[str, RateLimitDecision | None]:
        return {self.provide_as: decision} if self.provide_as else {}

    def _add_headers(self, response: Response, decision: RateLimitDecision) -> None:
        if not self.send_headers:
            return
        response.headers["RateLimit-Limit"] = f"{decision.limit:g}"
        response.headers["RateLimit-Remaining"] = str(math.floor(decision.remaining))
        response.headers["RateLimit-Reset"] = str(math.ceil(decision.reset_after - 1e-6))

    def describe(self) -> dict[str, Any]:
        """Return this limiter's settings and busiest clients (JSON-serialisable).

        Used by the ``/_meta/`` peripheral; a bucket that has refilled is not
        listed.
        """
        now = self.clock()
        active = [b for b in self.store.buckets(self.scope) if b.full_at > now]
        return {
            "scope": self.scope,
            "limit": self.limit,
            "per": self.per,
            "burst": self.burst,
            "cost": self.cost,
            "key": getattr(self.key, "__qualname__", repr(self.key)),
            "store": repr(self.store),
            "active_clients": len(active),
            "clients": [
                {"key": b.key, "tokens": round(b.tokens(now), 3), "full_in": round(b.seconds_to_full(now), 3)}
                for b in active[:20]
            ],
        }

    def __repr__(self) -> str:
        return (
            f"RateLimitMiddleware({self.limit:g}, per={self.per:g}, burst={self.burst:g}, "
            f"scope={self.scope!r}, store={self.store!r})"
        )
