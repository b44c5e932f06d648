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


def interleaved_samples(funcs: Mapping[str, Callable[[], Any]], rounds: int, number: int) -> dict[str, list[float]]:
    """Time every function of *funcs* once per round, in turn; return each one's per-round means.

    Interleaving means machine noise (another process, frequency changes)
    falls on all contenders alike, so ratios taken within a round stay
    meaningful. The order rotates every round so that none always goes first.
    """
    for func in funcs.values():
        time_per_call(func, max(1, number // 10))  # warm up caches and lazy imports
    names = list(funcs)
    samples: dict[str, list[float]] = {name: [] for name in names}
    for index in range(rounds):
        for name in names[index % len(names) :] + names[: index % len(names)]:
            samples[name].append(time_per_call(funcs[name], number))
    return samples


def interleaved_medians(funcs: Mapping[str, Callable[[], Any]], rounds: int, number: int) -> dict[str, float]:
    """Time every function of *funcs* once per round, in turn, and return each one's median."""
    samples = interleaved_samples(funcs, rounds, number)
    return {name: statistics.median(values) for name, values in samples.items()}


def paired_ratios(top: list[float], bottom: list[float]) -> list[float]:
    """Return top / bottom for each round, from two lists of per-round samples."""
    return [a / b for a, b in zip(top, bottom, strict=True)]
