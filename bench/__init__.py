"""Benchmarks: synthetic cluster pages and the measurements run on them."""
