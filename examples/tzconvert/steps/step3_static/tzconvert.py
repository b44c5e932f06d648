"""The time zone convertor, step 3 of the tutorial: a stylesheet, served from ``static/``.

As step 2, plus a ``StaticApplication`` mounted under ``/static`` that
serves ``static/custom.css``, which both templates link to.
"""

import os
import zoneinfo
from datetime import UTC, datetime

from dateutil import parser, tz

from clastic import Application, BadRequest
from clastic.render import AshesRenderFactory
from clastic.static import StaticApplication

CUR_PATH = os.path.dirname(os.path.abspath(__file__))
STATIC_PATH = os.path.join(CUR_PATH, "static")

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


def convert_tz(dt_naive, src_zone, dst_zone):
    src_dt = dt_naive.replace(tzinfo=src_zone)
    dst_dt = src_dt.astimezone(dst_zone)
    return dst_dt


def load_values(request):
    """Return the posted form's fields, or raise BadRequest naming the one that is missing."""
    values = {key: request.values.get(key, "") for key in ("dt", "src", "dst")}
    for key, value in values.items():
        if not value:
            raise BadRequest(f"the form needs a non-empty {key!r} field")
    return values


def get_zone(name):
    """Return the tzinfo of an IANA zone name, or raise BadRequest."""
    zone = tz.gettz(name) if name in ZONE_NAMES else None
    if zone is None:
        raise BadRequest(f"unknown time zone {name[:60]!r}; use an IANA name such as 'Europe/Paris'")
    return zone


def show_time(request):
    values = load_values(request)
    dt = values.get("dt")
    try:
        dt_naive = parser.parse(dt)
    except (ValueError, OverflowError) as ex:
        raise BadRequest(f"'dt' must be a date and time such as '2020-04-01T10:28', got {dt[:60]!r} ({ex})") from ex
    src = values.get("src")
    src_zone = get_zone(src)
    dst = values.get("dst")
    dst_zone = get_zone(dst)
    try:
        dst_dt = convert_tz(dt_naive, src_zone, dst_zone)
    except (ValueError, OverflowError) as ex:
        raise BadRequest(f"{dt[:60]!r} cannot be converted from {src} to {dst}: {ex}") from ex
    render_ctx = {
        "src_dt": {
            "text": dt_naive.ctime(),
            "value": dt
        },
        "dst_dt": {
            "text": dst_dt.ctime(),
            "value": dst_dt.strftime('%Y-%m-%dT%H:%M')
        },
        "src_location": get_location(src),
        "dst_location": get_location(dst),
    }
    return render_ctx


def create_app():
    static_app = StaticApplication(STATIC_PATH)
    routes = [
        ("/", home, "home.html"),
        ("/show", show_time, "show_time.html"),
        ("/static", static_app),
    ]
    render_factory = AshesRenderFactory(CUR_PATH)
    return Application(routes, render_factory=render_factory)


app = create_app()

if __name__ == "__main__":
    app.serve()
