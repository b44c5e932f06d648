"""Helpers for the clastic-render tests: template folders and real HTTP."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

#: The template folders used by these tests.
TEMPLATES = Path(__file__).parent / "templates"

#: ``match=`` for a production TemplateRenderError: the plain 500 text, nothing about the template.
PLAIN_500 = r"^The server encountered an internal error and was unable to complete your request\.$"


@dataclass
class Page:
    """One HTTP response read from a live server."""

    status: int
    content_type: str
    text: str


def fetch(base_url: str, path: str, *, data: bytes | None = None, headers: Mapping[str, str] | None = None) -> Page:
    """GET (or POST *data* to) *path* on a live server; HTTP errors are returned, not raised."""
    request = urllib.request.Request(base_url + path, data=data, headers=dict(headers or {}))
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return Page(response.status, response.headers.get("Content-Type", ""), response.read().decode("utf-8"))
    except urllib.error.HTTPError as error:
        with error:
            return Page(error.code, error.headers.get("Content-Type", ""), error.read().decode("utf-8"))
