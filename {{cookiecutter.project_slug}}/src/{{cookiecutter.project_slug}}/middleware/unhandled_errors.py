"""Answer an exception the app did not handle with a 500 problem, inside the middleware.

Starlette answers such an exception in its outermost layer, past every middleware the app
adds: that response would carry no request id header and no security headers. Here it
is answered next to the app, so the module middleware treats it like any other response.
"""

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..problems import unhandled_error


class UnhandledErrorMiddleware:
    """Pure ASGI: logs the exception and sends the 500 problem in place of the response.

    The exception stops here, so the server does not log it a second time. One raised
    after the response has started cannot become a 500; it goes on to the server, which
    closes the connection.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_noting_start(message: Message) -> None:
            nonlocal started
            started = True
            await send(message)

        try:
            await self.app(scope, receive, send_noting_start)
        except Exception as exc:
            if started:
                raise
            response = await unhandled_error(Request(scope), exc)
            await response(scope, receive, send)
