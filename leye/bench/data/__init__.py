"""Data the benchmarks share with the tests: the screener's labelled corpus and a varied set of platform
events. Not benchmarks themselves (``leye bench`` registers only the modules directly in ``leye/bench/``),
and importable without ``tests/``, which an installed ``leye`` does not have.
"""
