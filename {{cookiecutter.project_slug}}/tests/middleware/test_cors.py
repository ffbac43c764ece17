"""CORS: deny by default, allow exactly what the settings list."""

import pytest
from httpx import AsyncClient

from {{ cookiecutter.project_slug }}.app import create_app
from {{ cookiecutter.project_slug }}.modules import Settings
from {{ cookiecutter.project_slug }}.settings import ENV_PREFIX

from support.callers import asgi_client

APP_ORIGIN = "https://app.example.com"
PREFLIGHT = {
    "Origin": APP_ORIGIN,
    "Access-Control-Request-Method": "POST",
    "Access-Control-Request-Headers": "content-type, x-api-key",
}


def client_for(settings: Settings, **update: object) -> AsyncClient:
    app = create_app(settings.model_copy(update=update))
    return asgi_client(app)


async def test_default_denies_every_origin(client: AsyncClient) -> None:
    preflight = await client.options("/items", headers=PREFLIGHT)
    assert preflight.status_code == 400
    assert "access-control-allow-origin" not in preflight.headers
    simple = await client.get("/health/live", headers={"Origin": APP_ORIGIN})
    assert simple.status_code == 200
    assert "access-control-allow-origin" not in simple.headers


async def test_preflight_from_a_listed_origin_is_allowed(settings: Settings) -> None:
    async with client_for(
        settings,
        cors_allow_origins=[APP_ORIGIN],
        cors_allow_methods=["GET", "POST"],
        cors_allow_headers=["X-API-Key"],
        cors_max_age=120,
    ) as client:
        allowed = await client.options("/items", headers=PREFLIGHT)
        other_origin = await client.options(
            "/items", headers=PREFLIGHT | {"Origin": "https://evil.example"}
        )
        other_method = await client.options(
            "/items", headers=PREFLIGHT | {"Access-Control-Request-Method": "DELETE"}
        )
        other_header = await client.options(
            "/items", headers=PREFLIGHT | {"Access-Control-Request-Headers": "x-secret"}
        )
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == APP_ORIGIN
    assert allowed.headers["access-control-allow-methods"] == "GET, POST"
    assert "x-api-key" in allowed.headers["access-control-allow-headers"].lower()
    assert allowed.headers["access-control-max-age"] == "120"
    assert "access-control-allow-credentials" not in allowed.headers
    assert other_origin.status_code == other_method.status_code == other_header.status_code == 400
    assert "access-control-allow-origin" not in other_origin.headers


async def test_responses_to_a_listed_origin_expose_the_service_headers(settings: Settings) -> None:
    async with client_for(
        settings, cors_allow_origins=[APP_ORIGIN], cors_allow_credentials=True
    ) as client:
        ok = await client.get("/health/live", headers={"Origin": APP_ORIGIN})
        missing = await client.get("/nowhere", headers={"Origin": APP_ORIGIN})
    assert ok.headers["access-control-allow-origin"] == APP_ORIGIN
    assert ok.headers["access-control-allow-credentials"] == "true"
    assert "Origin" in ok.headers["vary"]
{% if cookiecutter.request_id or cookiecutter.rate_limit %}
    exposed = ok.headers["access-control-expose-headers"].split(", ")
{% if cookiecutter.request_id %}
    assert "X-Request-ID" in exposed
{% endif %}
{% if cookiecutter.rate_limit %}
    assert {"Retry-After", "RateLimit", "RateLimit-Policy"} <= set(exposed)
{% endif %}
{% else %}
    assert "access-control-expose-headers" not in ok.headers
{% endif %}
    # Error responses carry CORS headers too, so browser scripts can read them.
    assert missing.status_code == 404
    assert missing.headers["access-control-allow-origin"] == APP_ORIGIN


@pytest.mark.parametrize(
    ("origins", "credentials", "refused"),
    [(["*"], True, True), (["*"], False, False), ([APP_ORIGIN], True, False)],
)
def test_production_refuses_only_any_origin_with_credentials(
    origins: list[str], credentials: bool, refused: bool
) -> None:
    settings = Settings(
        _env_file=None, cors_allow_origins=origins, cors_allow_credentials=credentials
    )
    cors = [line for line in settings.production_problems() if "CORS" in line]
    assert bool(cors) == refused
    if refused:
        assert cors[0].startswith(ENV_PREFIX + "CORS_ALLOW_ORIGINS holds '*'")


def test_origins_come_from_the_environment_as_json(monkeypatch: pytest.MonkeyPatch) -> None:
    prefix = "{{ cookiecutter.project_slug.upper() }}_"
    monkeypatch.setenv(prefix + "CORS_ALLOW_ORIGINS", f'["{APP_ORIGIN}"]')
    monkeypatch.setenv(prefix + "CORS_ALLOW_METHODS", '["GET", "POST"]')
    settings = Settings(_env_file=None)
    assert settings.cors_allow_origins == [APP_ORIGIN]
    assert settings.cors_allow_methods == ["GET", "POST"]
