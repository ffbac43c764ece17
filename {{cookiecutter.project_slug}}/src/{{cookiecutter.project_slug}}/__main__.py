"""`python -m` runs uvicorn within the bounds a production server needs.

`fastapi run` passes uvicorn little more than the address, so it cannot set these:

- a stop (SIGTERM) ends whatever clients do: open connections get `SHUTDOWN_TIMEOUT`
  seconds, what still runs then is cancelled, and the app's own shutdown runs;
{% if cookiecutter.websockets %}
- a WebSocket message over `REALTIME_MAX_MESSAGE_SIZE` is refused (1009) from its
  header, before the server buffers it;
- the kernel drops a connection whose client accepts no data for `REALTIME_CLOSE_TIMEOUT`
  seconds (`TCP_USER_TIMEOUT`, Linux): asyncio closes a socket only once the client has
  taken every byte queued for it, so a client that stopped reading would hold its
  connection, and the memory queued for it, for ever;
{% else %}
- no WebSocket protocol: the service has no WebSocket route;
{% endif %}
{% if cookiecutter.request_id %}
- one access line per request: the request-id middleware writes it, uvicorn does not.
{% else %}
- one access line per request, uvicorn's.
{% endif %}
"""

import argparse
import math
{% if cookiecutter.websockets %}
import socket
{% endif %}
from collections.abc import Sequence
from typing import Any

import uvicorn
from uvicorn.supervisors import ChangeReload

from .check import check
from .modules import Settings
from .startup import load_settings, read_settings

APP = "{{ cookiecutter.project_slug }}.main:app"
PROG = "python -m {{ cookiecutter.project_slug }}"


def server_options(settings: Settings) -> dict[str, Any]:
    """uvicorn's options, from the settings."""
    return {
        "host": settings.host,
        "port": settings.port,
        "log_level": settings.log_level,
        "proxy_headers": True,
        "timeout_graceful_shutdown": math.ceil(settings.shutdown_timeout),  # whole seconds
{% if cookiecutter.websockets %}
        "ws_max_size": settings.realtime_max_message_size,
{% else %}
        "ws": "none",
{% endif %}
{% if cookiecutter.request_id %}
        "access_log": False,
{% endif %}
    }
{% if cookiecutter.websockets %}


def listen(config: uvicorn.Config, send_timeout: float) -> socket.socket:
    """The listening socket, bound as uvicorn binds it. Connections accepted on it inherit
    `TCP_USER_TIMEOUT`: the kernel aborts one whose sent data stays unacknowledged for
    `send_timeout` seconds, including a client that keeps its receive window closed."""
    sock = config.bind_socket()
    if hasattr(socket, "TCP_USER_TIMEOUT"):  # Linux only
        milliseconds = math.ceil(send_timeout * 1000)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_USER_TIMEOUT, milliseconds)
    return sock
{% endif %}


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog=PROG, description="Serve the service.")
    parser.add_argument(
        "command",
        nargs="?",
        choices=["check"],
        help="check: test the settings and dependencies for production instead of serving",
    )
    parser.add_argument(
        "--reload", action="store_true", help="restart when a file changes (development)"
    )
    parser.add_argument(
        "--wait",
        type=float,
        default=5.0,
        metavar="SECONDS",
        help="check: how long readiness checks may take to pass (default: 5)",
    )
    args = parser.parse_args(argv)
    if args.command == "check":
        raise SystemExit(check(read_settings(), wait=args.wait))
    settings = load_settings()
    config = uvicorn.Config(APP, reload=args.reload, **server_options(settings))
{% if cookiecutter.websockets %}
    sockets = [listen(config, settings.realtime_close_timeout)]
{% else %}
    sockets = [config.bind_socket()]
{% endif %}
    server = uvicorn.Server(config)
    try:
        if config.should_reload:
            ChangeReload(config, target=server.run, sockets=sockets).run()
        else:
            server.run(sockets=sockets)
    except KeyboardInterrupt:
        pass  # Ctrl+C: the server has stopped already


if __name__ == "__main__":
    main()
