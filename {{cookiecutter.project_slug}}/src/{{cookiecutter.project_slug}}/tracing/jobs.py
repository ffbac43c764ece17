"""Jobs in the trace of the request that queued them.

Sending puts the current trace context in the message's labels (`traceparent`); running
starts the job's span under it and keeps it current for the job's run, its retry, and its
completion notice, which each job's asyncio task of its own confines to that job.
"""

from contextvars import ContextVar
from typing import Any

from opentelemetry import context, propagate, trace
from opentelemetry.trace import SpanKind, StatusCode
from taskiq import TaskiqMessage, TaskiqMiddleware, TaskiqResult

_SPAN: ContextVar[trace.Span | None] = ContextVar("job_span", default=None)


class JobTracing(TaskiqMiddleware):
    def pre_send(self, message: TaskiqMessage) -> TaskiqMessage:
        propagate.inject(message.labels)
        return message

    def pre_execute(self, message: TaskiqMessage) -> TaskiqMessage:
        parent = propagate.extract(message.labels)
        span = trace.get_tracer(__name__).start_span(
            f"job {message.task_name}",
            parent,
            kind=SpanKind.CONSUMER,
            attributes={
                "messaging.system": "taskiq",
                "messaging.operation.type": "process",
                "messaging.message.id": message.task_id,
            },
        )
        # Not detached: the job's task ends with the job.
        context.attach(trace.set_span_in_context(span, parent))
        _SPAN.set(span)
        return message

    def post_execute(self, message: TaskiqMessage, result: TaskiqResult[Any]) -> None:
        """Ends the span; it stays current for the completion notice, sent after this."""
        span = _SPAN.get()
        if span is None:
            return
        if result.is_err:
            span.set_status(StatusCode.ERROR, type(result.error).__name__)
        span.end()
