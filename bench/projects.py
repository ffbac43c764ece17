"""Projects baked from the template and installed in their own virtualenvs, once per run."""

import contextlib
import json
import shutil
import subprocess
import sys
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .process import Unavailable, environment, log, run

TEMPLATE = Path(__file__).resolve().parent.parent
MIDDLEWARE_KEYS = ("request_id", "security_headers", "cors", "gzip", "rate_limit")


def template_defaults() -> dict[str, Any]:
    """The answers of `cookiecutter --no-input`: first choice or the plain value."""
    answers = json.loads((TEMPLATE / "cookiecutter.json").read_text())
    return {
        key: value[0] if isinstance(value, list) else value
        for key, value in answers.items()
        if not key.startswith("_")
    }


def base_answers(**overrides: Any) -> dict[str, Any]:
    """No optional module but the default middleware; no Docker or CI files."""
    answers: dict[str, Any] = {
        "docker": False,
        "ci": "none",
        "database": "none",
        "websockets": False,
        "background_worker": False,
    }
    answers.update(overrides)
    return answers


def tool(name: str) -> str | None:
    """A command next to this interpreter (the template's dev tools), else on PATH."""
    beside = Path(sys.executable).parent / name
    return str(beside) if beside.exists() else shutil.which(name)


@dataclass(frozen=True, slots=True)
class Project:
    name: str
    answers: dict[str, Any]
    path: Path
    slug: str

    @property
    def python(self) -> Path:
        return self.path / ".venv" / "bin" / "python"

    @property
    def package(self) -> Path:
        return self.path / "src" / self.slug

    def has(self, relative: str) -> bool:
        """Whether the package has this module (a file or a package directory)."""
        target = self.package / relative
        return target.with_suffix(".py").exists() or (target / "__init__.py").exists()


class Projects:
    """Bakes and installs each named answer set at most once; failures are remembered."""

    def __init__(self, workdir: Path, python: str) -> None:
        self.root = workdir / "projects"
        self.python = python
        self._done: dict[str, Project | Unavailable] = {}

    def prepare(self, wanted: Mapping[str, dict[str, Any]], parallel: int = 3) -> None:
        """Bake and install several projects at once, before anything is measured."""
        with ThreadPoolExecutor(parallel) as pool:
            list(pool.map(lambda item: self._remember(*item), wanted.items()))

    def _remember(self, name: str, answers: dict[str, Any]) -> None:
        with contextlib.suppress(Unavailable):  # remembered; the case that needs it reports it
            self.get(name, answers)

    def installed(self) -> list[Project]:
        return [p for p in self._done.values() if isinstance(p, Project)]

    def get(self, name: str, answers: dict[str, Any]) -> Project:
        if name not in self._done:
            try:
                self._done[name] = self._make(name, answers)
            except Unavailable as exc:
                self._done[name] = exc
        result = self._done[name]
        if isinstance(result, Unavailable):
            raise type(result)(f"project {name}: {result}")
        return result

    def _make(self, name: str, answers: dict[str, Any]) -> Project:
        cookiecutter = tool("cookiecutter")
        uv = tool("uv")
        if cookiecutter is None:
            raise Unavailable("cookiecutter not found (pip install -r requirements-dev.txt)")
        if uv is None:
            raise Unavailable("uv not found (pip install -r requirements-dev.txt)")
        output = self.root / name
        shutil.rmtree(output, ignore_errors=True)
        flags = [f"{key}={_answer(value)}" for key, value in answers.items()]
        log(f"baking {name}: {' '.join(flags)}")
        run(
            [cookiecutter, TEMPLATE, "--no-input", "-o", output, "-f", *flags],
            env=environment(),
            timeout=120,
            what=f"cookiecutter ({name})",
        )
        (path,) = [p for p in output.iterdir() if p.is_dir()]
        env = environment(VIRTUAL_ENV=str(path / ".venv"))
        env.setdefault("UV_PYTHON_DOWNLOADS", "never")
        run([uv, "venv", "-q", "-p", self.python, path / ".venv"], env=env, what="uv venv")
        run([uv, "pip", "install", "-q", "-e", path], env=env, timeout=900, what="uv pip install")
        log(f"installed {name}")
        return Project(name, answers, path, path.name)


def versions(python: Path, packages: tuple[str, ...]) -> dict[str, str]:
    """Installed versions of `packages` in the virtualenv of `python` (missing ones left out)."""
    code = (
        "import json, sys\n"
        "from importlib.metadata import version, PackageNotFoundError\n"
        "found = {'python': sys.version.split()[0]}\n"
        "for name in sys.argv[1:]:\n"
        "    try:\n"
        "        found[name] = version(name)\n"
        "    except PackageNotFoundError:\n"
        "        pass\n"
        "print(json.dumps(found))\n"
    )
    try:
        out = subprocess.run(
            [str(python), "-c", code, *packages],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
            env=environment(),
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return {}
    found: dict[str, str] = json.loads(out)
    return found


def _answer(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
