"""Response-time statistics per route and status, and an application that shows them.

::

    stats = StatsMiddleware()
    app = Application([..., ("/_stats", create_stats_app())], middlewares=[stats])

``GET /_stats/`` then summarises, per route pattern and status, how many
requests there were and how long they took (mean, spread, quantiles, in
milliseconds), computed with ``boltons.statsutils``; ``POST /_stats/reset``
starts over. Every answer counts: 404s, other HTTP errors and uncaught
exceptions (under their class name) included, and none is changed.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from typing import Any, NamedTuple

from boltons.statsutils import Stats  # type: ignore[import-untyped]  # boltons ships no type hints

from clastic import GET, POST, Application, Middleware, Request, Response, render_basic
from clastic.errors import HTTPException, HTTPNotImplemented
from clastic.route import BoundRoute

__all__ = ["DEFAULT_QUANTILES", "Hit", "StatsMiddleware", "create_stats_app"]

#: Quantiles reported by :meth:`StatsMiddleware.get_summary`.
DEFAULT_QUANTILES = (0.25, 0.5, 0.75, 0.9, 0.95, 0.99)

#: Pattern under which requests no route matched are counted.
UNMATCHED = "(unmatched)"


class Hit(NamedTuple):
    """One request, as recorded."""

    start_time: float
    url: str
    pattern: str
    status_code: str
    duration: float
    content_type: str | None


class _Reservoir:
    """A uniform random sample of at most *capacity* hits, plus exact totals."""

    __slots__ = ("capacity", "count", "hits", "last_hit", "total_duration")

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.hits: list[Hit] = []
        self.count = 0
        self.total_duration = 0.0
        self.last_hit: Hit | None = None

    def add(self, hit: Hit, rng: random.Random) -> None:
        self.count += 1
        self.total_duration += hit.duration
        self.last_hit = hit
        if len(self.hits) < self.capacity:
            self.hits.append(hit)
            return
        index = rng.randrange(self.count)  # keep each hit with probability capacity / count
        if index < self.capacity:
            self.hits[index] = hit


class StatsMiddleware(Middleware):
    """Record the duration and status of every request, per route pattern.

    Each (pattern, status) pair keeps exact counts and a uniform random
    sample of at most *reservoir_size* hits for the timing statistics.

    Args:
        reservoir_size: Hits sampled per pattern and status.
        quantiles: Quantiles to report.
    """

    def __init__(self, reservoir_size: int = 16384, quantiles: tuple[float, ...] = DEFAULT_QUANTILES) -> None:
        if reservoir_size < 1:
            raise ValueError(f"StatsMiddleware: reservoir_size must be at least 1, got {reservoir_size!r}")
        self.reservoir_size = reservoir_size
        self.quantiles = tuple(quantiles)
        self._lock = threading.Lock()
        self._rng = random.Random()
        self._reservoirs: dict[str, dict[str, _Reservoir]] = {}

    def request(self, next: Callable[..., Any], request: Request, _route: BoundRoute) -> Any:
        """Time the rest of the chain and record its status, whatever it is."""
        start_wall, start = time.time(), time.perf_counter()
        try:
            response = next()
        except HTTPException as ex:
            self.record(request, _route, start_wall, time.perf_counter() - start, str(ex.status_code), ex.mimetype)
            raise
        except Exception as ex:  # counted under its class name, then re-raised untouched
            self.record(request, _route, start_wall, time.perf_counter() - start, type(ex).__name__, None)
            raise
        status = str(response.status_code) if isinstance(response, Response) else type(response).__name__
        mimetype = response.mimetype if isinstance(response, Response) else None
        self.record(request, _route, start_wall, time.perf_counter() - start, status, mimetype)
        return response

    def record(
        self, request: Request, route: BoundRoute, start_time: float, duration: float, status: str, content_type: str | None
    ) -> None:
        """Add one hit to the statistics."""
        pattern = UNMATCHED if route.is_null_route else route.pattern
        hit = Hit(start_time, request.url, pattern, status, duration, content_type)
        with self._lock:
            by_status = self._reservoirs.setdefault(pattern, {})
            reservoir = by_status.get(status)
            if reservoir is None:
                reservoir = by_status[status] = _Reservoir(self.reservoir_size)
            reservoir.add(hit, self._rng)

    def reset(self) -> None:
        """Forget every recorded hit."""
        with self._lock:
            self._reservoirs = {}

    def get_summary(self) -> dict[str, dict[str, dict[str, Any]]]:
        """Return ``{pattern: {status: {count, sampled, mean, min, max, ...}}}``, durations in milliseconds.

        ``count`` is exact; the timing figures come from the ``sampled`` hits.
        """
        with self._lock:
            snapshot = {
                pattern: {
                    status: (list(r.hits), r.count, r.total_duration, r.last_hit) for status, r in by_status.items()
                }
                for pattern, by_status in self._reservoirs.items()
            }
        summary: dict[str, dict[str, dict[str, Any]]] = {}
        for pattern, by_status in sorted(snapshot.items()):
            summary[pattern] = {}
            for status, (hits, count, total, last_hit) in sorted(by_status.items()):
                stats = Stats([hit.duration * 1000 for hit in hits])
                summary[pattern][status] = {
                    "count": count,
                    "sampled": len(hits),
                    "mean": stats.mean,
                    "min": stats.min,
                    "max": stats.max,
                    "std_dev": stats.std_dev,
                    "mad": stats.median_abs_dev,
                    "quantiles": {str(q): stats.get_quantile(q) for q in self.quantiles},
                    "last_hit": last_hit.start_time if last_hit else None,
                    "total_duration": total * 1000,
                }
        return summary

    def __repr__(self) -> str:
        return f"{type(self).__name__}(reservoir_size={self.reservoir_size!r})"


def _find_stats(application: Any, given: StatsMiddleware | None) -> StatsMiddleware:
    if given is not None:
        return given
    for mw in getattr(application, "middlewares", ()):
        if isinstance(mw, StatsMiddleware):
            return mw
    raise HTTPNotImplemented(
        "no StatsMiddleware is installed in this Application, so there are no statistics to show; add "
        "StatsMiddleware() to the Application's middlewares (or pass it to create_stats_app())"
    )


def create_stats_app(stats_middleware: StatsMiddleware | None = None) -> Application:
    """Return an Application showing the statistics: ``GET /`` (summary) and ``POST /reset``.

    Mount it with a tuple, e.g. ``("/_stats", create_stats_app())``. It reads
    the :class:`StatsMiddleware` given here, or else the one installed in the
    Application it is mounted in (501 when there is none).

    Args:
        stats_middleware: The middleware whose statistics to show.
    """

    def summary(_application: Any) -> dict[str, Any]:
        return _find_stats(_application, stats_middleware).get_summary()

    def reset(_application: Any) -> dict[str, Any]:
        _find_stats(_application, stats_middleware).reset()
        return {"reset": True}

    return Application([GET("/", summary, render_basic), POST("/reset", reset, render_basic)])
