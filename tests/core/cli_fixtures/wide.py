"""Routes that earlier, wider routes shadow, and look-alikes they do not (for `clastic routes/check`)."""

from clastic import GET, POST, S_STRICT, Application, Route, render_basic


def page(_route):
    return _route.pattern


def create_app():
    return Application(
        [
            # shadowed: every path and method of the later route is answered first
            ("/a/<x>", page, render_basic),  # 1
            ("/a/b", page, render_basic),  # 2: by 1
            ("/c/<n>", page, render_basic),  # 3
            ("/c/<n:int>", page, render_basic),  # 4: by 3
            ("/f/<xs*>", page, render_basic),  # 5
            ("/f/<y>/<z?>", page, render_basic),  # 6: by 5
            ("/d/<rest+>", page, render_basic),  # 7
            ("/d/<x:int>", page, render_basic),  # 8: by 7
            ("/e/<x?>", page, render_basic),  # 9
            ("/e/", page, render_basic),  # 10: by 9
            GET("/g/<x>", page, render_basic),  # 11
            POST("/g/<y>", page, render_basic),  # 12
            Route("/g/z", page, render_basic, methods=["GET", "POST"]),  # 13: by 11 and 12
            ("/s/<x>", page, render_basic),  # 14
            Route("/s/<y:int>", page, render_basic, slash_mode=S_STRICT),  # 15: by 14
            ("/h/<x:float>", page, render_basic),  # 16
            ("/h/1.5", page, render_basic),  # 17: by 16
            ("/h/2", page, render_basic),  # 18: by 16
            # not shadowed: some path or method still reaches the later route
            ("/n/<x:int>", page, render_basic),  # 19
            ("/n/<x>", page, render_basic),  # 20: /n/abc
            ("/m/<x:float>", page, render_basic),  # 21
            ("/m/<x:int>", page, render_basic),  # 22: integers too long for a float
            GET("/p/<x>", page, render_basic),  # 23
            POST("/p/q", page, render_basic),  # 24: POST
            GET("/q/<x>", page, render_basic),  # 25
            ("/q/r", page, render_basic),  # 26: every method but GET and HEAD
            Route("/t/<x>", page, render_basic, slash_mode=S_STRICT),  # 27
            ("/t/u", page, render_basic),  # 28: /t/u/ and //t/u
            Route("/v/<x>/", page, render_basic, slash_mode=S_STRICT),  # 29
            Route("/v/w", page, render_basic, slash_mode=S_STRICT),  # 30: no trailing slash
            ("/w/<x>", page, render_basic),  # 31
            ("/w/<x>/<y>", page, render_basic),  # 32: two segments
            ("/x/<a*int>/<b*>", page, render_basic),  # 33
            ("/x/<c*>", page, render_basic),  # 34: which split route 33 converts decides
            ("/y/<x?>", page, render_basic),  # 35
            ("/y/<a>/<b>", page, render_basic),  # 36: two segments
            ("/z/<x+>", page, render_basic),  # 37
            ("/z/", page, render_basic),  # 38: /z/ itself
            ("/k/<x:int>", page, render_basic),  # 39
            ("/k/1.5", page, render_basic),  # 40: not an int
            ("/<page_name>", page, render_basic),  # 41
            ("/about", page, render_basic),  # 42: by 41
        ]
    )


app = create_app()
