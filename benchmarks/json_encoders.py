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
default. Rounds interleave, and ratios are medians of per-round ratios.
"""

from __future__ import annotations

import argparse
import datetime
import json
import statistics
import sys
from collections.abc import Callable
from typing import Any

from _timing import interleaved_samples, paired_ratios

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
DOCUMENTS = {"small dict (4 keys)": SMALL, "100 records (12 kB compact)": RECORDS}


def encoders() -> dict[str, Callable[[Any], bytes]]:
    """Return the encoders by name, each turning a document into response bytes."""
    import orjson
    from clastic import render_json

    pretty = orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS

    return {
        "stdlib, render_json's options": lambda doc: render_json.encode(doc).encode("utf-8"),
        "orjson, same options": lambda doc: orjson.dumps(doc, option=pretty),
        "stdlib, compact": lambda doc: json.dumps(doc, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode(),
        "orjson, compact": lambda doc: orjson.dumps(doc, option=orjson.OPT_SORT_KEYS),
    }


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="5 rounds of 2,000 calls instead of 15 of 10,000")
    args = parser.parse_args(argv)
    rounds, number = (5, 2000) if args.quick else (15, 10000)
    try:
        funcs = encoders()
    except ImportError as ex:
        print(f"{ex}: run this in the bench environment (hatch run bench:json), which installs orjson", file=sys.stderr)
        return 2
    from importlib.metadata import version

    print(
        f"{datetime.date.today().isoformat()}; Python {sys.version.split()[0]}, orjson {version('orjson')}; "
        f"{rounds} rounds × {number} calls, interleaved\n"
    )
    print("| document | stdlib, render_json's options | orjson, same options | orjson / stdlib | same bytes "
          "| stdlib, compact | orjson, compact | orjson / stdlib | same bytes |")
    print("|" + " --- |" * 9)
    names = list(funcs)
    for label, doc in DOCUMENTS.items():
        samples = interleaved_samples({name: (lambda f=funcs[name], d=doc: f(d)) for name in names}, rounds, number)
        cells = []
        for stdlib, fast in ((names[0], names[1]), (names[2], names[3])):
            ratio = statistics.median(paired_ratios(samples[fast], samples[stdlib]))
            same = "yes" if funcs[stdlib](doc) == funcs[fast](doc) else "no"
            cells += [
                f"{statistics.median(samples[stdlib]) * 1e6:.2f} µs",
                f"{statistics.median(samples[fast]) * 1e6:.2f} µs",
                f"{ratio:.2f}×",
                same,
            ]
        print(f"| {label} | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
