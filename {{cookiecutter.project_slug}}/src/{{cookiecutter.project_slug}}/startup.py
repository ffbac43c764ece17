"""Settings as the service starts with them: one readable line per problem, not a traceback.

Every way to serve the service goes through `load_settings` (`main.py` for `fastapi run` and
uvicorn, `__main__.py` for `python -m`), so a bad variable stops each of them the same way,
and production refuses settings that are only safe on a developer's machine.
"""

import re

from pydantic import ValidationError
from pydantic_settings import SettingsError

from .modules import Settings
from .settings import ENV_PREFIX, variable

_FIELD = re.compile(r'field "(\w+)"')


def load_settings() -> Settings:
    """The settings to serve with; exits with one line per problem, which in production
    includes every production rule they break."""
    settings = read_settings()
    if settings.environment == "production" and (problems := settings.production_problems()):
        raise SystemExit("\n".join(["Unsafe settings for production:", *problems]))
    return settings


def read_settings() -> Settings:
    """The settings in this process's environment; exits with one line per invalid one."""
    try:
        return Settings()
    except (ValidationError, SettingsError) as error:
        raise SystemExit("\n".join(["Invalid settings:", *describe(error)])) from None


def describe(error: ValidationError | SettingsError) -> list[str]:
    """Each problem on a line that starts with the variable to change (never its value,
    which may be a secret)."""
    if isinstance(error, SettingsError):  # a value that is not the JSON the field needs
        field = _FIELD.search(str(error))
        name = variable(field.group(1)) if field else "a variable"
        return [f"{name}: not valid JSON for this setting"]
    return [_line(problem["loc"], problem["msg"]) for problem in error.errors()]


def _line(location: tuple[int | str, ...], message: str) -> str:
    if not location:  # a rule across several settings names them in its message
        return message
    field, *inner = location
    name = str(field).upper()  # a field's name, or the alias it was read under
    name = name if name.startswith(ENV_PREFIX) else variable(str(field))
    return name + "".join(f"[{part!r}]" for part in inner) + f": {message}"
