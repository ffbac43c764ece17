"""The registry: the only place that lists the modules this project was generated with."""

from . import items
from .module import Module
from .settings import CoreSettings


class Settings(
    CoreSettings,
):
    """All settings of the service: the core's plus each module's mixin."""


def modules(settings: Settings) -> list[Module]:
    """The enabled modules, in start-up order (shut down in reverse)."""
    return [
        items.module(),
    ]
