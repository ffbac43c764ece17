"""Regenerating updates: cruft create/check/update/diff and cookiecutter replay.

The template's working tree is copied into a throwaway git repository and committed twice:
`v0.1.0` (the tree as it is) and `v0.2.0` (a core file, a module file and a new question
changed). Projects are created from it with cruft, changed the way users change them, and
updated. After every update the project must equal a fresh creation with the same answers,
except for the user's own changes, and must pass its lint and its tests.

Each test follows a procedure of docs/updating.md; when a procedure changes, change both.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from combinations import COMBINATIONS, MIDDLEWARE_KEYS, TEMPLATE
from conftest import IN_CI, Bakery, python_for, run, tool
from post_gen_project import MANIFEST, unwanted_paths

SLUG = "billing"  # differs from the slug derived from the name: recorded answers win
BASE = {
    "project_name": "Billing API",
    "project_slug": SLUG,
    "database": "none",
    "websockets": False,
    "background_worker": False,
    **dict.fromkeys(MIDDLEWARE_KEYS, False),
}
PROJECT = "{{cookiecutter.project_slug}}"
CORE_FILE = f"src/{SLUG}/api/health.py"
MODULE_FILE = f"src/{SLUG}/items/memory.py"  # owned by database=none
NEW_QUESTION = ("update_channel", "stable")  # used by release_b's README line
NOT_COMPARED = {".git", ".venv", ".cruft.json", "__pycache__", ".pytest_cache", ".ruff_cache"}
BASE_PYTHON = "3.12"  # the default python_version answer
USER_FUNCTION = "\n\ndef user_helper() -> int:\n    return 1\n"


@dataclass(frozen=True)
class Template:
    path: Path
    env: dict[str, str]


def git(*args: str, cwd: Path, env: dict[str, str]) -> str:
    return run("git", *args, cwd=cwd, env=env).stdout


def cruft(*args: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """cruft as users run it, from the project directory; fails the test on exit != 0."""
    return run(tool("cruft"), *args, cwd=cwd, env=env)


def commit_all(repo: Path, message: str, env: dict[str, str]) -> None:
    git("add", "-A", cwd=repo, env=env)
    git("commit", "-q", "-m", message, cwd=repo, env=env)


def rewrite_docstring(path: Path, docstring: str) -> None:
    """Replace the one-line module docstring that opens `path`."""
    first, rest = path.read_text().split("\n", 1)
    assert first.startswith('"""') and first.endswith('"""'), f"{path}: {first}"
    path.write_text(f'"""{docstring}"""\n{rest}')


def release_b(root: Path) -> None:
    """Template v0.2.0: a core file, a module file and a new question with a default."""
    package = root / PROJECT / "src" / PROJECT
    rewrite_docstring(package / "api/health.py", "Health probes (template v0.2.0).")
    rewrite_docstring(package / "items/memory.py", "In-memory items (template v0.2.0).")
    questions = json.loads((root / "cookiecutter.json").read_text())
    prompts = questions.pop("__prompts__")
    questions |= dict([NEW_QUESTION]) | {"__prompts__": prompts}
    (root / "cookiecutter.json").write_text(json.dumps(questions, indent=2) + "\n")
    with (root / PROJECT / "README.md").open("a") as readme:
        readme.write("\nUpdate channel: {{ cookiecutter.update_channel }}.\n")


IGNORED = shutil.ignore_patterns(".git", ".venv", "__pycache__", ".*_cache", "bench", "demo")


def git_env(uv_cache: dict[str, str]) -> dict[str, str]:
    """git and cruft without the machine's git configuration."""
    return uv_cache | {
        "GIT_CONFIG_GLOBAL": "/dev/null",
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "Template Tests",
        "GIT_AUTHOR_EMAIL": "tests@example.com",
        "GIT_COMMITTER_NAME": "Template Tests",
        "GIT_COMMITTER_EMAIL": "tests@example.com",
    }


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory, uv_cache: dict[str, str]) -> Template:
    """A git repository of the template: tag v0.1.0 = the working tree, v0.2.0 = release_b."""
    path = tmp_path_factory.mktemp("updates") / "template"
    shutil.copytree(TEMPLATE, path, ignore=IGNORED)
    env = git_env(uv_cache)
    git("init", "-q", "-b", "main", cwd=path, env=env)
    commit_all(path, "Release 0.1.0", env)
    git("tag", "v0.1.0", cwd=path, env=env)
    release_b(path)
    commit_all(path, "Release 0.2.0", env)
    git("tag", "v0.2.0", cwd=path, env=env)
    return Template(path, env)


