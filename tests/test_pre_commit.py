"""The template's own pre-commit hooks pass on its files, offline.

They run in a fresh repository of the files git would commit from the working tree (tracked
and new, not ignored), whatever the state of the caller's checkout; `.venv` there is the
environment running these tests, whose tools the hooks call.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import yaml

from combinations import TEMPLATE
from conftest import BIN, hook_statuses, run, tool


def test_template_hooks_pass_on_every_file(tmp_path: Path, pre_commit_vars: dict[str, str]) -> None:
    env = os.environ | pre_commit_vars
    listed = run(
        "git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", cwd=TEMPLATE
    )
    copy = tmp_path / "template"
    for name in filter(None, listed.stdout.split("\0")):
        source = TEMPLATE / name
        if source.exists():  # not deleted in the working tree
            (copy / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, copy / name, follow_symlinks=False)
    run("git", "init", "-q", cwd=copy, env=env)
    run("git", "add", "-A", cwd=copy, env=env)
    (copy / ".venv").symlink_to(BIN.parent)  # after `git add`: not a file to check

    output = run(tool("pre-commit"), "run", "--all-files", cwd=copy, env=env).stdout

    repos = yaml.safe_load((copy / ".pre-commit-config.yaml").read_text())["repos"]
    assert {repo["repo"] for repo in repos} <= {"local", "meta"}  # nothing to fetch
    hooks = [hook for repo in repos for hook in repo["hooks"]]
    assert hook_statuses(output) == ["Passed"] * len(hooks), output
