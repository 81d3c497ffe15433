"""Benchmarks: standalone scripts run by ``make bench``, never timed assertions in the tests."""