# The last template commit whose projects installed with pip (before uv and uv.lock).
PRE_UV = "7753c233c862087a39409627b0d78e55325b8a04"


@pytest.fixture(scope="module")
def pre_uv_template(tmp_path_factory: pytest.TempPathFactory, uv_cache: dict[str, str]) -> Template:
    """A git repository of the template: tag `pre-uv` = commit PRE_UV, then the working tree."""
    path = tmp_path_factory.mktemp("pre-uv") / "template"
    path.mkdir()
    archive = subprocess.run(
        ["git", "-C", str(TEMPLATE), "archive", PRE_UV], capture_output=True, check=False
    )
    if archive.returncode != 0:
        message = f"commit {PRE_UV} is not in this clone: {archive.stderr.decode().strip()}"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    subprocess.run(["tar", "-x", "-C", str(path)], input=archive.stdout, check=True)
    env = git_env(uv_cache)
    git("init", "-q", "-b", "main", cwd=path, env=env)
    commit_all(path, "Before uv", env)
    git("tag", "pre-uv", cwd=path, env=env)
    for child in path.iterdir():
        if child.name != ".git":
            shutil.rmtree(child) if child.is_dir() else child.unlink()
    shutil.copytree(TEMPLATE, path, ignore=IGNORED, dirs_exist_ok=True)
    commit_all(path, "Generated projects on uv", env)
    return Template(path, env)


def create(
    template: Template, where: Path, answers: dict[str, object], checkout: str | None = None
) -> Path:
    """`cruft create` without prompts; the project is committed, as its README asks."""
    where.mkdir()
    args = ["create", str(template.path), "--no-input", "--output-dir", str(where)]
    args += ["--extra-context", json.dumps(answers)]
    args += ["--checkout", checkout] if checkout else []
    cruft(*args, cwd=where, env=template.env)
    project = where / str(answers["project_slug"])
    git("init", "-q", "-b", "main", cwd=project, env=template.env)
    commit_all(project, "Generated", template.env)
    return project


def tree(root: Path) -> dict[str, str]:
    return {
        path.relative_to(root).as_posix(): path.read_text()
        for path in sorted(root.rglob("*"))
        if path.is_file() and not NOT_COMPARED & set(path.relative_to(root).parts)
    }


def fresh_tree(project: Path, template: Template, tmp: Path) -> dict[str, str]:
    """What a new `cruft create` with the project's recorded answers gives, file by file."""
    state = json.loads((project / ".cruft.json").read_text())
    answers = state["context"]["cookiecutter"]
    fresh = create(template, tmp / "fresh", {k: v for k, v in answers.items() if k[0] != "_"})
    assert json.loads((fresh / ".cruft.json").read_text())["context"] == state["context"]
    return tree(fresh)


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory, uv_cache: dict[str, str]) -> Path:
    """One virtualenv for every project here; each check syncs it to that project exactly."""
    path = tmp_path_factory.mktemp("updates-venv") / ".venv"
    run(tool("uv"), "venv", "--quiet", "--python", python_for(BASE_PYTHON), str(path), env=uv_cache)
    return path


