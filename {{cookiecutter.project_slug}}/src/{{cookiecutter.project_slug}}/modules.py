"""The registry: the only place that lists the modules this project was generated with."""

{% if cookiecutter.database != "none" %}
from .db import DatabaseSettings, database_module
{% endif %}
from .items import items_module
from .middleware import MiddlewareSettings, middleware_module
from .module import Module
{% if cookiecutter.websockets %}
from .realtime import RealtimeSettings, realtime_module
{% endif %}
from .settings import CoreSettings
{% if cookiecutter.background_worker %}
from .worker import WorkerSettings, worker_module
{% endif %}


class Settings(
    CoreSettings,
    MiddlewareSettings,
{% if cookiecutter.database != "none" %}
    DatabaseSettings,
{% endif %}
{% if cookiecutter.websockets %}
    RealtimeSettings,
{% endif %}
{% if cookiecutter.background_worker %}
    WorkerSettings,
{% endif %}
):
    """All settings of the service: the core's plus each module's mixin."""


def modules(settings: Settings) -> list[Module]:
    """The enabled modules, in start-up order (shut down in reverse)."""
    return [
        middleware_module(settings),
{% if cookiecutter.database != "none" %}
        database_module(settings),
{% endif %}
        items_module(),
{% if cookiecutter.websockets %}
        realtime_module(settings),
{% endif %}
{% if cookiecutter.background_worker %}
        worker_module(settings),
{% endif %}
    ]
