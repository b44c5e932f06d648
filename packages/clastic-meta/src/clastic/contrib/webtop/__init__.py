"""webtop: a ``top``-like page of the machine's processes (module :mod:`clastic.contrib.webtop.top`).

It needs psutil, an optional dependency: ``pip install clastic-meta[webtop]``.
Importing :mod:`clastic.contrib.webtop.top` without it raises an ImportError
saying so; this package itself imports without it.
"""
