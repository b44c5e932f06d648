"""The time zone convertor of the tutorial's first part, in its final form.

``/`` renders the form from ``home.html`` (Ashes), ``/static`` serves the
stylesheet, and ``/show`` is the JSON endpoint the page's script posts to::

    curl -X POST -H "Content-Type: application/json" \\
        -d '{"dt": "2020-04-01T10:28", "src": "Australia/Tasmania", "dst": "Africa/Timbuktu"}' \\
        http://127.0.0.1:5000/show

Two departures from the tutorial's text, both because the tutorial's calls
are deprecated now: the zone names come from the standard library's
``zoneinfo`` (python-dateutil deprecates ``dateutil.zoneinfo`` in its favour),
and "now" is ``datetime.now(timezone.utc)`` instead of ``datetime.utcnow()``.
And one addition: ``/show`` answers a malformed request with a 400 naming
the problem instead of failing with a 500.

Run it with ``python tzconvert.py``, or ``clastic serve tzconvert:app`` from
this folder, and visit http://127.0.0.1:5000/.
"""

import json
import os
import zoneinfo
from datetime import UTC, datetime

from dateutil import parser, tz

from clastic import Application, BadRequest, render_json
from clastic.render import AshesRenderFactory
from clastic.static import StaticApplication

CUR_PATH = os.path.dirname(os.path.abspath(__file__))
STATIC_PATH = os.path.join(CUR_PATH, "static")
#: Largest /show request body read, in bytes; the real ones are under 100.
MAX_BODY_SIZE = 4096


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
    """Return the JSON object posted to /show, or raise BadRequest saying what is wrong."""
    if request.content_length is not None and request.content_length > MAX_BODY_SIZE:
        raise BadRequest(f"the request body is {request.content_length} bytes; /show accepts up to {MAX_BODY_SIZE}")
    try:
        values = json.loads(request.get_data(cache=True)[:MAX_BODY_SIZE + 1])
    except ValueError as ex:
        raise BadRequest(f"the request body is not valid JSON: {ex}") from ex
    if not isinstance(values, dict):
        raise BadRequest(
            f'expected a JSON object like {{"dt": ..., "src": ..., "dst": ...}}, got {type(values).__name__}'
        )
    for key in ("dt", "src", "dst"):
        if not isinstance(values.get(key), str) or not values[key]:
            raise BadRequest(f"the JSON object needs a non-empty string {key!r}, got {values.get(key)!r:.60}")
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
        ("/show", show_time, render_json),
        ("/static", static_app),
    ]
    render_factory = AshesRenderFactory(CUR_PATH)
    return Application(routes, render_factory=render_factory)


app = create_app()

if __name__ == "__main__":
    app.serve()