def assert_lint_and_tests_pass(project: Path, venv: Path, env: dict[str, str]) -> None:
    """`make install`'s `uv sync`, into the shared environment, then lint and the tests."""
    sync = [tool("uv"), "sync", "--quiet", "--reinstall-package", SLUG]
    run(*sync, cwd=project, env=env | {"UV_PROJECT_ENVIRONMENT": str(venv)})
    run(str(venv / "bin/ruff"), "check", "--no-cache", ".", cwd=project, env=env)
    run(str(venv / "bin/ruff"), "format", "--check", "--no-cache", ".", cwd=project, env=env)
    result = run(str(venv / "bin/pytest"), "-q", "-p", "no:cacheprovider", cwd=project, env=env)
    assert " passed" in result.stdout


def assert_nothing_pending(project: Path, env: dict[str, str]) -> None:
    """No conflict markers, unmerged paths or `.rej` files (cruft exits 0 even then)."""
    assert list(project.rglob("*.rej")) == []
    assert not re.search(r"^(UU|AA|DU|UD) ", git("status", "--porcelain", cwd=project, env=env))


# Module toggles ------------------------------------------------------------------------------


def module_paths(answer: str) -> list[str]:
    """The paths the manifest gives an on/off answer: what switching it off must remove."""
    return [
        path.format(package=SLUG)
        for owner in MANIFEST
        if owner.needs.get(answer) == (True,)
        for path in owner.paths
    ]


def require_module(answer: str) -> None:
    """websockets is proven once its package is in the template; docker always is."""
    if answer == "websockets" and not (TEMPLATE / PROJECT / "src" / PROJECT / "realtime").is_dir():
        message = "the websockets module is not in the template yet"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)


toggles = pytest.mark.parametrize("answer", ["websockets", "docker"])


# Tests ---------------------------------------------------------------------------------------


def test_check_tells_outdated_from_up_to_date(template: Template, tmp_path: Path) -> None:
    old = create(template, tmp_path / "old", BASE, checkout="v0.1.0")
    outdated = subprocess.run(
        [tool("cruft"), "check"], cwd=old, env=template.env, capture_output=True, text=True
    )
    assert outdated.returncode == 1, outdated.stdout + outdated.stderr
    assert "out of date" in outdated.stdout
    current = create(template, tmp_path / "current", BASE)
    assert "up to date" in cruft("check", cwd=current, env=template.env).stdout


def test_update_applies_release_and_keeps_user_changes(
    template: Template, tmp_path: Path, venv: Path
) -> None:
    project = create(template, tmp_path / "project", BASE, checkout="v0.1.0")
    with (project / CORE_FILE).open("a") as core:  # the release changes this file's top
        core.write(USER_FUNCTION)
    (project / "NOTES.md").write_text("Our own notes.\n")
    commit_all(project, "User changes", template.env)

    result = cruft("update", "-y", cwd=project, env=template.env)

    assert "Next steps" not in result.stdout + result.stderr  # cruft's renders are not creations
    assert_nothing_pending(project, template.env)
    expected = fresh_tree(project, template, tmp_path)
    assert "(template v0.2.0)" in expected[CORE_FILE]
    assert "(template v0.2.0)" in expected[MODULE_FILE]
    expected[CORE_FILE] += USER_FUNCTION  # merged with the release's change of the same file
    expected["NOTES.md"] = "Our own notes.\n"
    assert tree(project) == expected
    answers = json.loads((project / ".cruft.json").read_text())["context"]["cookiecutter"]
    assert answers[NEW_QUESTION[0]] == NEW_QUESTION[1]  # the new question took its default
    assert answers["project_slug"] == SLUG  # the recorded slug, not one derived again
    assert "Update channel: stable." in (project / "README.md").read_text()
    commit_all(project, "Update to template v0.2.0", template.env)
    assert "up to date" in cruft("check", cwd=project, env=template.env).stdout
    assert_lint_and_tests_pass(project, venv, template.env)


def test_skipped_paths_keep_the_project_version(template: Template, tmp_path: Path) -> None:
    project = create(template, tmp_path / "project", BASE, checkout="v0.1.0")
    state = json.loads((project / ".cruft.json").read_text())
    (project / ".cruft.json").write_text(json.dumps(state | {"skip": [MODULE_FILE]}, indent=2))
    commit_all(project, "Skip our storage", template.env)
    before = (project / MODULE_FILE).read_text()

    cruft("update", "-y", cwd=project, env=template.env)

    assert (project / MODULE_FILE).read_text() == before
    assert "(template v0.2.0)" in (project / CORE_FILE).read_text()
    assert json.loads((project / ".cruft.json").read_text())["skip"] == [MODULE_FILE]


