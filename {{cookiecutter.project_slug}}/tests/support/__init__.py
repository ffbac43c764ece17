"""Helpers of the tests: a real server, a network to break, modules to add to an app."""
