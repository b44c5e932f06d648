"""Dependency maps: which names a name needs, transitively.

A route's endpoint may need ``account``, which a middleware provides from
``token`` and ``db_session``, which other middlewares provide from
``request`` and ``config``. :meth:`BoundRoute.get_required_args` follows such
a map with :func:`resolve_deps`. The three functions are also public in
:mod:`clastic.route`, under Clastic 26's names.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from itertools import pairwise

__all__ = ["find_cycle", "normalize_deps", "resolve_deps"]


def normalize_deps(dep_map: Mapping[str, Iterable[str]]) -> dict[str, list[str]]:
    """Return *dep_map* as ``{name: [dependency, ...]}`` where every dependency is also a key.

    Repeated dependencies are listed once, in first-seen order.

    >>> normalize_deps({'a': ['b', 'b']})
    {'a': ['b'], 'b': []}
    """
    normal: dict[str, list[str]] = {}
    for name, deps in dep_map.items():
        normal[name] = list(dict.fromkeys([deps] if isinstance(deps, str) else deps))
    for deps in list(normal.values()):
        for dep in deps:
            normal.setdefault(dep, [])
    return normal


def find_cycle(dep_map: Mapping[str, Iterable[str]], prenormalize: bool = True) -> list[str] | None:
    """Return one dependency cycle as ``[a, b, ..., a]``, or ``None`` if there is none.

    With *prenormalize* false, *dep_map* must already be normalized
    (:func:`normalize_deps`).

    >>> find_cycle({'a': ['b'], 'b': ['a']})
    ['a', 'b', 'a']
    """
    graph = normalize_deps(dep_map) if prenormalize else {name: list(deps) for name, deps in dep_map.items()}
    done: set[str] = set()
    for start in graph:
        if start in done:
            continue
        # Iterative depth-first search; `path` is the current chain of names.
        path: list[str] = [start]
        on_path = {start}
        pending = [iter(graph.get(start, ()))]
        while pending:
            dep = next(pending[-1], None)
            if dep is None:
                pending.pop()
                finished = path.pop()
                on_path.discard(finished)
                done.add(finished)
                continue
            if dep in on_path:
                return [*path[path.index(dep):], dep]
            if dep in done:
                continue
            path.append(dep)
            on_path.add(dep)
            pending.append(iter(graph.get(dep, ())))
    return None


def resolve_deps(dep_map: Mapping[str, Iterable[str]]) -> dict[str, list[str]]:
    """Return every name's transitive dependencies, nearest first.

    Raises ``RuntimeError('cycle detected (a->b, b->a)')`` when names depend
    on each other.

    >>> resolve_deps({'account': ['token', 'db'], 'db': ['config']})['account']
    ['token', 'db', 'config']
    """
    graph = normalize_deps(dep_map)
    cycle = find_cycle(graph, prenormalize=False)
    if cycle:
        edges = ", ".join(f"{a}->{b}" for a, b in pairwise(cycle))
        raise RuntimeError(f"cycle detected ({edges})")
    resolved: dict[str, list[str]] = {}
    for name in graph:
        seen: list[str] = []
        queue = list(graph[name])
        while queue:
            dep = queue.pop(0)
            if dep not in seen:
                seen.append(dep)
                queue.extend(graph[dep])
        resolved[name] = seen
    return resolved
