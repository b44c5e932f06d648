"""Sphinx configuration of Clastic's documentation site.

Build it with ``hatch run docs:build`` (warnings are errors, references are
checked) and serve it while editing with ``hatch run docs:serve``. Nothing
here reaches the network: references to Python, Werkzeug and other
libraries resolve through ``_ext/external_refs.txt``, not intersphinx.
"""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

DOCS = Path(__file__).resolve().parent
REPO = DOCS.parent
sys.path.insert(0, str(DOCS / "_ext"))

project = "Clastic"
author = "The Clastic developers"
copyright = "the Clastic developers"
release = tomllib.loads((REPO / "packages" / "clastic-core" / "pyproject.toml").read_text())["project"]["version"]
version = release

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "clastic_apidoc",
    "clastic_xref",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "_ext", "Thumbs.db", ".DS_Store"]
nitpicky = True
# clastic.errors.ErrorHandler (the stock handler) and clastic.types.ErrorHandler
# (the Protocol it satisfies) share a name on purpose. Annotations autodoc cannot
# evaluate (they name TYPE_CHECKING-only types) stay as the short name, which
# then matches both; either target documents what the annotation means.
# Unresolved references are still errors (nitpicky, reported as ref.class etc.).
suppress_warnings = ["ref.python"]
# Pages link to one another's sections as [text](page.md#section).
myst_heading_anchors = 3
myst_enable_extensions = ["colon_fence", "deflist"]

# API reference
autodoc_typehints = "description"
autodoc_typehints_description_target = "documented_params"
autodoc_typehints_format = "short"
autodoc_member_order = "bysource"
autodoc_preserve_defaults = True
autodoc_default_options: dict[str, object] = {}
autoclass_content = "both"
napoleon_google_docstring = True
napoleon_numpy_docstring = False
napoleon_use_rtype = False
add_module_names = False
python_use_unqualified_type_names = True

# HTML
html_theme = "furo"
html_title = f"Clastic {release}"
html_static_path = ["_static"]
html_css_files = ["clastic.css"]
html_show_sourcelink = False
html_favicon = "_static/clastic-logo.svg"
html_logo = "_static/clastic-logo.svg"
html_theme_options = {
    "source_repository": "https://github.com/clastic/clastic/",
    "source_branch": "main",
    "source_directory": "docs/",
}
pygments_style = "friendly"
pygments_dark_style = "monokai"
