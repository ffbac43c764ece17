"""Tier 1: every combination renders into a clean, consistent, valid tree."""

from __future__ import annotations

import ast
import hashlib
import json
import os
import re
import subprocess
import tomllib
from pathlib import Path

import pytest
import yaml

from combinations import COMBINATIONS, TEMPLATE, Combination
from conftest import Bakery, run, tool
from post_gen_project import unwanted_paths

pytestmark = pytest.mark.parametrize("combination", COMBINATIONS, ids=str)

# `{{`, `{%` or `{#` left by Jinja; GitHub/GitLab expressions `${{ ... }}` are legitimate.
LEFTOVER = re.compile(r"(?<!\$)\{\{|\{%|\{#")


def files(project: Path) -> list[Path]:
    return sorted(p for p in project.rglob("*") if p.is_file())


def test_no_leftover_jinja(combination: Combination, baked: Bakery) -> None:
    project = baked(combination)
    leftovers = [
        f"{path.relative_to(project)}:{number}: {line.strip()}"
        for path in files(project)
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if LEFTOVER.search(line)
    ]
    assert leftovers == []


def test_tree_is_what_the_manifest_says(combination: Combination, baked: Bakery) -> None:
    """Rendered files = template files minus the paths the answers don't need."""
    project = baked(combination)
    answers = combination.answers | {"project_slug": project.name}
    unwanted = list(unwanted_paths(answers))
    template_root = TEMPLATE / "{{cookiecutter.project_slug}}"
    expected = set()
    for path in files(template_root):
        relative = path.relative_to(template_root).as_posix()
        relative = relative.replace("{{cookiecutter.project_slug}}", project.name)
        if not any(relative == u or relative.startswith(u + "/") for u in unwanted):
            expected.add(relative)
    rendered = {p.relative_to(project).as_posix() for p in files(project)}
    assert rendered == expected


def test_ruff_check_and_format_clean(combination: Combination, baked: Bakery) -> None:
    project = baked(combination)
    run(tool("ruff"), "check", "--no-cache", ".", cwd=project)
    run(tool("ruff"), "format", "--check", "--no-cache", ".", cwd=project)


def test_config_files_parse(combination: Combination, baked: Bakery) -> None:
    project = baked(combination)
    parsed = 0
    for path in files(project):
        if path.suffix == ".toml":
            tomllib.loads(path.read_text())
        elif path.suffix in (".yml", ".yaml"):
            yaml.safe_load(path.read_text())
        elif path.suffix == ".json":
            json.loads(path.read_text())
        else:
            continue
        parsed += 1
    pyproject = tomllib.loads((project / "pyproject.toml").read_text())
    assert pyproject["project"]["requires-python"] == f">={combination.answers['python_version']}"
    assert parsed >= 3


def test_free_text_answers_read_back_as_given(combination: Combination, baked: Bakery) -> None:
    """Quoted as Python and TOML need, the name, description and author are the answers: the
    description only trimmed and wrapped, as the package's docstring."""
    project = baked(combination)
    answers = combination.answers
    package = ast.parse((project / "src" / project.name / "__init__.py").read_text())
    docstring, title = ast.get_docstring(package, clean=False), package.body[1]
    assert docstring is not None
    assert docstring.split() == answers["description"].split()
    assert isinstance(title, ast.Assign)
    assert ast.unparse(title.targets) == "TITLE"
    assert ast.literal_eval(title.value) == answers["project_name"]
    metadata = tomllib.loads((project / "pyproject.toml").read_text())["project"]
    assert metadata["description"] == answers["description"]
    author = {"name": answers["author_name"], "email": answers["author_email"]}
    assert metadata["authors"] == [author]


def test_compose_ci_and_updates_match_their_schemas(
    combination: Combination, baked: Bakery
) -> None:
    project = baked(combination)
    schemas = {
        "compose.yaml": "vendor.compose-spec",
        ".github/workflows/ci.yml": "vendor.github-workflows",
        ".github/dependabot.yml": "vendor.dependabot",
        ".gitlab-ci.yml": "vendor.gitlab-ci",
        "renovate.json": "vendor.renovate",
    }
    present = {path: schema for path, schema in schemas.items() if (project / path).exists()}
    github, gitlab = combination.answers["ci"] == "github", combination.answers["ci"] == "gitlab"
    assert (".github/workflows/ci.yml" in present) == github
    assert (".github/dependabot.yml" in present) == github
    assert (".gitlab-ci.yml" in present) == gitlab
    assert ("renovate.json" in present) == gitlab
    assert ("compose.yaml" in present) == combination.answers["docker"]
    for path, schema in present.items():
        run(tool("check-jsonschema"), "--builtin-schema", schema, path, cwd=project)


_valid_pre_commit_configs: set[bytes] = set()
"""Digests of the hooks files pre-commit accepted: a file identical to one is not run again."""


