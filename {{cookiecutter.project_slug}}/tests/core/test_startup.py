"""Start-up: one readable line per bad setting; production refuses unsafe ones, and
`python -m {{ cookiecutter.project_slug }} check` says so before a deploy."""

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
{% if cookiecutter.auth == "oidc" %}
from pydantic import HttpUrl
{% endif %}

from {{ cookiecutter.project_slug }}.__main__ import main
from {{ cookiecutter.project_slug }}.check import check
from {{ cookiecutter.project_slug }}.modules import Settings
from {{ cookiecutter.project_slug }}.settings import ENV_PREFIX
from {{ cookiecutter.project_slug }}.startup import load_settings

{% if cookiecutter.database == "postgresql" %}
from conftest import ALEMBIC_INI, needs_postgresql
{% elif cookiecutter.database == "sqlite" %}
from conftest import ALEMBIC_INI
{% endif %}
{% if cookiecutter.auth == "oidc" %}
from support import identity
{% endif %}
from support.service import hermetic_environ

PROJECT = Path(__file__).parents[2]
UNSET = object()
SAFE: dict[str, Any] = {
    "docs_enabled": False,
{% if cookiecutter.security_headers %}
    "hsts_max_age": 31_536_000,
{% endif %}
{% if cookiecutter.database == "postgresql" %}
    "database_url": "postgresql+asyncpg://app:secret@db.example.com:5432/app",
{% endif %}
{% if cookiecutter.websockets %}
    "realtime_allow_anonymous": True,
{% endif %}
{% if cookiecutter.auth == "oidc" %}
    "auth_issuer": "https://login.example.com/realms/app",
    "auth_audience": "api://app",
{% endif %}
}
"""Settings that keep every production rule."""


@pytest.fixture(autouse=True)
def no_env_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
{% if cookiecutter.auth == "oidc" %}
    """Only the test's variables: no `.env` where these tests load the settings, and not the
    session's identity provider."""
{% else %}
    """Only the test's variables: no `.env` where these tests load the settings."""
{% endif %}
    monkeypatch.chdir(tmp_path)
{% if cookiecutter.auth == "oidc" %}
    for name in identity.session_settings():
        monkeypatch.delenv(ENV_PREFIX + name)
{% endif %}


def production(**changes: Any) -> Settings:
    values = {name: value for name, value in (SAFE | changes).items() if value is not UNSET}
    return Settings(_env_file=None, environment="production", **values)


def test_settings_that_keep_every_rule_pass() -> None:
    assert production().production_problems() == []


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"docs_enabled": UNSET}, "DOCS_ENABLED is unset"),
{% if cookiecutter.security_headers %}
        ({"hsts_max_age": 0}, "HSTS_MAX_AGE is 0"),
{% endif %}
{% if cookiecutter.cors %}
        (
            {"cors_allow_origins": ["*"], "cors_allow_credentials": True},
            "CORS_ALLOW_ORIGINS holds '*'",
        ),
{% endif %}
{% if cookiecutter.database == "postgresql" %}
        ({"database_url": UNSET}, "DATABASE_URL points at a SQLite file"),
{% endif %}
{% if cookiecutter.websockets %}
        ({"realtime_allow_anonymous": UNSET}, "REALTIME_ALLOW_ANONYMOUS is unset"),
{% endif %}
{% if cookiecutter.auth == "oidc" %}
        ({"auth_issuer": UNSET}, "AUTH_ISSUER: required"),
        ({"auth_audience": UNSET}, "AUTH_AUDIENCE: required"),
        ({"auth_dev_key_file": "dev-key.pem"}, "AUTH_DEV_KEY_FILE: a development key"),
{% endif %}
    ],
)
def test_each_rule_names_the_variable_to_change(changes: dict[str, Any], problem: str) -> None:
    [line] = production(**changes).production_problems()
    assert line.startswith(ENV_PREFIX + problem)


def test_docs_on_purpose_are_accepted() -> None:
    assert production(docs_enabled=True).production_problems() == []


{% set redis = cookiecutter.websockets or cookiecutter.background_worker or cookiecutter.rate_limit %}
{% if redis or cookiecutter.database == "postgresql" %}
def test_urls_with_passwords_stay_out_of_reprs() -> None:
    settings = Settings(
        _env_file=None,
{% if redis %}
        redis_url="redis://:hunter2@cache.example.com:6379/0",
{% endif %}
{% if cookiecutter.database == "postgresql" %}
        database_url="postgresql+asyncpg://app:hunter2@db.example.com:5432/app",
{% endif %}
    )
    assert "hunter2" not in repr(settings)
    assert "hunter2" not in str(settings)


{% endif %}
def refusal() -> list[str]:
    """The lines `load_settings` stops the service with."""
    with pytest.raises(SystemExit) as refused:
        load_settings()
    return str(refused.value.code).splitlines()


