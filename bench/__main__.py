"""Placeholder for `make bench` until benchmarks land."""

print("bench: no benchmarks yet")
