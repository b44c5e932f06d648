"""Development tooling: what ``clastic serve``, ``app.serve()`` and ``clastic routes`` run on.

Private; the public faces are :mod:`clastic.server`, :mod:`clastic.cli`,
:mod:`clastic.flaw` and :mod:`clastic.cline`. Nothing in the request path
imports this package.

* ``reloader``: the supervising parent process that restarts the server
  when a watched file changes;
* ``failsafe``: the page served while the reloaded code does not load;
* ``target``: loading an Application from ``MODULE:NAME`` or a file;
* ``introspect``: route tables, shadowed routes and build errors, for the
  command line;
* ``log``: the development server's coloured request log;
* ``mounts``: the development mounts (``/_meta/``, ``/static/``) found
  through entry points.
"""