def test_pre_commit_config_is_valid(
    combination: Combination, baked: Bakery, pre_commit_vars: dict[str, str]
) -> None:
    """`pre-commit validate-config` accepts the generated hooks, without a warning."""
    project = baked(combination)
    config = project / ".pre-commit-config.yaml"
    wanted = config.name not in unwanted_paths(combination.answers | {"project_slug": project.name})
    assert config.exists() == wanted
    if not wanted:
        return
    digest = hashlib.sha256(config.read_bytes()).digest()
    if digest not in _valid_pre_commit_configs:
        env = os.environ | pre_commit_vars
        result = run(tool("pre-commit"), "validate-config", config.name, cwd=project, env=env)
        assert "[WARNING]" not in result.stdout + result.stderr
        _valid_pre_commit_configs.add(digest)


def test_compose_gives_every_process_the_apis_settings(
    combination: Combination, baked: Bakery
) -> None:
    """Each container running the project's code (built from it) sees the API's database and
    Redis, and the SQLite file on the same volume: jobs read what the endpoints wrote."""
    project = baked(combination)
    answers = combination.answers
    if not answers["docker"]:
        assert not (project / "compose.yaml").exists()
        return
    services = yaml.safe_load((project / "compose.yaml").read_text())["services"]
    ours = {name: service for name, service in services.items() if "build" in service}
    expected = {"api"} | ({"migrate"} if answers["database"] != "none" else set())
    if answers["background_worker"]:
        expected |= {"worker", "scheduler"}
    assert set(ours) == expected
    api = ours["api"]
    for name, service in ours.items():
        for key in ("env_file", "environment", "volumes"):
            assert service.get(key) == api.get(key), f"{name}: {key}"
    environment = api.get("environment", {})
    redis = answers["websockets"] or answers["background_worker"] or answers["rate_limit"]
    assert ("REDIS_URL" in environment) == redis
    assert ("DATABASE_URL" in environment) == (answers["database"] != "none")
    if answers["database"] == "sqlite":
        path = environment["DATABASE_URL"].removeprefix("sqlite+aiosqlite:///")
        directory = path.rpartition("/")[0]
        assert directory in {volume.split(":")[1] for volume in api["volumes"]}


def test_dockerfile_passes_hadolint(combination: Combination, baked: Bakery) -> None:
    project = baked(combination)
    if not combination.answers["docker"]:
        assert not (project / "Dockerfile").exists()
        return
    run(tool("hadolint"), "Dockerfile", cwd=project)


def test_replay_file_records_every_answer(combination: Combination, baked: Bakery) -> None:
    project = baked(combination)
    recorded = json.loads((project / ".cookiecutter-replay.json").read_text())["cookiecutter"]
    assert {k: recorded[k] for k in combination.answers} == combination.answers
    assert not {"_output_dir", "_repo_dir", "_checkout", "_commit"} & set(recorded)


# Words that only a module's own code uses: when its answer is off, none may remain.
TRACES = {
    ("database", "none"): ("sqlalchemy", "alembic", "DATABASE_URL", "DbSession"),
    ("websockets", False): ("realtime_module", "REALTIME_", "Broadcast"),
    ("background_worker", False): ("taskiq", "WORKER_", "JobQueue"),
    ("http_client", False): ("HttpClient", "HTTP_CLIENT_", "RATES_URL", "RetryTransport"),
    ("auth", "none"): ("RequireScopes", "AUTH_ISSUER", "items:write", "channels:publish", "jwt"),
    ("metrics", False): ("prometheus", "MetricsMiddleware", "METRICS_", "/metrics"),
    ("request_id", False): ("RequestIdMiddleware", "Server-Timing"),
    ("security_headers", False): ("SecurityHeadersMiddleware", "Content-Security-Policy"),
    ("cors", False): ("CORSMiddleware", "CORS_"),
    ("gzip", False): ("GZipMiddleware", "GZIP_"),
    ("rate_limit", False): ("RateLimitMiddleware", "RATE_LIMIT_", "RateLimit-Policy"),
}


def test_switched_off_modules_leave_no_trace(combination: Combination, baked: Bakery) -> None:
    project = baked(combination)
    off = [(key, value) for key, value in TRACES if combination.answers[key] == value]
    found = [
        f"{key}={value}: {word!r} in {path.relative_to(project)}"
        for key, value in off
        for path in files(project)
        for word in TRACES[key, value]
        if word in path.read_text()
    ]
    assert found == []


