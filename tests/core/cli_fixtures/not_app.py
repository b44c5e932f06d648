"""Things that are not Applications (for the command line's error messages)."""

from clastic import Application, render_basic

app = "not an application"
settings = {"debug": True}


def create_app():
    return None


def make_real():
    return Application([("/", lambda: "real", render_basic)])


def needs_argument(flavour):
    return Application([("/", lambda: flavour, render_basic)])
