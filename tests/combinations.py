"""The table of answer combinations the template is proven with.

Tier 1 (render checks) runs on every row; tier 2 (install, type-check, test, serve) runs on
rows marked `tier2`. Rows start from the defaults and change one answer at a time, plus named
rows where answers interact (the full product is too large to bake).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pre_gen_project import MAX_LENGTH

TEMPLATE = Path(__file__).resolve().parent.parent
QUESTIONS = json.loads((TEMPLATE / "cookiecutter.json").read_text())
"""cookiecutter.json as written: choices as lists, prompts, private keys."""

MODULE_KEYS = ("websockets", "background_worker", "http_client", "metrics", "tracing")
MIDDLEWARE_KEYS = ("request_id", "security_headers", "cors", "gzip", "rate_limit")


def defaults() -> dict[str, Any]:
    """The answer `--no-input` gives for every public question."""
    return {
        key: value[0] if isinstance(value, list) else value
        for key, value in QUESTIONS.items()
        if not key.startswith("_") and key != "project_slug"
    }


@dataclass(frozen=True)
class Combination:
    name: str
    changes: dict[str, Any] = field(default_factory=dict)
    tier2: bool = False
    python: str | None = None
    """Python for tier 2; default: the combination's `python_version`."""

    @property
    def answers(self) -> dict[str, Any]:
        return defaults() | self.changes

    @property
    def interpreter(self) -> str:
        return self.python or self.answers["python_version"]

    def __str__(self) -> str:
        return self.name


def _one_at_a_time() -> list[Combination]:
    rows = []
    for key, value in QUESTIONS.items():
        if key.startswith("_") or key in ("project_slug", "python_version"):
            continue  # python versions are named rows of tier 2
        if isinstance(value, list):
            rows += [Combination(f"{key}={choice}", {key: choice}) for choice in value[1:]]
        elif isinstance(value, bool):
            rows.append(Combination(f"{key}={not value}", {key: not value}))
    return rows


ALL_ON = {key: True for key in (*MODULE_KEYS, *MIDDLEWARE_KEYS)} | {"docker": True, "auth": "oidc"}
ALL_OFF = {key: False for key in (*MODULE_KEYS, *MIDDLEWARE_KEYS)} | {
    "database": "none",
    "docker": False,
    "ci": "none",
}

COMBINATIONS: list[Combination] = [
    Combination("defaults", tier2=True),
    Combination("defaults-py3.11", {"python_version": "3.11"}, tier2=True),
    Combination("defaults-py3.13", {"python_version": "3.13"}, tier2=True),
    Combination("all-on", ALL_ON, tier2=True),
    Combination("all-off", ALL_OFF, tier2=True),
    Combination("sqlite-only", ALL_OFF | {"database": "sqlite"}, tier2=True),
    Combination("gitlab-all-on", ALL_ON | {"ci": "gitlab", "database": "sqlite"}),
    Combination(
        "proprietary-custom-name",
        {
            "project_name": "Billing API",
            "license": "Proprietary",
            "version": "2.0.0rc1",
        },
    ),
    Combination(
        # Quotes, backslashes, letters and punctuation that ruff calls ambiguous, wide letters.
        "free-text-answers",
        {
            "project_name": 'Jane "JD" O\'Dóherty \u2013 \\ Co',
            "description": (
                'Orders of "Jane\u2019s" shop \\ K\u0131l\u0131ç & Co \u2013 \u0441 тобой, 東京: a'
                ' description long enough to wrap, ending in a quote "'
            ),
            "author_name": 'Jane "JD" O\'Dóherty \\ Co',
        },
    ),
    Combination(  # every generated line that names the package twice stays within 100
        "longest-slug", ALL_ON | {"project_slug": "s" * MAX_LENGTH["project_slug"]}
    ),
    Combination(  # the modules that share Redis, with no database to lean on
        "redis-modules-without-database",
        ALL_OFF | {"websockets": True, "background_worker": True, "rate_limit": True},
        tier2=True,
    ),
    *_one_at_a_time(),
]

TIER2 = [c for c in COMBINATIONS if c.tier2]
