"""Benchmarks (`make bench`): speed and size targets are checked here, not by timed tests."""
