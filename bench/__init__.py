"""Benchmarks: each entry prints a table and writes JSON; ratios are measured side by side."""
