"""The hooks: the manifest agrees with the tree, and assembly is idempotent."""

from __future__ import annotations

import hashlib
import shutil
import tempfile
from pathlib import Path

import pytest
from cookiecutter.hooks import run_script_with_context
from pytest_cookies.plugin import Cookies

from combinations import ALL_OFF, QUESTIONS, TEMPLATE, Combination, defaults
from conftest import bake
from post_gen_project import MANIFEST

TEMPLATE_ROOT = TEMPLATE / "{{cookiecutter.project_slug}}"


@pytest.mark.parametrize(
    "path", sorted({path for owner in MANIFEST for path in owner.paths}), ids=str
)
def test_every_manifest_path_exists_in_the_template(path: str) -> None:
    assert (TEMPLATE_ROOT / path.format(package="{{cookiecutter.project_slug}}")).exists()


def test_every_manifest_answer_is_a_question() -> None:
    public = defaults()
    for owner in MANIFEST:
        for answer, values in owner.needs.items():
            assert answer in public
            question = QUESTIONS[answer]
            choices = [True, False] if isinstance(question, bool) else question
            assert all(value in choices for value in values)


def snapshot(project: Path) -> dict[str, str]:
    return {
        path.relative_to(project).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(project.rglob("*"))
        if path.is_file()
    }


@pytest.mark.parametrize(
    "combination", [Combination("defaults"), Combination("all-off", ALL_OFF)], ids=str
)
def test_post_gen_hook_twice_changes_nothing(combination: Combination, cookies: Cookies) -> None:
    project = bake(cookies, combination.answers)
    before = snapshot(project)
    context = {
        "cookiecutter": combination.answers
        | {"project_slug": project.name, "_repo_dir": str(TEMPLATE)}
    }
    run_script_with_context(TEMPLATE / "hooks" / "post_gen_project.py", project, context)
    assert snapshot(project) == before


def test_next_steps_install_before_the_first_commit(
    cookies: Cookies, capfd: pytest.CaptureFixture[str]
) -> None:
    """A real creation ends with the next steps; `make install` first, so uv.lock is committed."""
    project = bake(cookies, defaults())
    out = capfd.readouterr().out
    assert f"Created {project}" in out
    steps = [line.split("#")[0].strip() for line in out.split("Next steps:\n", 1)[1].splitlines()]
    assert steps[:3] == [
        f"cd {project.name}",
        "make install",
        "git init && git add -A && git commit -m 'Initial commit'",
    ]


def test_no_next_steps_when_rendered_into_a_fresh_temporary_directory(
    cookies: Cookies, capfd: pytest.CaptureFixture[str]
) -> None:
    """cruft's update, diff and check render there: the banner would land in their output."""
    baked = bake(cookies, defaults())
    capfd.readouterr()
    answers = defaults() | {"project_slug": baked.name, "_repo_dir": str(TEMPLATE)}
    context = {"cookiecutter": answers}
    with tempfile.TemporaryDirectory() as where:
        project = Path(where) / baked.name
        shutil.copytree(baked, project)
        run_script_with_context(TEMPLATE / "hooks" / "post_gen_project.py", project, context)
    assert capfd.readouterr().out == ""
