"""Contributed Clastic applications: tools to mount in a development setup.

* :mod:`clastic.contrib.obj_browser`: browse the live objects of the process.
* :mod:`clastic.contrib.webtop.top`: a ``top``-like list of the machine's
  processes (needs ``pip install clastic-meta[webtop]``).

Both answer loopback clients only by default, like ``/_meta/``. This
package is shipped by clastic-meta and is a namespace other distributions
may add modules to: a distribution that ships ``clastic/contrib/<name>.py``
(with no ``clastic/contrib/__init__.py`` of its own) makes
``clastic.contrib.<name>`` importable.
"""

from pkgutil import extend_path

__path__ = extend_path(__path__, __name__)
