"""The factory, the entry points and the settings."""

import pytest
from httpx import AsyncClient
from opentelemetry import metrics, trace

from {{ cookiecutter.project_slug }} import TITLE
from {{ cookiecutter.project_slug }}.app import create_app
from {{ cookiecutter.project_slug }}.modules import Settings


async def test_openapi_documents_routes_and_problem_responses(client: AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    assert spec["info"]["title"] == TITLE
    assert spec["info"]["version"] == "{{ cookiecutter.version }}", "pyproject.toml's"
    assert {"/health/live", "/health/ready", "/items", "/items/{item_id}"} <= set(spec["paths"])
    get_item = spec["paths"]["/items/{item_id}"]["get"]
    assert get_item["tags"] == ["items"]
    assert "application/problem+json" in get_item["responses"]["404"]["content"]


def test_docs_can_be_switched_off(settings: Settings) -> None:
    app = create_app(settings.model_copy(update={"docs_enabled": False}))
    paths = {getattr(route, "path", None) for route in app.routes}
    assert not paths & {"/docs", "/redoc", "/openapi.json"}


def test_settings_come_from_prefixed_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("{{ cookiecutter.project_slug.upper() }}_PORT", "9001")
    monkeypatch.setenv("{{ cookiecutter.project_slug.upper() }}_ENVIRONMENT", "production")
    settings = Settings(_env_file=None)
    assert (settings.port, settings.environment) == (9001, "production")


def test_invalid_setting_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("{{ cookiecutter.project_slug.upper() }}_PORT", "0")
    with pytest.raises(ValueError, match="port"):
        Settings(_env_file=None)


def test_main_exposes_an_app_for_servers() -> None:
    from {{ cookiecutter.project_slug }}.main import app

    assert app.title == TITLE


async def test_fastapi_looks_for_no_telemetry_provider(
    client: AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """FastAPI's own OpenTelemetry support is off: it does not even ask for a provider."""
    asked: list[str] = []

    def provider(kind: str) -> object:
        asked.append(kind)
        return object()

    monkeypatch.setattr(trace, "get_tracer_provider", lambda: provider("tracer"))
    monkeypatch.setattr(metrics, "get_meter_provider", lambda: provider("meter"))
    response = await client.get("/health/live")
    assert response.status_code == 200
    assert asked == []
