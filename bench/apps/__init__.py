"""Baseline apps, served from the generated project's virtualenv with `--app-dir`."""
