"""The request id travels upstream, so one id finds a call in this service's log and in the
upstream's."""

import httpx

from ..middleware.request_id import REQUEST_ID

HEADER = "X-Request-ID"


async def propagate_request_id(request: httpx.Request) -> None:
    """Request hook: send the id of the request being served, unless the call sets its own.

    Outside a request (a job, start-up) there is no id, and nothing is sent.
    """
    request_id = REQUEST_ID.get()
    if request_id is not None and HEADER not in request.headers:
        request.headers[HEADER] = request_id
