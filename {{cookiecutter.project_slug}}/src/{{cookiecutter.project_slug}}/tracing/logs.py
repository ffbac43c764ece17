"""`trace_id` and `span_id` on every log record, so a log line finds its trace."""

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from opentelemetry import trace


def trace_ids() -> dict[str, str | None]:
    """The current span's ids in hex, as trace backends show them; None outside a span."""
    context = trace.get_current_span().get_span_context()
    if not context.is_valid:
        return {"trace_id": None, "span_id": None}
    return {
        "trace_id": trace.format_trace_id(context.trace_id),
        "span_id": trace.format_span_id(context.span_id),
    }


@contextmanager
def trace_ids_in_logs() -> Iterator[None]:
    """Records made meanwhile carry the ids, whichever handler writes them.

    A record factory rather than a filter: a filter sees only the records of the handler or
    logger it is added to, and handlers are configured elsewhere.
    """
    make_record = logging.getLogRecordFactory()

    def with_trace_ids(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = make_record(*args, **kwargs)
        record.__dict__.update(trace_ids())
        return record

    logging.setLogRecordFactory(with_trace_ids)
    try:
        yield
    finally:
        logging.setLogRecordFactory(make_record)
