"""Tests of the job queue: a package, so its conftest does not clash with the top one."""