def test_installs_builds_and_updates_come_from_the_lock(
    combination: Combination, baked: Bakery
) -> None:
    """uv everywhere: dev tools in a dependency group, CI and image from uv.lock, audited."""
    project = baked(combination)
    answers = combination.answers
    pyproject = tomllib.loads((project / "pyproject.toml").read_text())
    assert "optional-dependencies" not in pyproject["project"]
    assert any(dep.startswith("pytest>=") for dep in pyproject["dependency-groups"]["dev"])
    recipes = re.findall(r"^\t(.*)$", (project / "Makefile").read_text(), re.MULTILINE)
    assert [line for line in recipes if ".venv" in line or "pip install" in line] == []
    if answers["ci"] == "github":
        workflow = yaml.safe_load((project / ".github/workflows/ci.yml").read_text())
        runs = [step.get("run") for job in workflow["jobs"].values() for step in job["steps"]]
        assert {"uv sync --locked", "make lint", "make test", "make audit"} <= set(runs)
        dependabot = yaml.safe_load((project / ".github/dependabot.yml").read_text())
        updates = dependabot["updates"]
        ecosystems = {"uv", "github-actions", "pre-commit", "docker"}
        if not answers["docker"]:
            ecosystems.remove("docker")
        assert {update["package-ecosystem"] for update in updates} == ecosystems
        assert all(u["schedule"]["interval"] == "weekly" and u["groups"] for u in updates)
    if answers["ci"] == "gitlab":
        pipeline = yaml.safe_load((project / ".gitlab-ci.yml").read_text())
        assert "uv sync --locked" in pipeline["check"]["script"]
        assert pipeline["audit"]["script"] == ["make audit"]
        assert pipeline[".uv-cache"]["cache"]["key"]["files"] == ["uv.lock"]
    if answers["docker"]:
        dockerfile = (project / "Dockerfile").read_text()
        assert re.findall(r"uv sync .*", dockerfile) == [
            "uv sync --locked --no-dev --no-install-project",
            "uv sync --locked --no-dev --no-editable",
        ]
        final = dockerfile.rsplit("\nFROM ", 1)[1]
        assert "uv" not in re.sub(r"uvicorn|/opt/venv", "", final)  # no uv in the image
        assert "COPY --from=build /opt/venv /opt/venv" in final
        assert "USER 10001" in final
        assert final.rstrip().endswith(f'CMD ["python", "-m", "{project.name}"]')


def test_pre_commit_hooks_are_pinned_releases(combination: Combination, baked: Bakery) -> None:
    config = yaml.safe_load((baked(combination) / ".pre-commit-config.yaml").read_text())
    remote = [repo for repo in config["repos"] if repo["repo"] != "local"]
    assert [r["rev"] for r in remote if not re.fullmatch(r"v?\d+(\.\d+)+", r["rev"])] == []
    hooks = {hook["id"] for repo in remote for hook in repo["hooks"]}
    assert "uv-lock" in hooks


def test_bare_make_lists_the_targets(combination: Combination, baked: Bakery) -> None:
    """`make` alone runs nothing: it prints every target that has a `##` description."""
    project = baked(combination)
    makefile = (project / "Makefile").read_text()
    described = re.findall(r"^([a-z-]+):.*## (.+)$", makefile, re.MULTILINE)
    listed = run("make", "--no-print-directory", cwd=project).stdout.splitlines()
    assert listed == [f"  make {target:<10} {text}" for target, text in described]
    assert {"help", "install", "dev", "run", "test", "lint", "check"} <= dict(described).keys()
    assert not (project / ".venv").exists()


def test_install_without_uv_says_how_to_get_it(combination: Combination, baked: Bakery) -> None:
    project = baked(combination)
    result = subprocess.run(
        ["make", "--no-print-directory", "install", "UV=no-such-uv"],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    hint, *rest = result.stderr.splitlines()
    assert hint.startswith("uv is not installed: ") and "https://docs.astral.sh/uv/" in hint
    assert [line for line in rest if not line.startswith("make: ***")] == []


LICENSE_TERMS = {
    "MIT": (
        "MIT License",
        "Permission is hereby granted, free of charge",
        'THE SOFTWARE IS PROVIDED "AS IS"',
    ),
    "BSD-3-Clause": ("BSD 3-Clause License", "Neither the name of the copyright holder"),
    "Apache-2.0": (
        "Apache License\n                           Version 2.0, January 2004",
        "TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION",
        "9. Accepting Warranty or Additional Liability.",
        "END OF TERMS AND CONDITIONS",
    ),
    "Proprietary": ("All rights reserved.",),
}


def test_license_is_the_full_text(combination: Combination, baked: Bakery) -> None:
    """The whole license, as license detectors know it, with the author's copyright line."""
    text = (baked(combination) / "LICENSE").read_text()
    answers = combination.answers
    assert [terms for terms in LICENSE_TERMS[answers["license"]] if terms not in text] == []
    assert re.search(rf"Copyright (\(c\) )?\d{{4}},? {re.escape(answers['author_name'])}", text)
