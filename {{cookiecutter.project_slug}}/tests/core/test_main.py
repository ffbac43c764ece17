"""`python -m {{ cookiecutter.project_slug }}`: the server options `fastapi run` cannot set.

The process tests (`test_process.py`{{ ", `tests/realtime/test_ws_process.py`" if cookiecutter.websockets }}) show what they do
to a running server; these check, in this process, that `main` passes them.
"""

import socket
{% if cookiecutter.websockets %}
import sys
{% endif %}
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import uvicorn

from {{ cookiecutter.project_slug }} import __main__
from {{ cookiecutter.project_slug }}.__main__ import APP, {{ "listen, " if cookiecutter.websockets }}main, server_options
from {{ cookiecutter.project_slug }}.modules import Settings

from support.relay import free_port

Served = list[tuple[uvicorn.Config, list[socket.socket], bool]]


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Served]:
    """What `main` would serve: its config, its sockets, whether through the reloader.

    Only the test's settings apply (no `.env` where it runs), and uvicorn leaves this
    process's logging alone.
    """
    served: Served = []

    def run(server: uvicorn.Server, sockets: list[socket.socket] | None = None) -> None:
        served.append((server.config, sockets or [], False))
        raise KeyboardInterrupt  # as Ctrl+C ends it

    class Reloader:
        def __init__(
            self, config: uvicorn.Config, target: Callable[..., None], sockets: list[socket.socket]
        ) -> None:
            served.append((config, sockets, True))

        def run(self) -> None:
            pass

    monkeypatch.setattr(uvicorn.Server, "run", run)
    monkeypatch.setattr(__main__, "ChangeReload", Reloader)
    monkeypatch.setattr(uvicorn.Config, "configure_logging", lambda config: None)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("{{ cookiecutter.project_slug.upper() }}_PORT", str(free_port()))
    yield served
    for _, sockets, _ in served:
        for sock in sockets:
            sock.close()


def test_serves_the_app_on_the_configured_address(served: Served) -> None:
    main([])  # Ctrl+C ends it quietly
    [(config, [sock], reloading)] = served
    assert (config.app, config.host, reloading) == (APP, "127.0.0.1", False)
    assert sock.getsockname() == ("127.0.0.1", config.port)


def test_reload_serves_through_the_reloader(served: Served) -> None:
    main(["--reload"])
    [(config, [sock], reloading)] = served
    assert reloading
    assert config.should_reload
    assert sock.getsockname() == ("127.0.0.1", config.port)


def test_options_fit_the_enabled_modules(settings: Settings) -> None:
    options = server_options(settings)
{% if cookiecutter.websockets %}
    assert options["ws_max_size"] == settings.realtime_max_message_size
{% else %}
    assert options["ws"] == "none"  # no WebSocket route, no WebSocket protocol
{% endif %}
{% if cookiecutter.request_id %}
    assert options["access_log"] is False  # the request-id middleware writes the line
{% endif %}
{% if cookiecutter.websockets %}


@pytest.mark.skipif(sys.platform != "linux", reason="TCP_USER_TIMEOUT is Linux's")
def test_accepted_connections_inherit_the_close_timeout() -> None:
    config = uvicorn.Config(APP, host="127.0.0.1", port=0, log_config=None)
    with listen(config, 1.5) as listening:
        listening.listen()
        with (
            socket.create_connection(listening.getsockname()) as client,
            listening.accept()[0] as accepted,
        ):
            assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_USER_TIMEOUT) == 1500
            assert client.getsockopt(socket.IPPROTO_TCP, socket.TCP_USER_TIMEOUT) == 0
{% endif %}
