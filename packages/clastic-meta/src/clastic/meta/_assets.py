"""The meta page's stylesheet and script, shipped as files and served inline.

The files live in :data:`ASSETS_PATH` (``meta.css``, ``meta.js``). The page
inlines them under a Content-Security-Policy that lets only this script run
(by nonce), so HTML from a peripheral cannot run script of its own; the
contrib pages (``clastic.contrib``) reuse the stylesheet. The same directory
is what ``clastic.meta.META_ASSETS_APP`` serves, for applications of Clastic
26 that mounted it.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["ASSETS_PATH", "PAGE_CSS", "PAGE_JS"]

#: The directory holding the built-in assets.
ASSETS_PATH: Path = Path(__file__).resolve().parent / "_clastic_assets"

#: The stylesheet of the meta page (and of the contrib pages).
PAGE_CSS: str = (ASSETS_PATH / "meta.css").read_text(encoding="utf-8")

#: The meta page's script: collapsible sections and the route filter.
PAGE_JS: str = (ASSETS_PATH / "meta.js").read_text(encoding="utf-8")
