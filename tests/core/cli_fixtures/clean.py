"""An application with nothing to report."""

from clastic import GET, POST, Application, render_basic


def hello(name="world"):
    return f"Hello, {name}!"


def create_app():
    return Application(
        [
            GET("/", hello, render_basic),
            GET("/hello/<name>", hello, render_basic),
            POST("/hello/<name>", hello, render_basic),
        ]
    )
