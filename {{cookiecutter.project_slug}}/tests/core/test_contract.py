"""The HTTP API keeps its own OpenAPI contract under generated input (schemathesis).

Every operation with every default check (no server error; statuses, content types and bodies
as documented; invalid input refused), then the linked operations as sequences (create, read,
change, delete). `make test` runs a short, repeatable pass; `make fuzz` a long, random one.
"""

import os
from collections.abc import Iterator
from typing import Any
{% if cookiecutter.background_worker %}
from uuid import uuid4
{% endif %}

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.configuration import set_hypothesis_home_dir
from schemathesis.checks import CheckFunction
from schemathesis.core.result import Ok
from schemathesis.core.transport import Response
from schemathesis.generation.stateful.state_machine import APIStateMachine
from schemathesis.python.asgi import shutdown_lifespans

from {{ cookiecutter.project_slug }}.app import create_app
from {{ cookiecutter.project_slug }}.modules import Settings
{% if cookiecutter.http_client %}

from support import upstream
{% endif %}

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "0"))
"""Examples per operation; unset, a short pass with the same examples every run."""

BUDGET = settings(
    max_examples=EXAMPLES or 20,
    derandomize=not EXAMPLES,
    deadline=None,
    database=None,  # no example database: tests write only under temporary directories
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


{% if cookiecutter.http_client %}
@pytest.fixture(scope="module")
def rates_upstream() -> Iterator[str]:
    """The example route's upstream, so that its operation is fuzzed like any other."""
    with upstream.served() as (url, received):
        yield url
    assert received, "no fuzzed request reached the upstream"


{% endif %}
@pytest.fixture(scope="module")
def api(
{% if cookiecutter.database != "none" %}
    module_database_url: str,
{% endif %}
{% if cookiecutter.http_client %}
    rates_upstream: str,
{% endif %}
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[schemathesis.BaseSchema]:
    """The schema of one app whose lifespan schemathesis runs, ended with the module."""
    set_hypothesis_home_dir(str(tmp_path_factory.mktemp("hypothesis")))  # its caches
    settings = Settings(
        environment="test",
{% if cookiecutter.database != "none" %}
        database_url=module_database_url,
{% endif %}
{% if cookiecutter.rate_limit %}
        rate_limit_requests=1_000_000,  # the contract, not the limit, is under test here
{% endif %}
{% if cookiecutter.http_client %}
        rates_url=rates_upstream,
{% endif %}
        shutdown_timeout=1,
        gc_young_threshold=0,
        _env_file=None,
    )
    yield schemathesis.openapi.from_asgi("/openapi.json", create_app(settings))
    shutdown_lifespans()


def waived(case: schemathesis.Case[Any]) -> list[CheckFunction]:
    """Checks that cannot hold for this case, each with its reason."""
{% if cookiecutter.background_worker %}
    if case.operation.label == "POST /jobs":
        # Generated keys repeat: a key reused with other parameters is refused with 422, as
        # the Idempotency-Key draft says, though each request alone is valid.
        return [schemathesis.checks.positive_data_acceptance]
{% endif %}
    return []


def test_every_operation_keeps_its_contract(api: schemathesis.BaseSchema) -> None:
    failures = []
    for result in api.get_all_operations():
        assert isinstance(result, Ok), result.err()
        operation = result.ok()

        @given(case=operation.as_strategy())
        @BUDGET
        def keeps_contract(case: schemathesis.Case[Any]) -> None:
            case.call_and_validate(excluded_checks=waived(case))

        try:
            keeps_contract()
        except Exception as error:  # every operation runs; all failures are reported below
            failures.append(f"{operation.label}: {error}")
    assert not failures, "\n\n".join(failures)


def test_linked_operations_keep_their_contract(api: schemathesis.BaseSchema) -> None:
    listing, delete = api["/items"]["GET"], api["/items/{item_id}"]["DELETE"]

    def start_without_items(machine: object) -> None:
        """Hypothesis replays a sequence expecting the state it met the first time."""
        while items := listing.Case(query={"limit": 100}).call().json()["items"]:
            for item in items:
                delete.Case(path_parameters={"item_id": item["id"]}).call()

    def validate_response(
        machine: object, response: Response, case: schemathesis.Case[Any], **kwargs: Any
    ) -> None:
        case.validate_response(
            response,
            excluded_checks=waived(case),
            transport_kwargs=kwargs or None,
            recorder=getattr(machine, "recorder", None),  # for the checks across steps
        )

{% if cookiecutter.background_worker %}
    def with_a_fresh_key(machine: object, case: schemathesis.Case[Any]) -> None:
        """A replayed key would meet the job an earlier sequence made with it."""
        for name in case.headers or {}:
            if name.lower() == "idempotency-key":
                case.headers[name] = uuid4().hex

{% endif %}
    sequences: type[APIStateMachine] = type(
        "Sequences",
        (api.as_state_machine(),),
        {
            "setup": start_without_items,
{% if cookiecutter.background_worker %}
            "before_call": with_a_fresh_key,
{% endif %}
            "validate_response": validate_response,
        },
    )
    sequences.run(settings=BUDGET)
