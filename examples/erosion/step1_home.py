"""Erosion, step 1 of the tutorial's second part: the page, with nothing stored yet.

``/`` renders ``home.html`` (Ashes) with an empty list of links, and
``/static`` serves the stylesheet. The form posts to ``/submit``, which
step 3 adds. The finished program is ``app.py``.
"""

import os

from clastic import Application
from clastic.render import AshesRenderFactory
from clastic.static import StaticApplication

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


def home():
    return {
        "host_url": "http://127.0.0.1:5000/",
        "entries": [],
        "form": {"max_count": 1},
        "expiry_options": [
            {"value": seconds, "label": label, "checked": seconds == 0} for seconds, label in EXPIRY_CHOICES
        ],
    }


def create_app():
    static_app = StaticApplication(STATIC_PATH)
    routes = [
        ("/", home, "home.html"),
        ("/static", static_app),
    ]
    render_factory = AshesRenderFactory(CUR_PATH)
    return Application(routes, render_factory=render_factory)


app = create_app()

if __name__ == "__main__":
    app.serve()
