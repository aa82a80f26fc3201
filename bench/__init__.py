"""Benchmarks: `make bench` (python -m bench). Each target compares against a baseline measured in the same run."""
