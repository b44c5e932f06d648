from clastic import Application, render_basic


def hello(name="world"):
    return f"Hello, {name}!"


def test_readme_hello_world():
    app = Application([("/", hello, render_basic), ("/<name>", hello, render_basic)])
    client = app.get_local_client()
    assert client.get("/").text == "Hello, world!"
    assert client.get("/Ben").text == "Hello, Ben!"
    assert client.get("/a/b").status_code == 404
