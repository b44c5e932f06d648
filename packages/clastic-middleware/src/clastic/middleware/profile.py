"""Profile one request with cProfile and show the statistics instead of the page.

::

    app = Application(routes, middlewares=[SimpleProfileMiddleware()], debug=True)

Then ``/any/page?_prof=1`` answers with the profile of that request, sorted
by ``?_prof_sort=`` (default ``cumulative``). The middleware does nothing
unless the Application runs with ``debug=True`` or it was created with
``enabled=True``: a profile reveals code paths and timings, and costs time,
so anonymous clients must not be able to trigger it in production.
"""

from __future__ import annotations

import cProfile
import html
import io
import logging
import pstats
import traceback
from collections.abc import Callable
from typing import Any

from clastic import Middleware, Request, Response
from clastic.errors import BadRequest, Conflict

__all__ = ["SORT_KEYS", "SimpleProfileMiddleware"]

logger = logging.getLogger(__name__)

#: Sort keys accepted by ``?_prof_sort=`` (those of :meth:`pstats.Stats.sort_stats`).
SORT_KEYS: tuple[str, ...] = tuple(sorted(pstats.Stats.sort_arg_dict_default))

_FALSE = frozenset({"", "0", "false", "no", "off"})


class SimpleProfileMiddleware(Middleware):
    """Answer ``?_prof=1`` requests with their cProfile statistics.

    Args:
        sort_param_name: Query parameter choosing the sort key.
        get_param_name: Query parameter that turns profiling on.
        raise_exc: Let exceptions from the profiled request propagate. When
            false, the profile is shown anyway, headed by the traceback.
        enabled: ``None`` (default) profiles only when the Application has
            ``debug=True``; ``True`` always allows it; ``False`` never.
        limit: Most functions listed.
    """

    def __init__(
        self,
        sort_param_name: str = "_prof_sort",
        get_param_name: str = "_prof",
        raise_exc: bool = True,
        *,
        enabled: bool | None = None,
        limit: int = 80,
    ) -> None:
        self.sort_param_name = sort_param_name
        self.get_param_name = get_param_name
        self.raise_exc = raise_exc
        self.enabled = enabled
        self.limit = limit

    def is_active(self, request: Request, application: Any) -> bool:
        """True when this request asks for a profile and profiling is allowed."""
        allowed = bool(getattr(application, "debug", False)) if self.enabled is None else self.enabled
        if not allowed:  # production: no need to parse the query string
            return False
        flag = request.args.get(self.get_param_name)
        return flag is not None and flag.strip().lower() not in _FALSE

    def request(self, next: Callable[..., Any], request: Request, _application: Any) -> Any:
        """Profile the rest of the chain when asked to and allowed; otherwise stay out of the way."""
        if not self.is_active(request, _application):
            return next()
        sort_key = request.args.get(self.sort_param_name, "cumulative").strip().lower()
        if sort_key not in SORT_KEYS:
            raise BadRequest(
                f"unknown profile sort key {sort_key[:32]!r} in ?{self.sort_param_name}=; use one of {list(SORT_KEYS)}",
                extensions={"allowed": list(SORT_KEYS)},
            )
        profiler = cProfile.Profile()
        failure = ""
        try:
            profiler.enable()
        except ValueError as ex:  # Python 3.12+: one profiler per process at a time
            raise Conflict(f"another request is being profiled right now ({ex}); try again when it finishes") from ex
        try:
            next()
        except Exception:  # shown on the page when raise_exc is false; re-raised otherwise
            if self.raise_exc:
                raise
            logger.exception("profiled request %s %s raised", request.method, request.path)
            failure = traceback.format_exc()
        finally:
            profiler.disable()
        return self.render_profile(profiler, sort_key, request, failure)

    def render_profile(
        self, profiler: cProfile.Profile, sort_key: str, request: Request, failure: str = ""
    ) -> Response:
        """Return an HTML page with the statistics of *profiler*."""
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.strip_dirs().sort_stats(sort_key).print_stats(self.limit)
        parts = [
            "<!doctype html>",
            '<html lang="en"><head><meta charset="utf-8">',
            f"<title>Profile of {html.escape(request.path)}</title></head><body>",
            f"<h1>Profile of {html.escape(request.method)} {html.escape(request.path)}</h1>",
            f"<p>Sorted by {html.escape(sort_key)}; sort keys: {html.escape(', '.join(SORT_KEYS))}.</p>",
        ]
        if failure:
            parts.append(f"<h2>The request raised</h2><pre>{html.escape(failure)}</pre>")
        parts.append(f"<pre>{html.escape(out.getvalue())}</pre></body></html>")
        return Response("\n".join(parts), content_type="text/html; charset=utf-8")

    def __repr__(self) -> str:
        return f"{type(self).__name__}(get_param_name={self.get_param_name!r}, enabled={self.enabled!r})"
