"""Bad answers stop generation with one readable line naming the field, leaving nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from cookiecutter.exceptions import FailedHookException
from pytest_cookies.plugin import Cookies

from combinations import TEMPLATE, defaults
from pre_gen_project import problems

BAD_ANSWERS = [
    ({"project_slug": "My-Service"}, "project_slug"),
    ({"project_slug": "9lives"}, "project_slug"),
    ({"project_slug": "class"}, "project_slug"),
    ({"project_slug": "match"}, "project_slug"),
    ({"project_slug": "asyncio"}, "project_slug"),
    ({"project_slug": "json"}, "project_slug"),
    ({"project_slug": "fastapi"}, "project_slug"),
    ({"project_slug": "pydantic"}, "project_slug"),
    ({"project_slug": "tests"}, "project_slug"),
    ({"project_slug": "test"}, "project_slug"),  # CPython's regression tests
    ({"project_slug": "cgi"}, "project_slug"),  # removed in 3.13, still in 3.11
    ({"project_slug": "typer"}, "project_slug"),  # transitive dependencies
    ({"project_slug": "click"}, "project_slug"),
    ({"project_slug": "yaml"}, "project_slug"),
    ({"project_slug": "pydantic_core"}, "project_slug"),
    ({"project_slug": "python_dotenv"}, "project_slug"),  # a distribution name
    ({"project_slug": "a" * 25}, "project_slug"),
    ({"project_name": "Billing " * 40}, "project_name"),  # the derived slug is cut to 24
    ({"project_name": "A" * 65, "project_slug": "svc"}, "project_name"),
    ({"description": "d" * 201}, "description"),
    ({"author_name": "n" * 101}, "author_name"),
    ({"author_email": "a" * 243 + "@example.com"}, "author_email"),
    ({"version": "1" + ".0" * 16}, "version"),
    ({"project_name": "   ", "project_slug": "svc"}, "project_name"),
    ({"project_name": "tab\tseparated"}, "project_name"),
    ({"description": "two\nlines"}, "description"),
    ({"author_name": "Jane\u2028Doe"}, "author_name"),  # a line separator
    ({"author_name": "Jane\x00Doe"}, "author_name"),
    ({"author_email": "not-an-email"}, "author_email"),
    ({"author_email": "a@b"}, "author_email"),
    ({"version": "1.0-beta"}, "version"),
    ({"version": "v1"}, "version"),
]


def left_in_output(tmp_path: Path) -> list[str]:
    """What bakes left in the `cookies` fixture's output folders (`<tmp_path>/cookies/bakeNN`)."""
    output = tmp_path / "cookies"
    assert output.is_dir()  # the layout this reads; a bake that succeeds proves it below
    return sorted(path.relative_to(output).as_posix() for path in output.glob("bake*/*"))


@pytest.mark.parametrize(("answers", "field"), BAD_ANSWERS, ids=lambda v: repr(v))
def test_bad_answer_stops_with_one_line_naming_the_field(
    answers: dict[str, str],
    field: str,
    cookies: Cookies,
    tmp_path: Path,
    capfd: pytest.CaptureFixture[str],
) -> None:
    result = cookies.bake(extra_context=answers, template=str(TEMPLATE))
    assert result.exit_code != 0
    assert isinstance(result.exception, FailedHookException)
    assert result.project_path is None
    errors = [line for line in capfd.readouterr().err.splitlines() if line.startswith("error:")]
    assert len(errors) == 1
    assert errors[0].startswith(f"error: {field} ")
    assert left_in_output(tmp_path) == []


def test_good_answers_pass(cookies: Cookies, tmp_path: Path) -> None:
    result = cookies.bake(
        extra_context={
            "project_name": "Billing & Invoicing API",
            "version": "1!2.0.post1.dev3",
        },
        template=str(TEMPLATE),
    )
    assert result.exit_code == 0
    assert result.exception is None
    assert result.project_path.name == "billing_invoicing_api"
    assert left_in_output(tmp_path) == ["bake00/billing_invoicing_api"]


@pytest.mark.parametrize(
    "text", ['The "Best" API', "back\\slash", "O'Dóherty & Co \u2013 東京", '"', "\\"]
)
def test_free_text_may_hold_quotes_backslashes_and_any_script(text: str) -> None:
    """The files quote the answers as their languages need, so only shape is refused."""
    texts = dict.fromkeys(("project_name", "description", "author_name"), text)
    assert problems(defaults() | {"project_slug": "svc"} | texts) == []


@pytest.mark.parametrize(("key", "value"), [("python_version", "3.10"), ("database", "mysql")])
def test_unknown_choice_is_refused_before_anything_is_written(
    key: str, value: str, cookies: Cookies, tmp_path: Path
) -> None:
    """Cookiecutter itself checks choice answers, before the hooks run."""
    result = cookies.bake(extra_context={key: value}, template=str(TEMPLATE))
    assert result.exit_code != 0
    assert isinstance(result.exception, ValueError)
    assert f"{value} provided for choice variable {key}" in str(result.exception)
    assert left_in_output(tmp_path) == []
