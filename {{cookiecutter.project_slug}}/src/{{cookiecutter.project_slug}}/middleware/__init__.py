"""Optional pure-ASGI middleware, chosen at generation time, in a deliberate order.

The core always wraps the app in `BodyLimitMiddleware` (outermost of the app's own).
"""

from ..module import Module
from ..settings import BaseServiceSettings


class MiddlewareSettings(BaseServiceSettings):
    """Settings of the optional middleware."""


def middleware_module(settings: MiddlewareSettings) -> Module:
    return Module(name="middleware", middleware=[])
