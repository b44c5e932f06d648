"""Erosion, step 4 of the tutorial's second part: following a link by its alias.

``GET /<alias>`` counts a click and redirects to the link's target. An
alias nobody recorded is a 404 (one that lets later routes try first), an
expired one a 410. The finished program is ``app.py``.
"""

import os
import re
import time
from configparser import ConfigParser
from http import HTTPStatus

from clastic import GET, POST, Application, BadRequest, redirect
from clastic.errors import Conflict, Gone, NotFound
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
#: How many recorded links the home page lists, newest first.
LISTED_LINKS = 100
#: Aliases are path segments: letters, digits, "-" and "_", starting with a letter or digit.
ALIAS_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,63}")
#: Paths the application itself answers, which an alias would shadow.
RESERVED_ALIASES = frozenset({"submit", "static"})


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


def page_context(host_url, db):
    """The render context of home.html: the recorded links and the empty form."""
    now = time.time()
    entries = []
    for entry in db.get_links(limit=LISTED_LINKS):
        entry["limit"] = entry["max_count"] or "\u221e"
        entry["expiry"] = describe_expiry(entry, now)
        entries.append(entry)
    return {
        "host_url": host_url,
        "entries": entries,
        "form": {"max_count": 1},
        "expiry_options": [
            {"value": seconds, "label": label, "checked": seconds == 0} for seconds, label in EXPIRY_CHOICES
        ],
    }


def home(host_url, db):
    return page_context(host_url, db)


def add_entry(request, db):
    """Record the submitted link and go home; 400 or 409 when it cannot be recorded."""
    target_url = request.values.get("target_url", "").strip()
    new_alias = request.values.get("new_alias", "").strip()
    if not target_url.startswith(("http://", "https://")):
        raise BadRequest("Enter the web URL to shorten, starting with http:// or https://.")
    if new_alias and not ALIAS_RE.fullmatch(new_alias):
        raise BadRequest("An alias is 1 to 64 letters, digits, '-' or '_'; leave it empty to get one generated.")
    if new_alias.lower() in RESERVED_ALIASES:
        raise BadRequest(f"{new_alias!r} is a page of this site and cannot be an alias; choose another one.")
    try:
        expiry_time = int(request.values.get("expiry_time", "0"))
        max_count = int(request.values.get("max_count", "0"))
    except ValueError:
        raise BadRequest("The expiry time and the click limit must be whole numbers.") from None
    try:
        db.add_link(
            target_url=target_url,
            alias=new_alias or None,
            expiry_time=expiry_time,
            max_count=max_count,
        )
    except AliasTakenError as ex:
        raise Conflict(f"The alias {ex.alias!r} is already taken; choose another one.") from None
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
    return host_url, db_path


def create_app(config_path=None):
    config_path = config_path or os.environ.get("EROSION_CONFIG") or os.path.join(CUR_PATH, "erosion.ini")
    host_url, db_path = read_config(config_path)
    static_app = StaticApplication(STATIC_PATH)
    routes = [
        ("/", home, "home.html"),
        POST("/submit", add_entry),
        ("/static", static_app),
        GET("/<alias>", use_entry),
    ]
    resources = {"host_url": host_url, "db": LinkDB(db_path)}
    render_factory = AshesRenderFactory(CUR_PATH)
    return Application(routes, resources=resources, render_factory=render_factory)


app = create_app()

if __name__ == "__main__":
    app.serve()
