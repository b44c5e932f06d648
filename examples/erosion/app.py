"""Erosion: the link shortener of the tutorial's second part, complete.

Shorten a URL under an alias you choose or one generated for you, let it
expire after a time and/or a number of clicks, follow it by alias, and watch
the click counts. Links live in SQLite (``storage.py``), so several worker
processes can serve the same database. A signed cookie remembers the links
this visitor created and carries the "Successfully created" notice across
the redirect. Bad input (no URL, a malformed URL, a taken or invalid alias,
a non-numeric expiry) gets the form back with a message and a 4xx status;
nothing stored is changed.

Run it with any of:

* ``python app.py`` (the development server on http://127.0.0.1:5000,
  with ``/_meta/`` when clastic-meta is installed);
* ``clastic serve app:create_app()`` from this folder;
* ``gunicorn -w 2 'app:create_app()'`` from this folder.

Settings come from ``erosion.ini`` next to this file, or from the file named
by the ``EROSION_CONFIG`` environment variable.
"""

import os
import re
import time
from configparser import ConfigParser
from http import HTTPStatus
from urllib.parse import urlsplit

from clastic import GET, POST, Application, Middleware, redirect
from clastic.errors import Gone, NotFound
from clastic.middleware.cookie import SignedCookieMiddleware
from clastic.middleware.form import PostDataMiddleware
from clastic.render import AshesRenderFactory
from clastic.static import StaticApplication
from storage import AliasTakenError, LinkDB

CUR_PATH = os.path.dirname(os.path.abspath(__file__))
STATIC_PATH = os.path.join(CUR_PATH, "static")

#: The "Time expiration" choices of the form: (seconds, label).
EXPIRY_CHOICES = [
    (300, "five minutes"),
    (3600, "one hour"),
    (86400, "one day"),
    (2592000, "one month"),
    (0, "never"),
]
#: Aliases are path segments: letters, digits, "-" and "_", starting with a letter or digit.
ALIAS_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
#: Paths the application itself answers, which an alias would shadow.
RESERVED_ALIASES = frozenset({"submit", "static"})
MAX_URL_LENGTH = 2048
MAX_EXPIRY_TIME = 10 * 365 * 86400
MAX_CLICKS = 1_000_000_000
#: How many of the visitor's own aliases the cookie remembers.
REMEMBERED_ALIASES = 20
#: How many recorded links the home page lists, newest first.
LISTED_LINKS = 100


class FormError(ValueError):
    """A submitted field was refused; ``status`` is the HTTP status to answer with."""

    def __init__(self, message, field, status=HTTPStatus.BAD_REQUEST):
        super().__init__(message)
        self.message = message
        self.field = field
        self.status = status


class ContextStatusMiddleware(Middleware):
    """Give a rendered page the HTTP status its render context asks for.

    The form endpoint returns the page context with a ``status`` (400, 409)
    when it refuses a submission; the template renders it as usual and this
    render hook sets the status on the response.
    """

    def render(self, next, context):
        response = next()
        status = context.get("status") if isinstance(context, dict) else None
        if status:
            response.status_code = int(status)
        return response


def check_target_url(target_url):
    """Return the stripped URL, or raise FormError saying what is wrong with it."""
    value = (target_url or "").strip()
    if not value:
        raise FormError("Enter the web URL to shorten, like https://example.com/page.", "target_url")
    if len(value) > MAX_URL_LENGTH:
        raise FormError(f"That URL is {len(value)} characters long; the limit is {MAX_URL_LENGTH}.", "target_url")
    hint = "it must start with http:// or https:// and name a host, like https://example.com/page"
    if any(ch.isspace() or ord(ch) < 32 for ch in value):
        raise FormError(f"{value!r} is not a web URL: it contains spaces or control characters.", "target_url")
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - parsing the port raises ValueError when it is not a number
    except ValueError:
        raise FormError(f"{value!r} is not a web URL: {hint}.", "target_url") from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise FormError(f"{value!r} is not a web URL: {hint}.", "target_url")
    return value


def check_alias(new_alias):
    """Return the chosen alias (None to generate one), or raise FormError."""
    alias = (new_alias or "").strip()
    if not alias:
        return None
    if not ALIAS_RE.fullmatch(alias):
        raise FormError(
            f"{alias[:80]!r} cannot be an alias: use 1 to 64 letters, digits, '-' or '_', "
            "starting with a letter or digit, or leave it empty to get one generated.",
            "new_alias",
        )
    if alias.lower() in RESERVED_ALIASES:
        raise FormError(f"{alias!r} is a page of this site and cannot be an alias; choose another one.", "new_alias")
    return alias


def check_number(value, field, label, maximum):
    """Return *value* if it is an int from 0 to *maximum* (PostDataMiddleware gives None for non-numbers)."""
    if value is None or not 0 <= value <= maximum:
        raise FormError(f"{label} must be a whole number from 0 to {maximum} (0 means no limit).", field)
    return value