def test_conflict_is_marked_in_the_file(template: Template, tmp_path: Path) -> None:
    """The user changed the very line the release changes: git's conflict markers, exit 0."""
    project = create(template, tmp_path / "project", BASE, checkout="v0.1.0")
    rewrite_docstring(project / MODULE_FILE, "Our storage.")
    commit_all(project, "User changes", template.env)

    result = cruft("update", "-y", cwd=project, env=template.env)

    assert f"Applied patch to '{MODULE_FILE}' with conflicts." in result.stderr
    assert (
        (project / MODULE_FILE)
        .read_text()
        .startswith(
            '<<<<<<< ours\n"""Our storage."""\n=======\n'
            '"""In-memory items (template v0.2.0)."""\n>>>>>>> theirs\n'
        )
    )
    status = git("status", "--porcelain", cwd=project, env=template.env)
    assert f"UU {MODULE_FILE}" in status.splitlines()


@toggles
def test_module_switched_on_by_update(
    answer: str, template: Template, tmp_path: Path, venv: Path
) -> None:
    require_module(answer)
    project = create(template, tmp_path / "project", BASE | {answer: False})
    (project / "NOTES.md").write_text("Our own notes.\n")
    commit_all(project, "User changes", template.env)

    cruft(
        "update",
        "-y",
        "--variables-to-update",
        json.dumps({answer: True}),
        cwd=project,
        env=template.env,
    )

    assert_nothing_pending(project, template.env)
    answers = json.loads((project / ".cruft.json").read_text())["context"]["cookiecutter"]
    wanted = set(module_paths(answer)) - set(unwanted_paths(answers))  # some need two answers
    assert answers[answer] is True
    assert wanted
    assert all((project / path).exists() for path in wanted)
    assert tree(project) == fresh_tree(project, template, tmp_path) | {
        "NOTES.md": "Our own notes.\n"
    }
    assert_lint_and_tests_pass(project, venv, template.env)


@toggles
def test_module_switched_off_by_update_and_documented_cleanup(
    answer: str, template: Template, tmp_path: Path, venv: Path
) -> None:
    """cruft deletes the module's files the user left alone; the user deletes the rest."""
    require_module(answer)
    project = create(template, tmp_path / "project", BASE | {answer: True})
    paths = module_paths(answer)
    changed = first_file(project, paths)
    with changed.open("a") as file:
        file.write("# Tuned for our deployment.\n")
    commit_all(project, "User changes", template.env)

    cruft(
        "update",
        "-y",
        "--variables-to-update",
        json.dumps({answer: False}),
        cwd=project,
        env=template.env,
    )

    left = sorted(p.relative_to(project).as_posix() for p in existing_files(project, paths))
    assert left == [changed.relative_to(project).as_posix()]  # cruft keeps changed files
    run("rm", "-rf", *paths, cwd=project)  # the procedure of docs/updating.md
    assert_nothing_pending(project, template.env)
    assert tree(project) == fresh_tree(project, template, tmp_path)
    assert_lint_and_tests_pass(project, venv, template.env)


def first_file(project: Path, paths: list[str]) -> Path:
    return next(existing_files(project, paths))


def existing_files(project: Path, paths: list[str]) -> Iterator[Path]:
    for path in map(project.joinpath, paths):
        if path.is_dir():
            yield from sorted(
                p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts
            )
        elif path.exists():
            yield path


def test_replay_file_reproduces_the_project(template: Template, tmp_path: Path) -> None:
    project = create(template, tmp_path / "project", BASE)
    replay = project / ".cookiecutter-replay.json"
    out = tmp_path / "replayed"
    run(
        tool("cookiecutter"),
        "--replay-file",
        str(replay),
        str(template.path),
        "-o",
        str(out),
        env=template.env,
    )
    assert tree(out / SLUG) == tree(project)
    assert str(tmp_path) not in replay.read_text()  # no machine paths in the recorded answers


