"""GZip for large responses, with Starlette's pure-ASGI `GZipMiddleware`.

Compression runs in the event loop: where a reverse proxy compresses, leave this off.
"""

from pydantic import Field
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware

from ..module import Module
from ..settings import BaseServiceSettings


class GzipSettings(BaseServiceSettings):
    gzip_minimum_size: int = Field(
        default=500, ge=0, description="Smaller response bodies are sent uncompressed."
    )
    gzip_compress_level: int = Field(default=6, ge=1, le=9)


def gzip_module(settings: GzipSettings) -> Module:
    """Compresses what the app and the limits inside it produce."""
    return Module(
        name="gzip",
        middleware=[
            Middleware(
                GZipMiddleware,
                minimum_size=settings.gzip_minimum_size,
                compresslevel=settings.gzip_compress_level,
            )
        ],
    )
