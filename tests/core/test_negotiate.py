"""clastic._negotiate: every Accept decision, memoised, answers as Werkzeug's parser does."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from clastic import Application, Middleware, Route, render_basic
from clastic._negotiate import CACHE_SIZE, best_match, request_best_match
from clastic.errors import NotFound

OFFERS = ("text/html", "application/json", "application/problem+json", "text/plain", "application/xml")

accept_values = st.one_of(
    st.none(),
    st.lists(
        st.tuples(
            st.sampled_from(["text/html", "*/*", "application/*", "application/json", "text/plain", "bogus", ""]),
            st.sampled_from(["", ";q=0", ";q=0.5", ";q=1", ";q=x", ";level=1"]),
        ),
        max_size=5,
    ).map(lambda items: ", ".join(mime + param for mime, param in items)),
    st.text(max_size=20),
)


@given(accept_values, st.sampled_from([None, "text/plain"]))
def test_best_match_is_werkzeugs(accept: str | None, default: str | None) -> None:
    expected = parse_accept_header(accept, MIMEAccept).best_match(OFFERS, default)
    assert best_match(accept, OFFERS, default) == expected


def test_answers_are_kept_in_a_bounded_cache() -> None:
    best_match.cache_clear()
    for _ in range(3):
        best_match("text/html,*/*;q=0.8", OFFERS)
    info = best_match.cache_info()
    assert (info.hits, info.misses, info.maxsize) == (2, 1, CACHE_SIZE)
    for index in range(CACHE_SIZE + 10):
        best_match(f"application/x-{index}", OFFERS)
    assert best_match.cache_info().currsize == CACHE_SIZE


def test_an_invalid_offer_gives_the_default() -> None:
    assert best_match("text/html", ("nonsense",), "fallback") == "fallback"


def test_a_request_whose_accept_a_middleware_replaced_is_asked_directly() -> None:
    class ForceJSON(Middleware):
        def request(self, next, request):
            request.accept_mimetypes = MIMEAccept([("application/json", 1)])
            return next()

    def missing() -> str:
        raise NotFound()

    app = Application([Route("/x", missing, render_basic, middlewares=[ForceJSON()])])
    reply = app.get_local_client().get("/x", headers={"Accept": "text/html"})
    assert (reply.status_code, reply.content_type) == (404, "application/json; charset=utf-8")
    assert reply.json["code"] == 404


def test_request_best_match_reads_the_requests_accept_header() -> None:
    from clastic import Request

    environ = {"HTTP_ACCEPT": "application/xml", "SERVER_NAME": "x", "SERVER_PORT": "80", "wsgi.url_scheme": "http"}
    request = Request(environ)
    assert request_best_match(request, OFFERS) == "application/xml"
    assert request_best_match(request, OFFERS) == request.accept_mimetypes.best_match(OFFERS)
