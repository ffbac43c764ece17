"""The ASGI application for servers: `fastapi run`, `uvicorn {{ cookiecutter.project_slug }}.main:app`."""

from .app import create_app
from .startup import load_settings

app = create_app(load_settings())
