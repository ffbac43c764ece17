"""OpenTelemetry tracing, configured by the standard `OTEL_*` variables.

With `OTEL_EXPORTER_OTLP_ENDPOINT` (or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) set, each process
(the service's, a worker's) installs the SDK in its lifespan and sends spans over OTLP/HTTP;
its shutdown sends what is left. Without one, or with `OTEL_SDK_DISABLED=true`, no SDK is
installed: spans are the API's no-ops, nothing is exported, and log lines get `trace_id` and
`span_id` as None.

For other code, the interface is OpenTelemetry's own API:
`opentelemetry.trace.get_tracer(__name__).start_as_current_span(...)`.
"""

from .logs import trace_ids
from .provider import tracing_module

__all__ = ["trace_ids", "tracing_module"]
