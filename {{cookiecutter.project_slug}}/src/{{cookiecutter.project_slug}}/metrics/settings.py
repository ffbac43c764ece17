"""Settings of the metrics: how the event loop is watched, and when its lag fails readiness."""

from pydantic import Field

from ..settings import BaseServiceSettings


class MetricsSettings(BaseServiceSettings):
    metrics_loop_interval: float = Field(
        default=0.5, gt=0, description="Seconds between two samples of the event loop's lag."
    )
    metrics_slow_callback: float = Field(
        default=0.1,
        gt=0,
        description="Lag in seconds from which a sample counts as a slow callback.",
    )
    metrics_ready_max_lag: float | None = Field(
        default=None,
        gt=0,
        description=(
            "Readiness fails while every lag sample of the last `METRICS_READY_LAG_WINDOW` "
            "seconds is above this many seconds; unset: lag never fails readiness."
        ),
    )
    metrics_ready_lag_window: float = Field(
        default=5.0, gt=0, description="Seconds the lag must stay high before readiness fails."
    )
