"""Test setup for clastic-render."""

from __future__ import annotations

import pkgutil

import clastic.render

# clastic-core imports clastic.render while clastic/__init__.py runs, before
# that module extends clastic.__path__; in the editable workspace
# clastic.render's own extend_path then misses clastic-render's src/ folder.
# Until core extends __path__ before importing its subpackages, extend it
# again here (installed wheels merge the folders and need nothing).
clastic.render.__path__ = pkgutil.extend_path(clastic.render.__path__, "clastic.render")
