"""Tier 1: every combination renders into a clean, consistent, valid tree."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest
import yaml

from combinations import COMBINATIONS, TEMPLATE, Combination
from conftest import Baker, run, tool
from post_gen_project import unwanted_paths

pytestmark = pytest.mark.parametrize("combination", COMBINATIONS, ids=str)

# `{{`, `{%` or `{#` left by Jinja; GitHub/GitLab expressions `${{ ... }}` are legitimate.
LEFTOVER = re.compile(r"(?<!\$)\{\{|\{%|\{#")


def files(project: Path) -> list[Path]:
    return sorted(p for p in project.rglob("*") if p.is_file())


def test_no_leftover_jinja(combination: Combination, baked: Baker) -> None:
    project = baked(combination)
    leftovers = [
        f"{path.relative_to(project)}:{number}: {line.strip()}"
        for path in files(project)
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if LEFTOVER.search(line)
    ]
    assert leftovers == []


def test_tree_is_what_the_manifest_says(combination: Combination, baked: Baker) -> None:
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


def test_ruff_check_and_format_clean(combination: Combination, baked: Baker) -> None:
    project = baked(combination)
    run(tool("ruff"), "check", "--no-cache", ".", cwd=project)
    run(tool("ruff"), "format", "--check", "--no-cache", ".", cwd=project)


def test_config_files_parse(combination: Combination, baked: Baker) -> None:
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


def test_compose_and_ci_match_their_schemas(combination: Combination, baked: Baker) -> None:
    project = baked(combination)
    schemas = {
        "compose.yaml": "vendor.compose-spec",
        ".github/workflows/ci.yml": "vendor.github-workflows",
        ".gitlab-ci.yml": "vendor.gitlab-ci",
    }
    present = {path: schema for path, schema in schemas.items() if (project / path).exists()}
    assert (".github/workflows/ci.yml" in present) == (combination.answers["ci"] == "github")
    assert (".gitlab-ci.yml" in present) == (combination.answers["ci"] == "gitlab")
    assert ("compose.yaml" in present) == combination.answers["docker"]
    for path, schema in present.items():
        run(tool("check-jsonschema"), "--builtin-schema", schema, path, cwd=project)


def test_dockerfile_passes_hadolint(combination: Combination, baked: Baker) -> None:
    project = baked(combination)
    if not combination.answers["docker"]:
        assert not (project / "Dockerfile").exists()
        return
    run(tool("hadolint"), "Dockerfile", cwd=project)


def test_replay_file_records_every_answer(combination: Combination, baked: Baker) -> None:
    project = baked(combination)
    recorded = json.loads((project / ".cookiecutter-replay.json").read_text())["cookiecutter"]
    assert {k: recorded[k] for k in combination.answers} == combination.answers
    assert not {"_output_dir", "_repo_dir", "_checkout", "_commit"} & set(recorded)


# Words that only a module's own code uses: when its answer is off, none may remain.
TRACES = {
    ("database", "none"): ("sqlalchemy", "alembic", "DATABASE_URL", "DbSession"),
    ("websockets", False): ("realtime_module", "REALTIME_", "Broadcast"),
    ("background_worker", False): ("taskiq", "WORKER_", "JobQueue"),
    ("request_id", False): ("RequestIdMiddleware", "Server-Timing"),
    ("security_headers", False): ("SecurityHeadersMiddleware", "Content-Security-Policy"),
    ("cors", False): ("CORSMiddleware", "CORS_"),
    ("gzip", False): ("GZipMiddleware", "GZIP_"),
    ("rate_limit", False): ("RateLimitMiddleware", "RATE_LIMIT_", "RateLimit-Policy"),
}


def test_switched_off_modules_leave_no_trace(combination: Combination, baked: Baker) -> None:
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
