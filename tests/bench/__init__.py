"""Benchmarks for `make bench`: each bench_*.py measures against a baseline run in the same process."""
