"""Static files for Clastic applications.

``StaticApplication`` serves directory trees (mount it like any Application:
``('/static', StaticApplication(STATIC_PATH))``); ``StaticFileRoute`` serves
one file at one URL. Both answer conditional and range requests, send
precompressed siblings and refuse paths that leave their directories.
"""

from clastic.static._application import DEFAULT_MAX_AGE as DEFAULT_MAX_AGE
from clastic.static._application import StaticApplication as StaticApplication
from clastic.static._application import StaticFileRoute as StaticFileRoute

__all__ = ["DEFAULT_MAX_AGE", "StaticApplication", "StaticFileRoute"]
