"""Scripts the harness runs in other processes (most in a generated project's virtualenv)."""
