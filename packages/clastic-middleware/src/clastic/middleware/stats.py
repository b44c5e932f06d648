"""Response-time statistics per route and status, and an application that shows them.

::

    stats = StatsMiddleware()
    app = Application([..., ("/_stats", create_stats_app())], middlewares=[stats])

``GET /_stats/`` then answers, per route pattern and status, how many
requests there were and how long they took (mean, spread, quantiles, in
milliseconds), computed with ``boltons.statsutils``::

    {"route_stats": {"/hello/<name>": {"200": {"count": 3, "mean": 0.21, ..., "0.5": 0.2, ...}}},
     "start_time_utc": "2026-12-05T10:00:00+00:00", "cur_time_utc": "2026-12-05T10:05:00+00:00"}

``POST /_stats/reset`` answers the same figures, plus ``"reset": true``, and
starts over. Every answer counts: 404s, other HTTP errors and uncaught
exceptions (under their class name) included, and none is changed.

Kept for compatibility with Clastic 26: :class:`Reservoir`,
:class:`RouteStatReservoir`, :func:`fast_randint`, :func:`get_stats_dict`
and :func:`get_and_reset_stats_dict` (the last two are the endpoints of
:func:`create_stats_app`; in new code call :meth:`StatsMiddleware.snapshot`).
"""

from __future__ import annotations

import copy
import random
import threading
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any, NamedTuple, Self

from boltons.statsutils import Stats

from clastic import GET, POST, Application, Middleware, Request, Response, render_basic
from clastic.errors import HTTPException, HTTPNotImplemented
from clastic.route import BoundRoute

__all__ = [
    "DEFAULT_QUANTILES",
    "DEFAULT_RESERVOIR_SIZE",
    "Hit",
    "Reservoir",
    "RouteStatReservoir",
    "StatsMiddleware",
    "create_stats_app",
    "fast_randint",
    "get_and_reset_stats_dict",
    "get_stats_dict",
]

#: Quantiles reported for each route and status.
DEFAULT_QUANTILES = (0.25, 0.5, 0.75, 0.9, 0.95, 0.99)

#: Hits sampled per route and status unless told otherwise.
DEFAULT_RESERVOIR_SIZE = 16384

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


def fast_randint(start: int, stop: int) -> int:
    """Return a random integer N with ``start <= N < stop``, like ``random.randrange(start, stop)``.

    Kept for compatibility with Clastic 26, whose reservoirs used it; new
    code can call ``random.randrange``. It draws from the ``random``
    module's generator, so it is not for secrets (use ``secrets``).
    """
    if stop <= start:
        raise ValueError(f"fast_randint: empty range, start={start!r} must be below stop={stop!r}")
    return start + int(random.random() * (stop - start))


