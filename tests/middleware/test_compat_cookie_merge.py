"""COMPAT item 2 with the real cookie middleware: an outer application's instance serves what it embeds.

A Clastic 26 app commonly gives a mounted sub-application its own
``SignedCookieMiddleware`` and the outer application another one. Middlewares
compare by type, so the outer application's instance is kept for the mounted
routes too and the inner one is dropped (logged at build).
"""

import hashlib

from itsdangerous import URLSafeSerializer
from werkzeug.test import Client

from clastic import Application, render_json
from clastic.middleware.cookie import SignedCookieMiddleware


def put(cookie, request):
    cookie.update(request.args.to_dict())
    return {"cookie": dict(cookie)}


def show(cookie):
    return {"cookie": dict(cookie)}


def serializer(key):
    return URLSafeSerializer(key, salt="clastic.middleware.cookie:clastic_cookie",
                             signer_kwargs={"digest_method": hashlib.sha256, "key_derivation": "hmac"})  # fmt: skip


def cookie_value(resp):
    [header] = resp.headers.getlist("Set-Cookie")
    return header.split(";", 1)[0].split("=", 1)[1]


def make_inner():
    inner_mw = SignedCookieMiddleware(secret_key="inner key")
    return Application([("/put", put, render_json), ("/show", show, render_json)], middlewares=[inner_mw])


def test_two_signed_cookie_middlewares_build_and_the_outer_one_serves_both():
    outer_mw = SignedCookieMiddleware(secret_key="outer key")
    outer = Application([("/sub", make_inner()), ("/show", show, render_json)], middlewares=[outer_mw])
    client = Client(outer)
    resp = client.get("/sub/put?who=ann")
    assert resp.json == {"cookie": {"who": "ann"}}
    # Signed by the outer application's instance, so the outer routes and the mounted ones share it.
    assert serializer("outer key").loads(cookie_value(resp)) == {"d": {"who": "ann"}, "e": None}
    assert client.get("/show").json == {"cookie": {"who": "ann"}}
    assert client.get("/sub/show").json == {"cookie": {"who": "ann"}}


def test_the_inner_application_served_alone_keeps_its_own_middleware():
    resp = Client(make_inner()).get("/put?who=bob")
    assert serializer("inner key").loads(cookie_value(resp)) == {"d": {"who": "bob"}, "e": None}
