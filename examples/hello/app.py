"""The README's first examples, as one application.

* ``/`` and ``/<name>``: "Hello World!" (``hello()`` serves both routes; the
  URL fills in ``name`` when it is there, the default otherwise).
* ``/fancy``: "Getting fancy with request objects" (GET and POST values and
  cookies, read from the injected ``request``).
* ``/return-home`` and ``/redirect-home``: "Pushing the envelope with Response
  objects" (a hand-built 301 response and :func:`clastic.redirect`).

Routes are tried in the order listed, so the fixed paths come before the
catch-all ``/<name>``.

Run it with ``python app.py`` (or ``clastic serve examples.hello.app:app`` from
the repository root) and visit http://127.0.0.1:5000/Ben.
"""

from clastic import Application, Response, redirect, render_basic


def hello(name="world"):
    return "Hello, %s!" % name  # noqa: UP031  # as the README writes it


def fancy(request):
    result = ""
    # iterate through all of the GET and POST variables
    for k in request.values:
        result += "Found argument '%s' with value '%s'\n" % (k, request.values[k])  # noqa: UP031  # as in the README
    # iterate through all of the cookies
    for k in request.cookies:
        result += "Found cookie '%s' with value '%s'\n" % (k, request.cookies[k])  # noqa: UP031  # as in the README
    return result


def return_home():
    response = Response()

    # Forward the client browser to the home page.
    response.headers["Location"] = "/"
    response.status_code = 301

    return response


def redirect_home():
    return redirect("/")


def create_app():
    """Build the hello Application."""
    routes = [
        ("/", hello, render_basic),
        ("/fancy", fancy, render_basic),
        ("/return-home", return_home),
        ("/redirect-home", redirect_home),
        ("/<name>", hello, render_basic),
    ]
    return Application(routes)


app = create_app()

if __name__ == "__main__":
    app.serve()