class Reservoir:
    """A uniform random sample of at most *cap* of the values added, and how many were added.

    Reservoir sampling (Vitter's algorithm R): every value ever added has
    the same chance, ``cap / total_count``, of being in the sample. Not
    thread-safe by itself; :class:`StatsMiddleware` adds under a lock.
    Kept for compatibility with Clastic 26, where it was public; it is
    also what :class:`StatsMiddleware` uses.

    >>> reservoir = Reservoir(range(100), cap=10)
    >>> len(reservoir.to_list()), reservoir.total_count
    (10, 100)

    Args:
        data: Values to add at once.
        cap: Largest sample kept.
    """

    def __init__(self, data: Iterable[Any] | None = None, cap: int = DEFAULT_RESERVOIR_SIZE) -> None:
        self.cap = _check_cap(cap, owner=type(self).__name__)
        #: How many values were ever added (the sample holds at most :attr:`cap` of them).
        self.total_count = 0
        self._data: list[Any] = []
        for value in data or ():
            self.add(value)

    def add(self, value: Any) -> None:
        """Count *value*, and keep it in the sample with probability ``cap / total_count``."""
        self.total_count += 1
        if len(self._data) < self.cap:
            self._data.append(value)
            return
        index = fast_randint(0, self.total_count)
        if index < self.cap:
            self._data[index] = value

    def resize(self, new_cap: int) -> None:
        """Change the largest sample; shrinking keeps a uniform random subset of the sample."""
        new_cap = _check_cap(new_cap, owner=f"{type(self).__name__}.resize()")
        if new_cap < len(self._data):
            self._data = random.sample(self._data, new_cap)
        self.cap = new_cap

    def copy(self) -> Self:
        """Return an independent copy (same sample, counts and, in subclasses, totals)."""
        duplicate = copy.copy(self)
        duplicate._data = list(self._data)
        return duplicate

    def to_list(self) -> list[Any]:
        """Return a copy of the sample."""
        return list(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(cap={self.cap!r}, sampled={len(self._data)}, total_count={self.total_count})"


class RouteStatReservoir(Reservoir):
    """A :class:`Reservoir` of :class:`Hit` records for one route and status, with exact totals.

    Kept for compatibility with Clastic 26, where it was public; it is
    what :class:`StatsMiddleware` keeps in :attr:`StatsMiddleware.route_hits`.
    """

    def __init__(self, data: Iterable[Hit] | None = None, cap: int = DEFAULT_RESERVOIR_SIZE) -> None:
        #: The most recent hit, or ``None``.
        self.last_hit: Hit | None = None
        #: Sum of the durations of every hit added, in seconds (exact, not sampled).
        self.total_duration = 0.0
        super().__init__(data, cap)

    def add(self, value: Hit) -> None:
        """Count the hit, add its duration to the total and sample it."""
        self.last_hit = value
        self.total_duration += value.duration
        super().add(value)

    def describe(self, quantiles: Iterable[float] = DEFAULT_QUANTILES) -> dict[str, Any]:
        """Return ``{count, sampled, mean, min, max, std_dev, mad, <quantiles>, last_hit, total_duration}``.

        Durations are in milliseconds; ``count`` and ``total_duration`` are
        exact, the others come from the ``sampled`` hits. The quantiles are
        keyed by their text (``'0.5'``); ``last_hit`` is when the latest
        request started, in seconds since the epoch.
        """
        stats = Stats([hit.duration * 1000 for hit in self._data])
        figures: dict[str, Any] = {
            "count": self.total_count,
            "sampled": len(self._data),
            "mean": stats.mean,
            "min": stats.min,
            "max": stats.max,
            "std_dev": stats.std_dev,
            "mad": stats.median_abs_dev,
        }
        figures.update((str(q), stats.get_quantile(q)) for q in quantiles)
        figures["last_hit"] = self.last_hit.start_time if self.last_hit else None
        figures["total_duration"] = self.total_duration * 1000
        return figures


def _check_cap(cap: object, *, owner: str) -> int:
    if not isinstance(cap, int) or isinstance(cap, bool) or cap < 1:
        raise ValueError(f"{owner}: the reservoir size must be a whole number of at least 1, got {cap!r}")
    return cap


class StatsMiddleware(Middleware):
    """Record the duration and status of every request, per route pattern.

    Each (pattern, status) pair keeps exact counts and a uniform random
    sample of at most *reservoir_size* hits for the timing statistics.

    Args:
        reservoir_size: Hits sampled per pattern and status.
        quantiles: Quantiles to report.
    """

    def __init__(
        self, reservoir_size: int = DEFAULT_RESERVOIR_SIZE, quantiles: tuple[float, ...] = DEFAULT_QUANTILES
    ) -> None:
        self.reservoir_size = _check_cap(reservoir_size, owner="StatsMiddleware: reservoir_size")
        self.quantiles = tuple(quantiles)
        self._lock = threading.Lock()
        #: ``{pattern: {status: RouteStatReservoir}}``: what was recorded since :attr:`last_reset`.
        self.route_hits: dict[str, dict[str, RouteStatReservoir]] = {}
        #: When recording started or was last reset (seconds since the epoch).
        self.last_reset = time.time()

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
        self,
        request: Request,
        route: BoundRoute,
        start_time: float,
        duration: float,
        status: str,
        content_type: str | None,
    ) -> None:
        """Add one hit to the statistics."""
        pattern = UNMATCHED if route.is_null_route else route.pattern
        hit = Hit(start_time, request.url, pattern, status, duration, content_type)
        with self._lock:
            by_status = self.route_hits.setdefault(pattern, {})
            reservoir = by_status.get(status)
            if reservoir is None:
                reservoir = by_status[status] = RouteStatReservoir(cap=self.reservoir_size)
            reservoir.add(hit)

    def reset(self) -> None:
        """Forget every recorded hit and start counting again now."""
        with self._lock:
            self.route_hits = {}
            self.last_reset = time.time()

    def snapshot(self, *, reset: bool = False) -> dict[str, Any]:
        """Return ``{"route_stats": ..., "start_time_utc": ..., "cur_time_utc": ...}``; optionally reset.

        ``route_stats`` is :meth:`get_summary`; the times are aware UTC
        datetimes (ISO 8601 text in JSON): when recording started and now.
        With *reset*, the figures returned are those from before the reset,
        and no hit falls between the two.
        """
        with self._lock:
            route_hits, start = self.route_hits, self.last_reset
            if reset:  # the old reservoirs are ours alone now
                self.route_hits, self.last_reset = {}, time.time()
            else:
                route_hits = _copy_hits(route_hits)
        route_stats = self._describe(route_hits)  # outside the lock: requests keep being recorded meanwhile
        return {
            "route_stats": route_stats,
            "start_time_utc": datetime.fromtimestamp(start, UTC),
            "cur_time_utc": datetime.now(UTC),
        }

    def get_summary(self) -> dict[str, dict[str, dict[str, Any]]]:
        """Return ``{pattern: {status: {count, sampled, mean, min, max, ...}}}``, durations in milliseconds.

        Each entry is :meth:`RouteStatReservoir.describe`.
        """
        with self._lock:
            route_hits = _copy_hits(self.route_hits)
        return self._describe(route_hits)

    def _describe(self, route_hits: dict[str, dict[str, RouteStatReservoir]]) -> dict[str, dict[str, dict[str, Any]]]:
        return {
            pattern: {status: route_hits[pattern][status].describe(self.quantiles) for status in sorted(by_status)}
            for pattern, by_status in sorted(route_hits.items())
        }

    def __repr__(self) -> str:
        return f"{type(self).__name__}(reservoir_size={self.reservoir_size!r})"


