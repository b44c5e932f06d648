"""Find the routes that may match a path without trying every route.

Routes are tried in the order they were added, and the first that answers
wins. To keep that order while making the cost independent of the number of
routes, routes are indexed in a trie by their leading literal segments
(``/api/users/<id>`` sits under ``api`` -> ``users``). For a request, the
router walks the trie along the path's segments; the candidates are the
routes stored on that walk, which were merged in route order when the
Application was built. Every other route has a literal segment the path
lacks, so it could not match anyway.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Generic, Protocol, TypeVar

from clastic._pattern import Pattern

__all__ = ["Router"]


class _Routed(Protocol):
    """What the router reads of a route: its parsed pattern (a :class:`~clastic.route.BoundRoute` has one)."""

    @property
    def parsed(self) -> Pattern: ...


#: The routes a Router holds (BoundRoute, for an Application).
RouteT = TypeVar("RouteT", bound=_Routed)


class _Node(Generic[RouteT]):
    __slots__ = ("by_count", "candidates", "children", "own")

    def __init__(self) -> None:
        self.children: dict[str, _Node[RouteT]] = {}
        self.own: list[tuple[int, RouteT]] = []
        self.candidates: tuple[RouteT, ...] = ()
        #: Number of non-empty path segments -> the candidates that can match that many.
        self.by_count: dict[int, tuple[RouteT, ...]] = {}


def _segment_range(route: _Routed) -> tuple[int, float]:
    """How many non-empty path segments *route* can match: ``(least, most)``.

    Each literal or single binding matches one segment, ``?`` zero or one,
    ``+`` and ``*`` any number from one or zero. A converter whose expression
    can match empty text could match a segment between two slashes, so such
    a route may match any number.
    """
    least, most = 0, 0.0
    for segment in route.parsed.segments:
        if isinstance(segment, str):
            least, most = least + 1, most + 1
            continue
        if re.fullmatch(segment.converter.regex, "") is not None:
            return 0, math.inf
        if segment.op == ":":
            least, most = least + 1, most + 1
        elif segment.op == "?":
            most += 1
        else:
            least += segment.op == "+"
            most = math.inf
    return least, most


class Router(Generic[RouteT]):
    """An ordered route index built once per Application."""

    def __init__(self, routes: Sequence[RouteT]) -> None:
        self._root: _Node[RouteT] = _Node()
        # Each route's (least, most) segment counts, by id: the routes live as long as the router.
        self._ranges = {id(route): _segment_range(route) for route in routes}
        for index, route in enumerate(routes):
            node = self._root
            for segment in route.parsed.literal_prefix:
                node = node.children.setdefault(segment, _Node[RouteT]())
            node.own.append((index, route))
        # Each node's candidates are its ancestors' routes and its own, in route order.
        stack: list[tuple[_Node[RouteT], list[tuple[int, RouteT]]]] = [(self._root, [])]
        while stack:
            node, inherited = stack.pop()
            merged = sorted(inherited + node.own, key=lambda item: item[0])
            node.candidates = tuple(route for _index, route in merged)
            stack.extend((child, merged) for child in node.children.values())

    def candidates(self, path: str) -> tuple[RouteT, ...]:
        """Return, in route order, the routes that could match *path*.

        Besides the literal prefix, a route must be able to match as many
        segments as *path* has (``/`` cannot match ``/p/1``).
        """
        node = self._root
        children = node.children
        parts = path.split("/")
        for segment in parts:
            if not segment:
                continue
            child = children.get(segment)
            if child is None:
                break
            node = child
            children = child.children
        count = len(parts) - parts.count("")
        found = node.by_count.get(count)
        if found is None:
            ranges = self._ranges
            found = tuple(route for route in node.candidates if ranges[id(route)][0] <= count <= ranges[id(route)][1])
            if len(node.by_count) < 64:  # a client sending every length fills it no further
                node.by_count[count] = found
        return found
