"""Validate the answers before anything is written: one readable line per problem."""

import json
import keyword
import re
import sys

SUPPORTED_PYTHONS = ("3.11", "3.12", "3.13")
# Every import name and every distribution name (`-` as `_`) a generated project installs,
# transitive dependencies, dev tools and the build backend included: a slug equal to one
# shadows that module or makes the project's own name clash with a dependency's. Computed from
# an all-on project's environment and uv.lock; a template test fails when one is missing.
DEPENDENCIES = frozenset(
    {
        "aiohappyeyeballs", "aiohttp", "aiosignal", "aiosqlite", "alembic", "annotated_doc",
        "annotated_types", "anyio", "asgi_lifespan", "asgiref", "ast_serialize", "asyncpg", "attr",
        "attrs", "certifi", "cffi", "charset_normalizer", "click", "colorama", "coverage",
        "cryptography", "dotenv", "fastapi", "fastapi_cli", "frozenlist", "google",
        "googleapis_common_protos", "graphql", "graphql_core", "greenlet", "h11", "harfile",
        "hatchling", "httpcore", "httptools", "httpx", "hypothesis", "hypothesis_graphql", "idna",
        "iniconfig", "jsonschema_rs", "jwt", "librt", "mako", "markdown_it", "markdown_it_py",
        "markupsafe", "mdurl", "multidict", "mypy", "mypy_extensions", "mypyc", "opentelemetry",
        "opentelemetry_api", "opentelemetry_exporter_http_transport",
        "opentelemetry_exporter_otlp_common", "opentelemetry_exporter_otlp_proto_common",
        "opentelemetry_exporter_otlp_proto_http", "opentelemetry_instrumentation",
        "opentelemetry_instrumentation_asgi", "opentelemetry_instrumentation_httpx",
        "opentelemetry_instrumentation_redis", "opentelemetry_instrumentation_sqlalchemy",
        "opentelemetry_proto", "opentelemetry_sdk", "opentelemetry_semantic_conventions",
        "opentelemetry_util_http", "packaging", "pathspec", "pluggy", "prometheus_client",
        "propcache", "protobuf", "py", "pycparser", "pycron", "pydantic", "pydantic_core",
        "pydantic_settings", "pygments", "pyjwt", "pyrate_limiter", "pytest", "pytest_cov",
        "python_dotenv", "pyyaml", "redis", "requests", "rich", "rich_toolkit", "ruff",
        "schemathesis", "shellingham", "sniffio", "sortedcontainers", "sqlalchemy", "starlette",
        "taskiq", "taskiq_dependencies", "taskiq_fastapi", "taskiq_redis", "tests",
        "trove_classifiers", "typer", "typing_extensions", "typing_inspection", "urllib3",
        "uvicorn", "uvloop", "watchfiles", "websockets", "werkzeug", "wrapt", "yaml", "yarl",
    }
)  # fmt: skip
# Standard-library modules `sys.stdlib_module_names` leaves out (the regression tests) or
# lacks on a newer Python than the one a project supports (removed in 3.12 and 3.13).
STDLIB_ELSEWHERE = frozenset(
    {
        "test", "xxlimited", "xxlimited_35", "xxsubtype",
        "asynchat", "asyncore", "distutils", "imp", "smtpd",
        "aifc", "audioop", "cgi", "cgitb", "chunk", "crypt", "imghdr", "lib2to3", "mailcap",
        "msilib", "nis", "nntplib", "ossaudiodev", "pipes", "sndhdr", "spwd", "sunau",
        "telnetlib", "uu", "xdrlib",
    }
)  # fmt: skip
# Longest answers: the slug names a directory, a package and environment variables, and
# generated lines that name it twice (imports, `uvicorn <slug>.main:app`) must stay within
# the line length (tier 1 renders a slug this long); the texts go into one-line metadata.
MAX_LENGTH = {
    "project_name": 64,
    "project_slug": 24,
    "description": 200,
    "author_name": 100,
    "author_email": 254,
    "version": 32,
}
EMAIL = re.compile(r"^[^@\s\"\\]+@[^@\s\"\\]+\.[A-Za-z]{2,}$")
# A PEP 440 public version in canonical form (what the version would be normalized to).
PEP440 = re.compile(
    r"^([1-9][0-9]*!)?(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))*"
    r"((a|b|rc)(0|[1-9][0-9]*))?(\.post(0|[1-9][0-9]*))?(\.dev(0|[1-9][0-9]*))?$"
)


def text_problem(field: str, value: str) -> str | None:
    if not value.strip():
        return f"{field} is empty: give a short single-line text"
    if not value.isprintable():
        return f"{field} {value!r} must be one line of printable characters"
    return None


def slug_problem(field: str, slug: str) -> str | None:
    rule = "must be a lowercase Python identifier such as 'my_service'"
    if not re.fullmatch(r"[a-z][a-z0-9_]*", slug) or not slug.isidentifier():
        return f"{field} {slug!r} {rule} (letters, digits, underscores)"
    if keyword.iskeyword(slug) or keyword.issoftkeyword(slug):
        return f"{field} {slug!r} is a Python keyword; it {rule}"
    if slug in sys.stdlib_module_names or slug in STDLIB_ELSEWHERE:
        return f"{field} {slug!r} is a standard-library module; pick another name"
    if slug in DEPENDENCIES:
        return f"{field} {slug!r} is the name of a package the project installs; pick another name"
    return None


def email_problem(field: str, email: str) -> str | None:
    if not EMAIL.match(email):
        return f"{field} {email!r} is not an email address like 'jane@example.com'"
    return None


def version_problem(field: str, version: str) -> str | None:
    if not PEP440.match(version):
        return f"{field} {version!r} is not a canonical PEP 440 version like '0.1.0'"
    return None


CHECKS = {
    "project_name": text_problem,
    "project_slug": slug_problem,
    "description": text_problem,
    "author_name": text_problem,
    "author_email": email_problem,
    "version": version_problem,
}


def problems(answers: dict) -> list[str]:
    """Every problem with the answers, each as one line naming field, value and rule."""
    found = []
    for field, check in CHECKS.items():
        value, limit = answers[field], MAX_LENGTH[field]
        if len(value) > limit:
            found.append(f"{field} is {len(value)} characters long; at most {limit} are allowed")
        elif problem := check(field, value):
            found.append(problem)
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
