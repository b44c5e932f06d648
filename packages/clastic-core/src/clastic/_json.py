"""JSON for renders and error bodies: Clastic's encoder and a fast path through orjson.

:class:`ClasticJSONEncoder` is public in :mod:`clastic.render` (and, kept for
compatibility with Clastic 26, in :mod:`clastic.errors`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sized
from typing import Any

__all__ = ["ClasticJSONEncoder"]


class ClasticJSONEncoder(json.JSONEncoder):
    """JSON encoder that also handles mappings, sets, ``to_dict()``, ``asdict()`` and dates.

    A class (any ``type``) is encoded as its ``repr()``, as are, in
    *dev_mode*, values it knows no way to encode; outside *dev_mode* those
    are a ``TypeError``. Methods are only called on instances: a class such
    as ``datetime.date`` has an ``isoformat`` attribute, but calling it
    without an instance would fail.
    """

    def __init__(self, *, dev_mode: bool = False, **kwargs: Any) -> None:
        self.dev_mode = dev_mode
        super().__init__(**kwargs)

    def default(self, o: Any) -> Any:
        if isinstance(o, type):
            return repr(o)
        if isinstance(o, Mapping):
            return dict(o)
        if isinstance(o, Sized) and isinstance(o, Iterable):
            return list(o)
        for method in ("to_dict", "asdict", "isoformat"):
            func = getattr(o, method, None)
            if callable(func):
                return func()
        if self.dev_mode:
            return repr(o)
        raise TypeError(f"cannot serialize to JSON: {o!r} ({type(o).__name__})")
