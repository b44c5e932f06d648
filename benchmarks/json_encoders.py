"""Time JSON encoding alone: the standard library's encoder against orjson.

Run with ``hatch run bench:json`` (``--quick`` for a short run). Each row
encodes the same document to the bytes a response would carry:

* ``render_json`` as Clastic configures it (``ClasticJSONEncoder``, indent 2,
  sorted keys, UTF-8 rather than ``\\u`` escapes), then ``.encode("utf-8")``;
* orjson with the same options (``OPT_INDENT_2 | OPT_SORT_KEYS``);
* the standard library, compact (``separators=(",", ":")``, sorted keys),
  as Falcon and Flask send it;
* orjson compact with sorted keys.

The documents are the small dict of ``run.py``'s json case and a list of
100 records with text (some of it non-ASCII), numbers, booleans, null and
nested lists. The table says whether orjson's bytes are identical to the
standard library's for the same options: the condition for using it by
default. Rounds interleave; as in ``run.py``, times are the best round's
mean (other processes only add time) and ratios divide two such times.
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
from collections.abc import Callable
from typing import Any

from _timing import interleaved_samples

SMALL = {"message": "Hello, World!", "id": 42, "tags": ["fast", "small"], "ok": True}
RECORDS = [
    {
        "id": i,
        "name": f"user {i}",
        "city": ["Zürich", "Kraków", "São Paulo", "東京", "Boston"][i % 5],
        "score": i * 1.25,
        "active": i % 3 == 0,
        "manager": None if i % 4 else i // 4,
        "roles": ["reader", "writer"][: 1 + i % 2],
    }
    for i in range(100)
]
# name: (document, calls per sample, calls per sample with --quick)
DOCUMENTS = {"small dict (4 keys)": (SMALL, 10000, 2000), "100 records (12 kB compact)": (RECORDS, 200, 50)}


def encoders() -> dict[str, Callable[[Any], bytes]]:
    """Return the encoders by name, each turning a document into response bytes."""
    import orjson

    from clastic import render_json

    pretty = orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS

    def stdlib_compact(doc: Any) -> bytes:
        return json.dumps(doc, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()

    return {
        # The standard library's own encode() with render_json's encoder (render_json.encode() itself
        # takes clastic._json's fast paths).
        "stdlib, render_json's options": lambda doc: json.JSONEncoder.encode(render_json.json_encoder, doc).encode(),
        "orjson, same options": lambda doc: orjson.dumps(doc, option=pretty),
        "stdlib, compact": stdlib_compact,
        "orjson, compact": lambda doc: orjson.dumps(doc, option=orjson.OPT_SORT_KEYS),
    }


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5 rounds of fewer calls instead of 15")
    args = parser.parse_args(argv)
    rounds = 5 if args.quick else 15
    try:
        funcs = encoders()
    except ImportError as ex:
        print(f"{ex}: run this in the bench environment (hatch run bench:json), which installs orjson", file=sys.stderr)
        return 2
    from importlib.metadata import version

    print(
        f"{datetime.date.today().isoformat()}; Python {sys.version.split()[0]}, orjson {version('orjson')}; "
        f"best of {rounds} interleaved rounds\n"
    )
    print("| document | stdlib, render_json's options | orjson, same options | orjson / stdlib | same bytes "
          "| stdlib, compact | orjson, compact | orjson / stdlib | same bytes |")
    print("|" + " --- |" * 9)
    names = list(funcs)
    for label, (doc, number, quick_number) in DOCUMENTS.items():
        calls = quick_number if args.quick else number
        samples = interleaved_samples({name: (lambda f=funcs[name], d=doc: f(d)) for name in names}, rounds, calls)
        best = {name: min(values) for name, values in samples.items()}
        cells = []
        for stdlib, fast in ((names[0], names[1]), (names[2], names[3])):
            same = "yes" if funcs[stdlib](doc) == funcs[fast](doc) else "no"
            cells += [
                f"{best[stdlib] * 1e6:.2f} µs",
                f"{best[fast] * 1e6:.2f} µs",
                f"{best[fast] / best[stdlib]:.2f}×",
                same,
            ]
        print(f"| {label} | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
