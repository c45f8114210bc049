"""Standby's benchmarks: ``make bench`` (``python -m bench.run``) measures every budget of
the design and writes bench/RESULTS.md."""
