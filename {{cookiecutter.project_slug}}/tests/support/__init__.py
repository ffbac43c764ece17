"""Helpers for tests that act from outside the process: a real server, a network to break."""
