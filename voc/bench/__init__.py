"""Benchmarks (``voc bench …``): each module times what the user waits for and writes docs/BENCHMARKS.md."""
