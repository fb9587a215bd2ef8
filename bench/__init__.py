"""Performance benchmarks of partner-fix: `python -m bench --help`; figures in BENCHMARKS.md."""