def test_diff_shows_the_user_changes(template: Template, tmp_path: Path) -> None:
    project = create(template, tmp_path / "project", BASE)
    with (project / CORE_FILE).open("a") as core:
        core.write(USER_FUNCTION)
    commit_all(project, "User changes", template.env)
    result = subprocess.run(
        [tool("cruft"), "diff", "--exit-code"],
        cwd=project,
        env=template.env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert result.stdout.startswith("diff --git ")  # nothing ahead of the patch
    assert "-def user_helper() -> int:" in result.stdout
    assert "Next steps" not in result.stdout + result.stderr


def test_docs_list_the_paths_of_each_answer() -> None:
    """The removal table of docs/updating.md is the manifest, written for users."""
    section = docs().split("## Removing a module", 1)[1].split("\n## ", 1)[0]
    documented = {}
    for answer, paths in re.findall(r"^\| (`.+?) \| (`.+) \|$", section, re.MULTILINE):
        name, *values = re.findall(r"`([^`]+)`", answer)
        found = {path.rstrip("/") for path in re.findall(r"`([^`]+)`", paths)}
        documented[name, tuple(values) or (True,)] = outermost(found)
    manifest: dict[tuple[str, tuple[object, ...]], set[str]] = {}
    for owner in MANIFEST:
        paths = {path.format(package="<package>") for path in owner.paths}
        for answer, values in owner.needs.items():  # any of them changing removes the paths
            manifest.setdefault((answer, values), set()).update(paths)
    assert documented == {key: outermost(paths) for key, paths in manifest.items()}


def test_readme_removal_example_deletes_every_path_of_the_answer(baked: Bakery) -> None:
    """The generated README's `rm -rf` for WebSockets is the manifest's, with the worker."""
    defaults = COMBINATIONS[0]  # WebSockets and the worker on
    project = baked(defaults)
    [line] = re.findall(r"`rm -rf ([^`]+)`", (project / "README.md").read_text())
    package = project.name
    manifest = {
        path.format(package=package)
        for owner in MANIFEST
        if "websockets" in owner.needs and owner.wants(defaults.answers)
        for path in owner.paths
    }
    assert set(line.split()) == outermost(manifest)


def outermost(paths: set[str]) -> set[str]:
    """Paths not inside another of `paths`: deleting those deletes all."""
    return {p for p in paths if not any(p.startswith(other + "/") for other in paths)}


def docs() -> str:
    return (TEMPLATE / "docs" / "updating.md").read_text()


def test_project_from_before_uv_updates_to_uv(pre_uv_template: Template, tmp_path: Path) -> None:
    """A project installed with pip moves to uv with one update and `make install`."""
    env = pre_uv_template.env
    project = create(pre_uv_template, tmp_path / "project", BASE, checkout="pre-uv")
    assert "pip install" in (project / "Makefile").read_text()
    python = python_for(BASE_PYTHON)
    run(python, "-m", "venv", ".venv", cwd=project, env=env)  # the old `make install` made it

    cruft("update", "-y", cwd=project, env=env)

    assert_nothing_pending(project, env)
    assert tree(project) == fresh_tree(project, pre_uv_template, tmp_path)
    assert (project / ".github/dependabot.yml").exists()
    commit_all(project, "Update to uv", env)
    assert "up to date" in cruft("check", cwd=project, env=env).stdout

    make = ("make", f"UV={tool('uv')}")
    run(*make, "install", f"PYTHON={python}", cwd=project, env=env)  # adopts the old .venv
    run(tool("uv"), "sync", "--locked", cwd=project, env=env)
    run(*make, "lint", cwd=project, env=env)
    assert " passed" in run(*make, "test", cwd=project, env=env).stdout
    git("add", "uv.lock", cwd=project, env=env)
    assert git("status", "--porcelain", cwd=project, env=env).splitlines() == ["A  uv.lock"]
