"""The ASGI application for servers: `fastapi run`, `uvicorn {{ cookiecutter.project_slug }}.main:app`."""

from .app import create_app

app = create_app()
