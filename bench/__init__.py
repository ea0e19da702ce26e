"""On-demand benchmarks: `python -m bench NAME` (see README)."""
