"""Benchmarks of the services this template generates, as ratios against same-run baselines.

Run `python -m bench --help` from the template's root; see BENCHMARKS.md.
"""
