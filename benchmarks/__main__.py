"""Run benchmarks: ``python -m benchmarks [NAME...]`` (all when no name is given)."""

from __future__ import annotations

import importlib
import pkgutil
import sys

import benchmarks


def _names() -> list[str]:
    return sorted(
        m.name[len("bench_") :]
        for m in pkgutil.iter_modules(benchmarks.__path__)
        if m.name.startswith("bench_")
    )


def main(argv: list[str]) -> int:
    names = argv or _names()
    unknown = [n for n in names if n not in _names()]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(_names())}")
        return 2
    status = 0
    for name in names:
        print(f"== benchmark {name}", flush=True)
        module = importlib.import_module(f"benchmarks.bench_{name}")
        status |= int(module.main([]))
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
