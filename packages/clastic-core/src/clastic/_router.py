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

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from clastic.route import BoundRoute

__all__ = ["Router"]


class _Node:
    __slots__ = ("children", "own", "candidates")

    def __init__(self) -> None:
        self.children: dict[str, _Node] = {}
        self.own: list[tuple[int, BoundRoute]] = []
        self.candidates: tuple[BoundRoute, ...] = ()


class Router:
    """An ordered route index built once per Application."""

    def __init__(self, routes: Sequence[BoundRoute]) -> None:
        self._root = _Node()
        for index, route in enumerate(routes):
            node = self._root
            for segment in route.parsed.literal_prefix:
                node = node.children.setdefault(segment, _Node())
            node.own.append((index, route))
        # Each node's candidates are its ancestors' routes and its own, in route order.
        stack: list[tuple[_Node, list[tuple[int, BoundRoute]]]] = [(self._root, [])]
        while stack:
            node, inherited = stack.pop()
            merged = sorted(inherited + node.own, key=lambda item: item[0])
            node.candidates = tuple(route for _index, route in merged)
            stack.extend((child, merged) for child in node.children.values())

    def candidates(self, path: str) -> tuple[BoundRoute, ...]:
        """Return, in route order, the routes that could match *path*."""
        node = self._root
        children = node.children
        for segment in path.split("/"):
            if not segment:
                continue
            child = children.get(segment)
            if child is None:
                break
            node = child
            children = child.children
        return node.candidates
