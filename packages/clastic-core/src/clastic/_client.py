"""The test client every Application hands out (:meth:`Application.get_local_client`).

It lives below the Application so that building one needs nothing from the
testing tools above it; :mod:`clastic.testing` is its public home.
"""

from __future__ import annotations

from typing import Any

from werkzeug.test import Client

__all__ = ["LocalClient"]


class LocalClient(Client):
    """A Werkzeug test client whose requests come from 127.0.0.1, as from a local browser.

    Werkzeug's client sends no ``REMOTE_ADDR``; debug pages and ``/_meta/``
    answer only loopback clients. Pass ``environ_base`` to a request to set
    the client address yourself (``environ_base={}`` sends none).
    """

    def open(self, *args: Any, **kwargs: Any) -> Any:
        if (not args or isinstance(args[0], str)) and "environ_base" not in kwargs:
            kwargs["environ_base"] = {"REMOTE_ADDR": "127.0.0.1"}
        return super().open(*args, **kwargs)
