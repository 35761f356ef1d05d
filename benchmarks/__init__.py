"""Benchmarks: each ``bench_*.py`` module has ``main(argv) -> int``; run them with
``bash dev.sh bench [NAME...]``. Results are ratios against a reference measured in the
same run, never timing asserts in unit tests."""
