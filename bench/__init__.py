"""Benchmarks of Pli against its peers (run with `make bench`; results in docs/benchmarks.md)."""
