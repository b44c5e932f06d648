"""A dict that knows whether its JSON contents changed since it was loaded."""

from __future__ import annotations

import json
from typing import Any

__all__ = ["TrackedDict"]


class TrackedDict(dict[str, Any]):
    """A dict of JSON-serialisable values that notices changes, nested ones included.

    The contents are compared as JSON with what was loaded, so
    ``d["items"].append(x)`` counts as a change while setting a key and
    deleting it again does not.
    """

    def __init__(self, data: dict[str, Any] | None = None) -> None:
        super().__init__(data or {})
        self._snapshot = self._dump()

    def _dump(self) -> str | None:
        try:
            return json.dumps(self, sort_keys=True)
        except (TypeError, ValueError):  # not serialisable: certainly not what was loaded
            return None

    @property
    def changed(self) -> bool:
        """True when the contents differ from those loaded."""
        current = self._dump()
        return current is None or current != self._snapshot

    def mark_saved(self) -> None:
        """Take the current contents as the saved state."""
        self._snapshot = self._dump()
