"""ContextProcessor and SimpleContextProcessor through real Applications."""

import pytest
from werkzeug.test import Client

from clastic import Application, Middleware, render_basic, render_json
from clastic.exceptions import ReservedArgumentError, UnresolvedArgumentError
from clastic.middleware.context import AmbiguousArgumentError, ContextProcessor, SimpleContextProcessor


class UserMiddleware(Middleware):
    provides = ("user",)

    def request(self, next, request):
        return next(user=request.args.get("user", "anonymous"))


def page(request):
    if "preset" in request.args:
        return {"site_name": "set by the endpoint"}
    return {"title": "Home"}


def test_required_names_come_from_resources_middlewares_and_builtins():
    processor = ContextProcessor(required=["site_name", "user"], defaults={"lang": "en"})
    app = Application(
        [("/", page, render_json)], resources={"site_name": "Erosion"}, middlewares=[UserMiddleware(), processor]
    )
    client = Client(app)
    assert client.get("/?user=ann").json == {"title": "Home", "site_name": "Erosion", "user": "ann", "lang": "en"}


def test_existing_keys_are_kept_unless_overwrite():
    app = Application(
        [("/", page, render_json)], resources={"site_name": "Erosion"}, middlewares=[ContextProcessor(["site_name"])]
    )
    assert Client(app).get("/?preset=1").json == {"site_name": "set by the endpoint"}
    app = Application(
        [("/", page, render_json)],
        resources={"site_name": "Erosion"},
        middlewares=[ContextProcessor(["site_name"], overwrite=True)],
    )
    assert Client(app).get("/?preset=1").json == {"site_name": "Erosion"}


def test_defaults_use_a_provided_value_when_there_is_one():
    processor = ContextProcessor(defaults={"lang": "en", "site_name": "untitled"})
    with_resource = Application([("/", page, render_json)], resources={"site_name": "Erosion"}, middlewares=[processor])
    assert Client(with_resource).get("/").json == {"title": "Home", "lang": "en", "site_name": "Erosion"}
    without = Application([("/", page, render_json)], middlewares=[processor])
    assert Client(without).get("/").json == {"title": "Home", "lang": "en", "site_name": "untitled"}


def test_builtin_names_are_available():
    def show(context):
        return render_json({"path": context["request"].path, "route": context["_route"].pattern})

    app = Application([("/here", lambda: {}, show)], middlewares=[ContextProcessor(["request", "_route"])])
    assert Client(app).get("/here").json == {"path": "/here", "route": "/here"}


def test_non_dict_context_is_left_alone():
    app = Application(
        [("/", lambda: "plain text", render_basic)],
        resources={"site_name": "E"},
        middlewares=[ContextProcessor(["site_name"])],
    )
    assert Client(app).get("/").text == "plain text"


def test_required_name_nothing_provides_fails_when_the_app_is_built():
    with pytest.raises(UnresolvedArgumentError, match=r"'site_nme'.*Did you mean 'site_name'"):
        Application(
            [("/", page, render_json)], resources={"site_name": "E"}, middlewares=[ContextProcessor(["site_nme"])]
        )


def test_constructor_errors():
    with pytest.raises(TypeError, match="required names must be strings, got 3"):
        ContextProcessor([3])
    with pytest.raises(TypeError, match="defaults must be a mapping"):
        ContextProcessor(defaults=["lang"])
    with pytest.raises(ReservedArgumentError, match="attempted to use reserved argument 'next'"):
        ContextProcessor(["next"])
    with pytest.raises(ReservedArgumentError, match="attempted to use reserved argument 'context'"):
        SimpleContextProcessor(context=1)
    with pytest.raises(AmbiguousArgumentError, match="ambiguous argument 'lang'"):
        ContextProcessor(["lang"], defaults={"lang": "en"})
    with pytest.raises(NameError, match="ambiguous argument 'lang'"):
        SimpleContextProcessor("lang", lang="en")


def test_simple_context_processor_defaults():
    app = Application(
        [("/", page, render_json)],
        resources={"site_name": "Erosion"},
        middlewares=[SimpleContextProcessor("site_name", "user", lang="en")],
    )
    assert Client(app).get("/").json == {"title": "Home", "site_name": "Erosion", "user": None, "lang": "en"}