def describe_expiry(entry, now):
    """Say when *entry* expires by time: "expired", "never expires", "expires in 5 minutes"."""
    if entry["expired"]:
        return "expired"
    if not entry["expires"]:
        return "never expires"
    left = entry["expires"] - now
    for seconds, unit in ((86400, "day"), (3600, "hour"), (60, "minute")):
        if left >= seconds:
            amount = int(left // seconds)
            return f"expires in {amount} {unit}{'s' if amount != 1 else ''}"
    return "expires in less than a minute"


def page_context(host_url, db, cookie, new_entry_alias=None, error=None, form=None):
    """The render context of home.html: the links, the notice, and the form's state."""
    now = time.time()
    mine = set(cookie.get("my_aliases", []))
    entries = []
    for entry in db.get_links(limit=LISTED_LINKS):
        entry["limit"] = entry["max_count"] or "\u221e"
        entry["expiry"] = describe_expiry(entry, now)
        entry["mine"] = entry["alias"] in mine
        entries.append(entry)
    form = form or {}
    chosen = form.get("expiry_time", 0)
    return {
        "host_url": host_url,
        "entries": entries,
        "new_entry_alias": new_entry_alias,
        "error": error,
        "status": error["status"] if error else None,
        "form": {
            "target_url": form.get("target_url") or "",
            "new_alias": form.get("new_alias") or "",
            "max_count": 1 if form.get("max_count") is None else form["max_count"],
        },
        "expiry_options": [
            {"value": seconds, "label": label, "checked": seconds == chosen} for seconds, label in EXPIRY_CHOICES
        ],
    }


def home(host_url, db, cookie):
    """The form and the recorded links, with the notice for a link just created."""
    new_entry_alias = cookie.pop("new_entry_alias", None)
    return page_context(host_url, db, cookie, new_entry_alias=new_entry_alias)


def add_entry(db, cookie, host_url, target_url, new_alias, expiry_time, max_count):
    """Record a link and go home, or give the form back with what is wrong (400, 409)."""
    form = {"target_url": target_url, "new_alias": new_alias, "expiry_time": expiry_time, "max_count": max_count}
    try:
        target_url = check_target_url(target_url)
        alias = check_alias(new_alias)
        expiry_time = check_number(expiry_time, "expiry_time", "Time expiration (in seconds)", MAX_EXPIRY_TIME)
        max_count = check_number(max_count, "max_count", "Click expiration", MAX_CLICKS)
        entry = db.add_link(
            target_url=target_url,
            alias=alias,
            expiry_time=expiry_time,
            max_count=max_count,
        )
    except AliasTakenError as ex:
        error = {"message": f"The alias {ex.alias!r} is already taken; choose another one or leave it empty.",
                 "field": "new_alias", "status": HTTPStatus.CONFLICT}
        return page_context(host_url, db, cookie, error=error, form=form)
    except FormError as ex:
        error = {"message": ex.message, "field": ex.field, "status": ex.status}
        return page_context(host_url, db, cookie, error=error, form=form)
    cookie["new_entry_alias"] = entry["alias"]
    cookie["my_aliases"] = [*cookie.get("my_aliases", []), entry["alias"]][-REMEMBERED_ALIASES:]
    return redirect("/", code=HTTPStatus.SEE_OTHER)


def use_entry(alias, db):
    """Count a click and redirect to the alias's target; 404 when unknown, 410 when expired."""
    entry = db.use_link(alias)
    if entry is None:
        # Not breaking: routes added after this one (such as the development
        # server's /_meta/) still get to answer; if none does, this is the 404.
        return NotFound(f"No link is recorded as {alias!r}.", is_breaking=False)
    if entry["expired"]:
        return Gone(f"The link {alias!r} has expired.")
    response = redirect(entry["target"], code=HTTPStatus.MOVED_PERMANENTLY)
    # Browsers keep 301s forever unless told otherwise; every click must
    # reach the server to be counted and to expire the link on time.
    response.headers["Cache-Control"] = "no-store"
    return response


def read_config(config_path):
    """Read the [erosion] section; relative paths are relative to the config file."""
    config = ConfigParser()
    if not config.read(config_path):
        raise FileNotFoundError(f"Erosion's configuration file {config_path!r} does not exist")
    section = config["erosion"]
    host_url = section["host_url"].rstrip("/") + "/"
    db_path = section["db_path"]
    if not os.path.isabs(db_path):
        db_path = os.path.join(os.path.dirname(os.path.abspath(config_path)), db_path)
    return host_url, db_path, section.get("cookie_secret", "").strip()


def create_app(config_path=None):
    """Build Erosion from its configuration file.

    Args:
        config_path: An ini file with an ``[erosion]`` section (``host_url``,
            ``db_path``, optional ``cookie_secret``). Defaults to
            ``$EROSION_CONFIG``, then ``erosion.ini`` next to this file.
    """
    config_path = config_path or os.environ.get("EROSION_CONFIG") or os.path.join(CUR_PATH, "erosion.ini")
    host_url, db_path, cookie_secret = read_config(config_path)
    db = LinkDB(db_path)
    # Without a configured secret, the database keeps one, shared by every
    # worker process and kept across restarts.
    cookie_mw = SignedCookieMiddleware(secret_key=cookie_secret or db.secret(), http_only=True)
    new_link_mw = PostDataMiddleware(
        {"target_url": str, "new_alias": str, "expiry_time": int, "max_count": int}
    )
    static_app = StaticApplication(STATIC_PATH)
    routes = [
        ("/", home, "home.html"),
        POST("/submit", add_entry, "home.html", middlewares=[new_link_mw, ContextStatusMiddleware()]),
        ("/static", static_app),
        GET("/<alias>", use_entry),
    ]
    resources = {"host_url": host_url, "db": db}
    render_factory = AshesRenderFactory(CUR_PATH)
    return Application(
        routes,
        resources=resources,
        middlewares=[cookie_mw],
        render_factory=render_factory,
    )


app = create_app()

if __name__ == "__main__":
    app.serve()
