"""`python -m {{ cookiecutter.project_slug }}`: serve with uvicorn on the configured host and port."""

import uvicorn

from .modules import Settings


def main() -> None:
    settings = Settings()
    uvicorn.run(
        "{{ cookiecutter.project_slug }}.main:app",
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level,
        proxy_headers=True,
{% if cookiecutter.request_id %}
        access_log=False,  # the request-id middleware writes a JSON access line instead
{% endif %}
    )


if __name__ == "__main__":
    main()
