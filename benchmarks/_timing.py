"""Timing shared by the benchmark scripts: interleaved rounds, median of per-round means."""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable, Mapping
from typing import Any


def time_per_call(func: Callable[[], Any], number: int) -> float:
    """Mean seconds per call of *func* over *number* calls, with the garbage collector paused."""
    gc.disable()
    try:
        start = time.perf_counter()
        for _ in range(number):
            func()
        return (time.perf_counter() - start) / number
    finally:
        gc.enable()


def interleaved_medians(funcs: Mapping[str, Callable[[], Any]], rounds: int, number: int) -> dict[str, float]:
    """Time every function of *funcs* once per round, in turn, and return each one's median.

    Interleaving means machine noise (another process, frequency changes)
    falls on all contenders alike, so their ratios stay meaningful.
    """
    for func in funcs.values():
        time_per_call(func, max(1, number // 10))  # warm up caches and lazy imports
    samples: dict[str, list[float]] = {name: [] for name in funcs}
    for _ in range(rounds):
        for name, func in funcs.items():
            samples[name].append(time_per_call(func, number))
    return {name: statistics.median(values) for name, values in samples.items()}
