"""A shop with a middleware, resources, a factory and three shadowed routes (for `clastic routes/check`).

Like the README's hello world, it calls ``app.serve()`` at module level,
without a ``__main__`` guard: importing it from the command line must not
start a server.
"""

from clastic import GET, POST, Application, Middleware, Response, render_basic


class VisitorMiddleware(Middleware):
    provides = ("visitor",)

    def request(self, next, request):
        return next(visitor=request.remote_addr)


def home(request):
    return "home"


def product(sku, db, visitor):
    return f"{sku} for {visitor} from {db}"


def buy(code, db):
    return f"bought {code}"


def other():
    return "other"


def create_app(flavour="sqlite"):
    return Application(
        [
            GET("/", home, render_basic),
            ("/product/<sku>", product, render_basic),
            POST("/product/<code>", buy, lambda context: Response(context)),
            GET("/", other, render_basic),
            GET("/page/<n:int>", other, render_basic),
            GET("/page/<number:int>/", other, render_basic),
            GET("/page/<n:float>", other, render_basic),
        ],
        resources={"db": flavour},
        middlewares=[VisitorMiddleware()],
    )


app = create_app()
app.serve()
