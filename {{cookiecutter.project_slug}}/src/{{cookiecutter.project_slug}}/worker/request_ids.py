"""The request id travels with the jobs a request queues, so one id finds both in the logs.

Sending copies the current id (`REQUEST_ID`) into the message's labels; running sets it from
them. Each job runs in an asyncio task of its own, so the id holds for the job's run, its
retry and its completion notice, and for no other job; `RequestIdFilter` puts it on every log
line meanwhile, in the service's process and in a worker's.
"""

import logging
import sys

from taskiq import TaskiqMessage, TaskiqMiddleware

from ..middleware.request_id import REQUEST_ID, JsonLinesHandler

LABEL = "request_id"


class RequestIdLabel(TaskiqMiddleware):
    def pre_send(self, message: TaskiqMessage) -> TaskiqMessage:
        """Outside a request (the scheduler, start-up) there is no id, and none is sent."""
        request_id = REQUEST_ID.get()
        if request_id is not None:
            message.labels.setdefault(LABEL, request_id)
        return message

    def pre_execute(self, message: TaskiqMessage) -> TaskiqMessage:
        REQUEST_ID.set(message.labels.get(LABEL))
        return message


def json_worker_logging() -> None:
    """A worker process writes the service's JSON lines, request ids included, to stderr.

    Called before taskiq starts the worker (told `--no-configure-logging`), whose processes
    inherit the handler; the app's lifespan, run by each of them, then leaves it alone.
    """
    logging.root.addHandler(JsonLinesHandler(sys.stderr))
    logging.root.setLevel(logging.INFO)