def test_production_refuses_to_start_naming_each_problem(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(ENV_PREFIX + "ENVIRONMENT", "production")
    lines = refusal()
    assert lines[0] == "Unsafe settings for production:"
    assert lines[1:] == Settings(_env_file=None).production_problems()
    assert len(lines) > 1


def test_development_starts_with_the_defaults() -> None:
    assert load_settings().environment == "development"


def test_every_invalid_setting_is_one_line_naming_its_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(ENV_PREFIX + "PORT", "abc")
    monkeypatch.setenv(ENV_PREFIX + "LOG_LEVEL", "loud")
    assert refusal() == [
        "Invalid settings:",
        f"{ENV_PREFIX}PORT: Input should be a valid integer, unable to parse string as an integer",
        f"{ENV_PREFIX}LOG_LEVEL: Input should be 'critical', 'error', 'warning', 'info' or 'debug'",
    ]


{% if cookiecutter.cors %}
def test_a_list_that_is_not_json_names_its_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_PREFIX + "CORS_ALLOW_ORIGINS", "https://app.example.com")
    assert refusal() == [
        "Invalid settings:",
        f"{ENV_PREFIX}CORS_ALLOW_ORIGINS: not valid JSON for this setting",
    ]


{% endif %}
def test_a_bad_setting_stops_python_m_with_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENV_PREFIX + "PORT", "abc")
    with pytest.raises(SystemExit) as stopped:
        main([])
    assert str(stopped.value.code).splitlines() == [
        "Invalid settings:",
        f"{ENV_PREFIX}PORT: Input should be a valid integer, unable to parse string as an integer",
    ]


@pytest.mark.process
def test_a_bad_setting_stops_fastapi_run_with_one_line(tmp_path: Path) -> None:
    shutil.copy(PROJECT / "pyproject.toml", tmp_path)  # where `fastapi run` finds the app
    stopped = subprocess.run(  # noqa: S603 - our own interpreter's tools
        [str(Path(sys.executable).with_name("fastapi")), "run"],
        env=hermetic_environ(PORT="abc"),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert stopped.returncode == 1
    assert "Traceback" not in stopped.stderr
    assert stopped.stderr.splitlines()[-2:] == [
        "Invalid settings:",
        f"{ENV_PREFIX}PORT: Input should be a valid integer, unable to parse string as an integer",
    ]


{% if cookiecutter.database != "none" %}
{% if cookiecutter.database == "postgresql" %}
@needs_postgresql  # production refuses SQLite
{% endif %}
def test_check_passes_with_safe_settings_and_every_check_ready(
    database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    safe = SAFE | {"database_url": database_url, "database_alembic_config": str(ALEMBIC_INI)}
    settings = Settings(_env_file=None, **safe)
{% else %}
def test_check_passes_with_safe_settings_and_every_check_ready(
    capsys: pytest.CaptureFixture[str],
) -> None:
    settings = Settings(_env_file=None, **SAFE)
{% endif %}
{% if cookiecutter.auth == "oidc" %}
    # the provider's keys, over HTTP
    settings = settings.model_copy(update={"auth_issuer": HttpUrl(identity.session_issuer())})
    assert check(settings) == 0
{% else %}
    assert check(settings) == 0
{% endif %}
    rows = capsys.readouterr().out.splitlines()
    assert rows[-1] == "ready for production"
    assert [row.split()[0] for row in rows[:-1]] == [
        "settings",
{% if cookiecutter.auth == "oidc" %}
        "auth",
{% endif %}
{% if cookiecutter.database != "none" %}
        "database",
        "database.schema",
{% endif %}
    ]  # and no Redis check: without REDIS_URL, nothing depends on Redis
    assert all(row.split()[1] == "ok" for row in rows[:-1])


{% if cookiecutter.database != "none" %}
def test_check_fails_naming_each_broken_rule_and_failing_check(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = f"sqlite+aiosqlite:///{tmp_path}/absent/service.sqlite3"
    settings = Settings(_env_file=None, database_url=missing)
{% else %}
def test_check_fails_naming_each_broken_rule(capsys: pytest.CaptureFixture[str]) -> None:
    settings = Settings(_env_file=None)
{% endif %}
    assert check(settings, wait=0.5) == 1
    rows = capsys.readouterr().out.splitlines()
    failed = [row.split()[0] for row in rows[:-1] if row.split()[1] != "ok"]
    broken = settings.production_problems()
    assert rows[-1].endswith("not ready for production")
{% if cookiecutter.database != "none" %}
    assert failed == ["settings"] * len(broken) + ["database", "database.schema"]
{% else %}
    assert failed == ["settings"] * len(broken)
{% endif %}
    assert all(problem in "\n".join(rows) for problem in broken)


def test_check_is_a_command(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)  # no .env; the default SQLite file, if any, goes here
    with pytest.raises(SystemExit) as stopped:
        main(["check", "--wait", "0.5"])
    assert stopped.value.code == 1  # the development defaults are not production's
    assert capsys.readouterr().out.splitlines()[-1].endswith("not ready for production")
