"""Erosion, step 2 of the tutorial's second part: settings and the database as resources.

``create_app()`` reads ``erosion.ini`` (or the file ``$EROSION_CONFIG``
names) and hands the endpoints two resources: ``host_url``, the address
links are shown with, and ``db``, the SQLite link store of ``storage.py``.
The page lists the recorded links. The finished program is ``app.py``.
"""

import os
import time
from configparser import ConfigParser

from clastic import Application
from clastic.render import AshesRenderFactory
from clastic.static import StaticApplication
from storage import LinkDB

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
        ("/static", static_app),
    ]
    resources = {"host_url": host_url, "db": LinkDB(db_path)}
    render_factory = AshesRenderFactory(CUR_PATH)
    return Application(routes, resources=resources, render_factory=render_factory)


app = create_app()

if __name__ == "__main__":
    app.serve()
