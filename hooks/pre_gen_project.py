"""Validate the answers before anything is written: one readable line per problem."""

import json
import keyword
import re
import sys

SUPPORTED_PYTHONS = ("3.11", "3.12", "3.13")
# Package names the generated project imports: a slug equal to one would shadow it.
DEPENDENCIES = frozenset(
    {
        "aiosqlite", "alembic", "anyio", "asgi_lifespan", "asyncpg", "coverage",
        "fastapi", "fastapi_cli", "httpx", "mypy", "pydantic", "pydantic_settings",
        "pytest", "redis", "ruff", "sqlalchemy", "starlette", "taskiq",
        "taskiq_fastapi", "taskiq_redis", "tests", "uvicorn", "uvloop", "websockets",
    }
)  # fmt: skip
EMAIL = re.compile(r"^[^@\s\"\\]+@[^@\s\"\\]+\.[A-Za-z]{2,}$")
# A PEP 440 public version in canonical form (what the version would be normalized to).
PEP440 = re.compile(
    r"^([1-9][0-9]*!)?(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))*"
    r"((a|b|rc)(0|[1-9][0-9]*))?(\.post(0|[1-9][0-9]*))?(\.dev(0|[1-9][0-9]*))?$"
)
FREE_TEXT = ("project_name", "description", "author_name")


def problems(answers: dict) -> list[str]:
    """Every problem with the answers, each as one line naming field, value and rule."""
    found = []
    for field in FREE_TEXT:
        value = answers[field]
        if not value.strip():
            found.append(f"{field} is empty: give a short single-line text")
        elif not value.isprintable() or '"' in value or "\\" in value:
            found.append(
                f"{field} {value!r} must be one printable line without double quotes or backslashes"
            )
    slug = answers["project_slug"]
    rule = "must be a lowercase Python identifier such as 'my_service'"
    if not re.fullmatch(r"[a-z][a-z0-9_]*", slug) or not slug.isidentifier():
        found.append(f"project_slug {slug!r} {rule} (letters, digits, underscores)")
    elif keyword.iskeyword(slug) or keyword.issoftkeyword(slug):
        found.append(f"project_slug {slug!r} is a Python keyword; it {rule}")
    elif slug in sys.stdlib_module_names:
        found.append(f"project_slug {slug!r} is a standard-library module; pick another name")
    elif slug in DEPENDENCIES:
        found.append(f"project_slug {slug!r} is the name of a dependency; pick another name")
    email = answers["author_email"]
    if not EMAIL.match(email):
        found.append(f"author_email {email!r} is not an email address like 'jane@example.com'")
    version = answers["version"]
    if not PEP440.match(version):
        found.append(f"version {version!r} is not a canonical PEP 440 version like '0.1.0'")
    python = answers["python_version"]
    if python not in SUPPORTED_PYTHONS:
        found.append(f"python_version {python!r} is not one of {', '.join(SUPPORTED_PYTHONS)}")
    return found


def main() -> int:
    found = problems(json.loads(r"""{{ cookiecutter | jsonify }}"""))
    for problem in found:
        print(f"error: {problem}", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
