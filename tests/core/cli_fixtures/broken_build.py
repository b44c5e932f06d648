"""An application with three routes that cannot be built (for `clastic check`)."""

from clastic import Application, render_basic


def greet(nmae):
    return f"Hello, {nmae}"


def count(dbb, request):
    return dbb.count()


def fine(db):
    return db


def search(query):
    return query


app = Application(
    [
        ("/greet/<name>", greet, render_basic),
        ("/count", count, render_basic),
        ("/fine", fine, render_basic),
        ("/search", search, render_basic),
    ],
    resources={"db": "sqlite"},
)
