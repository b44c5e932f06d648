"""The time zone convertor, step 1 of the tutorial: the form, and nothing behind it yet.

``/`` renders ``home.html`` (Ashes) with every time zone this machine
knows. The form posts to ``/show``, which step 2 adds.
"""

import os
import zoneinfo
from datetime import UTC, datetime

from clastic import Application
from clastic.render import AshesRenderFactory

CUR_PATH = os.path.dirname(os.path.abspath(__file__))

#: Every IANA zone name this machine knows.
ZONE_NAMES = frozenset(zoneinfo.available_timezones())


def get_location(zone):
    return zone.split("/")[-1].replace("_", " ")


def get_all_time_zones():
    # Sorted first, so that when two zones share a location name (UTC and
    # Etc/UTC) the same one wins on every run.
    zone_names = sorted(ZONE_NAMES)
    entries = {get_location(zone): zone for zone in zone_names}
    return [
        {"location": location, "zone": entries[location]}
        for location in sorted(entries.keys())
    ]


ALL_TIME_ZONES = get_all_time_zones()


def home():
    render_ctx = {
        "zones": ALL_TIME_ZONES,
        "default_src": "UTC",
        "default_dst": "UTC",
        "now": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M"),
    }
    return render_ctx


def create_app():
    routes = [("/", home, "home.html")]
    render_factory = AshesRenderFactory(CUR_PATH)
    return Application(routes, render_factory=render_factory)


app = create_app()

if __name__ == "__main__":
    app.serve()
