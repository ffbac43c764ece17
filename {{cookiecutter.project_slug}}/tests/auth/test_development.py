"""Development tokens: minted with a local key, trusted only in development."""

import stat
from pathlib import Path

import jwt
import pytest

from {{ cookiecutter.project_slug }}.auth import devtoken
from {{ cookiecutter.project_slug }}.modules import Settings
from {{ cookiecutter.project_slug }}.settings import variable

from .conftest import bearer, serving
from support.identity import AUDIENCE, Provider


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    return tmp_path / "dev-key.pem"


@pytest.fixture
def dev_settings(settings: Settings, key_file: Path) -> Settings:
    return settings.model_copy(update={"auth_issuer": None, "auth_dev_key_file": key_file})


def _token(key_file: Path, *scopes: str) -> str:
    key = devtoken.load_or_create_key(key_file)
    return devtoken.mint(key, audience=AUDIENCE, subject="dev", scopes=list(scopes))


async def test_a_development_token_is_accepted_in_development(
    dev_settings: Settings, provider: Provider, key_file: Path
) -> None:
    token = _token(key_file, "items:write")
    async with serving(dev_settings, provider, development=True) as client:
        me = await client.get("/me", headers=bearer(token))
        ready = await client.get("/health/ready")
    assert me.json() == {"subject": "dev", "scopes": ["items:write"]}
    assert ready.status_code == 200
    assert provider.fetches == []  # no provider configured, none asked


async def test_outside_development_the_key_is_not_trusted(
    dev_settings: Settings, provider: Provider, key_file: Path
) -> None:
    token = _token(key_file)
    async with serving(dev_settings, provider, development=False) as client:
        me = await client.get("/me", headers=bearer(token))
        ready = await client.get("/health/ready")
    assert me.status_code == 401
    assert "unknown key" in me.json()["detail"]
    assert ready.status_code == 200  # nothing to wait for; production would not start


def test_the_cli_creates_a_private_key_and_prints_a_token(
    key_file: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(variable("auth_dev_key_file"), str(key_file))
    monkeypatch.setenv(variable("auth_audience"), AUDIENCE)
    devtoken.main(["--subject", "bob", "--scope", "items:write", "--scope", "profile"])
    token = capsys.readouterr().out.strip()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    key = devtoken.public_jwk(devtoken.load_key(key_file))
    claims = jwt.decode(token, key, algorithms=["ES256"], audience=AUDIENCE)
    assert claims["iss"] == devtoken.DEV_ISSUER
    assert (claims["sub"], claims["scope"]) == ("bob", "items:write profile")
    assert claims["exp"] - claims["iat"] == 3600


@pytest.mark.parametrize("algorithms", [["HS256"], ["none"], ["RS256", "HS512"], []])
def test_settings_refuse_symmetric_and_absent_algorithms(algorithms: list[str]) -> None:
    with pytest.raises(ValueError, match="algorithm"):
        Settings(auth_algorithms=algorithms, _env_file=None)
