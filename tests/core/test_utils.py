"""clastic.utils: Redirector and redirect_to_path."""

from clastic import POST, Application, SubApplication, render_basic
from clastic.utils import Redirector, redirect_to_path


def test_redirector_redirects_with_its_code():
    client = Application([("/old", Redirector("/new")), ("/tmp", Redirector("/elsewhere", code=307))]).get_local_client()
    old = client.get("/old")
    assert (old.status_code, old.headers["Location"]) == (301, "/new")
    assert client.get("/tmp").status_code == 307
    assert repr(Redirector("/new")) == "Redirector('/new', code=301)"


def test_redirect_to_path_quotes_and_keeps_the_query():
    def go(request, target):
        # request.path includes the mount prefix
        return redirect_to_path(request, request.path.replace("/go/", "/landing/"))

    def keep_method(request):
        return redirect_to_path(request, "/shop/accepted", 308, keep_query=False)

    inner = Application([("/go/<target>", go), POST("/submit", keep_method)])
    app = Application([SubApplication("/shop", inner), ("/", lambda: "home", render_basic)])
    client = app.get_local_client()
    moved = client.get("/shop/go/caf%C3%A9 au lait?x=1&y=%2F")
    assert moved.status_code == 302
    assert moved.headers["Location"] == "/shop/landing/caf%C3%A9%20au%20lait?x=1&y=%2F"
    posted = client.post("/shop/submit?token=abc", data={"a": "1"})
    assert (posted.status_code, posted.headers["Location"]) == (308, "/shop/accepted")


def test_redirect_to_path_under_a_wsgi_script_root():
    def go(request):
        return redirect_to_path(request, "/next/<odd> path")

    app = Application([("/go", go)])
    reply = app.get_local_client().get("/go", environ_overrides={"SCRIPT_NAME": "/mounted"})
    assert reply.headers["Location"] == "/mounted/next/%3Codd%3E%20path"
