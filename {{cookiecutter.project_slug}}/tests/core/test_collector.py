"""The garbage collector is tuned while the app runs, and left as it was afterwards."""

import gc

from asgi_lifespan import LifespanManager

from {{ cookiecutter.project_slug }}.app import create_app
from {{ cookiecutter.project_slug }}.modules import Settings


async def test_collections_are_rarer_and_startup_objects_frozen(settings: Settings) -> None:
    before = gc.get_threshold()
    app = create_app(settings.model_copy(update={"gc_young_threshold": 12_345}))
    async with LifespanManager(app):
        assert gc.get_threshold() == (12_345, *before[1:])
        assert gc.get_freeze_count() > 0
        assert not any(tracked is app for tracked in gc.get_objects())  # frozen: never walked
    assert gc.get_threshold() == before
    assert any(tracked is app for tracked in gc.get_objects())
    assert gc.get_freeze_count() == 0


async def test_zero_leaves_python_settings_alone(settings: Settings) -> None:
    before = gc.get_threshold()
    async with LifespanManager(create_app(settings.model_copy(update={"gc_young_threshold": 0}))):
        assert gc.get_threshold() == before
        assert gc.get_freeze_count() == 0
