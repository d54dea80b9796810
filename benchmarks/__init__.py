"""Benchmarks of goclaw-db against the bare database tools (see benchmarks/README.md).

Run with ``python -m benchmarks`` (``--quick`` for scaled-down sizes); the run
writes ``benchmarks/RESULTS.md``.  Nothing here is part of the test suite.
"""
