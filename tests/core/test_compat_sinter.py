"""clastic.sinter: Clastic 26's injection helpers as adapters over today's injection and chains."""

import functools
import linecache
import traceback

import pytest
from boltons.funcutils import FunctionBuilder

from clastic import sinter


def greet(name, greeting="hi", *args, punct, **kwargs):
    return f"{greeting} {name}{punct}"


class Greeter:
    def hello(self, name, loud=False):
        return name.upper() if loud else name

    def __call__(self, who):
        return f"called {who}"


def test_get_fb_describes_functions_methods_and_callable_objects():
    fb = sinter.get_fb(greet)
    assert isinstance(fb, FunctionBuilder)
    assert (
        fb.args == ["name", "greeting"] and fb.varargs == "args" and fb.varkw == "kwargs" and fb.kwonlyargs == ["punct"]
    )
    assert fb.get_arg_names() == ("name", "greeting", "punct") and fb.get_arg_names(only_required=True) == (
        "name",
        "punct",
    )
    assert fb.get_defaults_dict() == {"greeting": "hi"}
    method = Greeter().hello
    assert sinter.get_fb(method).args == ["name", "loud"]
    assert sinter.get_fb(method, drop_self=False).args == ["self", "name", "loud"]
    assert sinter.get_fb(Greeter()).args == ["who"]
    assert sinter.get_fb(dict).args == []  # no readable signature: no arguments


def test_get_fb_follows_wraps_and_trusts_sinter_fb():
    @functools.wraps(greet)
    def wrapper(*args, **kwargs):
        return greet(*args, **kwargs)

    assert sinter.get_fb(wrapper).args == ["name", "greeting"]
    given = FunctionBuilder("x", args=["a", "b"])
    wrapper._sinter_fb = given
    assert sinter.get_fb(wrapper) is given
    with pytest.raises(TypeError, match="expected a function or other callable, not: 3"):
        sinter.get_fb(3)


def test_get_arg_names_inject_and_callable_names():
    assert sinter.get_arg_names(greet) == ("name", "greeting", "punct")
    assert sinter.get_arg_names(greet, only_required=True) == ("name", "punct")
    assert sinter.inject(lambda a, b=2: a + b, {"a": 1, "c": 3}) == 3
    assert sinter.inject(lambda a, **kw: (a, kw), {"a": 1, "c": 3}) == (1, {"c": 3})
    assert sinter.inject(greet, {"name": "ann", "punct": "?", "other": 1}) == "hi ann?"
    assert sinter.get_callable_name(Greeter().hello) == (__name__, "Greeter.hello")
    from clastic.render.tabular import get_callable_labels

    assert sinter.get_callable_labels is get_callable_labels
    assert sinter.get_callable_labels(greet)[1:] == ("greet", "greet(name, greeting='hi', *args, punct, **kwargs)")


def test_make_chain_compiles_functions_around_a_final_one():
    calls = []

    def outer(next, a):
        calls.append("outer")
        return next(b=a * 2)

    def middle(next, b, c=None):
        calls.append("middle")
        return next(c=b + 1)

    chain, args, unresolved = sinter.make_chain(
        [outer, middle], [["b"], ["c"]], lambda b, c, d: (b, c, d), ["a", "d", "unused"]
    )
    assert (args, unresolved) == (("a", "d"), ())
    assert chain(a=3, d="d") == (6, 7, "d") and calls == ["outer", "middle"]
    # A name nothing provides is reported, and the chain takes it as an argument.
    chain, args, unresolved = sinter.make_chain([outer], [["b"]], lambda b, z: (b, z), ["a"])
    assert (args, unresolved) == (("a", "z"), ("z",))
    assert chain(a=1, z="zz") == (2, "zz")
    # kwargs functions receive everything available; inner_name names the first argument.
    chain, args, _ = sinter.make_chain(
        [lambda inner, **kw: inner(x=sorted(kw))], [["x"]], lambda x: x, ["p", "q"], inner_name="inner"
    )
    assert chain(p=1, q=2) == ["p", "q"]
    with pytest.raises(TypeError, match=r"must take argument 'next' as the first parameter"):
        sinter.make_chain([lambda a: a], [[]], lambda: 1, [])
    with pytest.raises(ValueError, match=r"one list of provided names per function \(1\), got 0"):
        sinter.make_chain([outer], [], lambda: 1, [])


def test_compile_chain_build_chain_str_and_chain_argspec():
    def outer(next, a):
        return next(b=a + 1)

    chain = sinter.compile_chain([outer], [["b"]], lambda b: b * 10, ["a"])
    assert chain(a=1) == 20
    source = sinter.build_chain_str([outer], [["b"]], lambda b: b * 10, ["a"])
    assert source.startswith("def _clastic_chain(a):\n") and "_clastic_mw0_request(_clastic_next_c0, a)" in source
    compile(source, "<check>", "exec")
    assert sinter.chain_argspec([outer], [["b"]], lambda b, c: b, ["a"]) == (("a", "c"), ("c",))
    # Keyword names are passed by keyword, never used as variables.
    chain, args, _ = sinter.make_chain([], [], lambda **kw: kw["lambda"], ["lambda"])
    assert args == ("lambda",) and chain(**{"lambda": "λ"}) == "λ"


def test_compile_code_registers_source_for_tracebacks():
    code = "def boom(x):\n    raise ValueError(x)\n"
    boom = sinter.compile_code(code, "boom")
    with pytest.raises(ValueError, match="bang") as info:
        boom("bang")
    text = "".join(traceback.format_exception(info.value))
    assert "<clastic compiled boom #" in text and "raise ValueError(x)" in text
    filename = boom.__code__.co_filename
    assert linecache.getlines(filename) == code.splitlines(True)
    assert sinter.compile_code("def f():\n    return k\n", "f", {"k": 5})() == 5
    with pytest.raises(NameError, match="compile_code\\(\\): the code does not define 'g'"):
        sinter.compile_code("def f():\n    pass\n", "g")
