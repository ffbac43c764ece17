"""`python -m bench`: bake, install, serve, load, and print the table."""

from .cli import main

raise SystemExit(main())
