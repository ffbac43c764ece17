"""HTTP endpoints of the core."""
