"""WebSocket channels behind tokens: the realtime module's hooks, on this module's verifier.

- Connecting takes a valid token, or none at all while `REALTIME_ALLOW_ANONYMOUS` is true.
- Subscribing is open to every client that is in, anonymous ones included.
- Publishing takes the scope `channels:publish`.
{% if cookiecutter.background_worker %}
- `jobs.<id>` is the job's submitter's: no one else may subscribe, and no client publishes
  there (the service does, when the job ends).
{% endif %}
"""

from starlette.requests import HTTPConnection

from ..realtime import Action, Authenticate, AuthenticationError, Client
{% if cookiecutter.background_worker %}
from ..worker import JobQueue, JobsUnavailableError
from ..worker.notify import JOB_CHANNEL_PREFIX
{% endif %}
from .verifier import InvalidTokenError, Verifier

PUBLISH_SCOPE = "channels:publish"


def token_clients(allow_anonymous: bool) -> Authenticate:
    """Clients as their tokens say; without a token, anonymous or refused."""

    async def authenticate(connection: HTTPConnection, token: str | None) -> Client:
        if token is None:
            if allow_anonymous:
                return Client()
            raise AuthenticationError("A bearer token is required.")
        verifier: Verifier = connection.state.verifier
        try:
            principal = await verifier.verify(token)
        except InvalidTokenError as error:
            raise AuthenticationError(f"The token is not accepted: {error}.") from None
        return Client(principal.subject, principal.scopes)

    return authenticate


async def channel_rules(
    connection: HTTPConnection, client: Client, action: Action, channel: str
) -> bool:
{% if cookiecutter.background_worker %}
    if channel.startswith(JOB_CHANNEL_PREFIX):
        job_id = channel.removeprefix(JOB_CHANNEL_PREFIX)
        return action == "subscribe" and await _submitted(connection, client, job_id)
{% endif %}
    return action == "subscribe" or PUBLISH_SCOPE in client.scopes
{% if cookiecutter.background_worker %}


async def _submitted(connection: HTTPConnection, client: Client, job_id: str) -> bool:
    """Whether `client` submitted the job; when the queue cannot tell, it did not."""
    if client.name is None:
        return False
    queue: JobQueue = connection.state.jobs
    try:
        return await queue.shown_to(job_id, client.name)
    except JobsUnavailableError:
        return False
{% endif %}