def _copy_hits(route_hits: dict[str, dict[str, RouteStatReservoir]]) -> dict[str, dict[str, RouteStatReservoir]]:
    return {pattern: {status: r.copy() for status, r in by_status.items()} for pattern, by_status in route_hits.items()}


def _find_stats(application: Any, given: StatsMiddleware | None = None) -> StatsMiddleware:
    if given is not None:
        return given
    for mw in getattr(application, "middlewares", ()):
        if isinstance(mw, StatsMiddleware):
            return mw
    raise HTTPNotImplemented(
        "no StatsMiddleware is installed in this Application, so there are no statistics to show; add "
        "StatsMiddleware() to the Application's middlewares (or pass it to create_stats_app())"
    )


def get_stats_dict(_application: Any) -> dict[str, Any]:
    """Return the statistics of the :class:`StatsMiddleware` installed in *_application*.

    Kept for compatibility with Clastic 26 (an endpoint: Clastic injects
    ``_application``); new code calls :meth:`StatsMiddleware.snapshot`.
    Raises ``HTTPNotImplemented`` (501) when no StatsMiddleware is installed.
    """
    return _find_stats(_application).snapshot()


def get_and_reset_stats_dict(_application: Any) -> dict[str, Any]:
    """Reset the statistics of *_application*'s :class:`StatsMiddleware`, returning those from before.

    The answer is :func:`get_stats_dict`'s plus ``"reset": True``. Kept for
    compatibility with Clastic 26 (an endpoint); new code calls
    ``StatsMiddleware.snapshot(reset=True)``.
    """
    return {**_find_stats(_application).snapshot(reset=True), "reset": True}


def create_stats_app(stats_middleware: StatsMiddleware | None = None) -> Application:
    """Return an Application showing the statistics: ``GET /`` (summary) and ``POST /reset``.

    Mount it with a tuple, e.g. ``("/_stats", create_stats_app())``. It reads
    the :class:`StatsMiddleware` given here, or else the one installed in the
    Application it is mounted in (501 when there is none). Both pages answer
    :meth:`StatsMiddleware.snapshot`; ``POST /reset`` adds ``"reset": true``
    and its figures are those from before the reset.

    Args:
        stats_middleware: The middleware whose statistics to show.
    """
    if stats_middleware is None:
        return Application(
            [GET("/", get_stats_dict, render_basic), POST("/reset", get_and_reset_stats_dict, render_basic)]
        )
    given = stats_middleware

    def summary() -> dict[str, Any]:
        return given.snapshot()

    def reset() -> dict[str, Any]:
        return {**given.snapshot(reset=True), "reset": True}

    return Application([GET("/", summary, render_basic), POST("/reset", reset, render_basic)])
