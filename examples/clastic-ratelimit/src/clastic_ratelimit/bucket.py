"""The token bucket, kept as one number per client: the time it is full again.

A bucket holds up to ``burst`` tokens and gains ``rate`` tokens a second; a
request takes ``cost`` tokens or is refused. Storing "when will this bucket
be full" instead of "how many tokens, as of when" makes the state a single
timestamp (the generic cell rate algorithm), so a bucket that has refilled
needs no storage at all and stores can drop it.

>>> decision, full_at = take_tokens(None, now=100.0, rate=1.0, burst=2.0, cost=1.0)
>>> decision.allowed, decision.remaining, full_at
(True, 1.0, 101.0)
>>> decision, _ = take_tokens(102.0, now=100.0, rate=1.0, burst=2.0, cost=1.0)
>>> decision.allowed, decision.retry_after
(False, 1.0)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["Bucket", "RateLimitDecision", "take_tokens"]


@dataclass(frozen=True)
class RateLimitDecision:
    """The outcome of one request against its client's bucket."""

    #: Whether the request may proceed.
    allowed: bool
    #: Tokens left in the bucket after this request (before it, when refused).
    remaining: float
    #: Bucket capacity: how many requests may come at once.
    limit: float
    #: Seconds until the request could pass (0 when allowed).
    retry_after: float
    #: Seconds until the bucket is full again.
    reset_after: float


@dataclass(frozen=True)
class Bucket:
    """One client's bucket as a store keeps it."""

    #: The limiter's name (several limiters can share one store).
    scope: str
    #: The client key, e.g. its address.
    key: str
    #: Time (seconds since the epoch) at which the bucket is full again.
    full_at: float
    #: Tokens gained per second, as of the last request.
    rate: float
    #: Capacity, as of the last request.
    burst: float

    def tokens(self, now: float) -> float:
        """Return the tokens in the bucket at *now*."""
        return max(0.0, self.burst - max(0.0, self.full_at - now) * self.rate)

    def seconds_to_full(self, now: float) -> float:
        """Return how long until the bucket is full (0 if it already is)."""
        return max(0.0, self.full_at - now)


def take_tokens(
    full_at: float | None, *, now: float, rate: float, burst: float, cost: float
) -> tuple[RateLimitDecision, float]:
    """Take *cost* tokens from a bucket that is full at *full_at*.

    Args:
        full_at: When the bucket is full again; ``None`` for a bucket never used.
        now: The current time, in seconds.
        rate: Tokens gained per second.
        burst: The bucket's capacity.
        cost: Tokens this request needs.

    Returns:
        The decision and the bucket's new ``full_at`` (unchanged when refused).
    """
    start = now if full_at is None else max(full_at, now)
    deficit = (start - now) * rate
    wanted = deficit + cost
    # full_at was rounded to a float near 1.7e9 (steps of ~2.4e-7 s): at high
    # rates half a step is a visible fraction of a token, so allow one step.
    tolerance = math.ulp(max(start, 1.0)) * rate + 1e-9
    if wanted <= burst + tolerance:
        new_full_at = now + wanted / rate
        remaining = max(0.0, burst - wanted)
        return RateLimitDecision(True, remaining, burst, 0.0, new_full_at - now), new_full_at
    retry_after = (wanted - burst) / rate
    decision = RateLimitDecision(False, max(0.0, burst - deficit), burst, retry_after, start - now)
    return decision, start if full_at is not None else now
