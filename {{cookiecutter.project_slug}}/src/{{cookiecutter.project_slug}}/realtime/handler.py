"""What a client's messages mean: subscribe, unsubscribe, publish, ping."""

from starlette import status
from starlette.requests import HTTPConnection

from .auth import Authorize, Client
from .broadcast import Broadcast
from .connections import Hub, Subscriber
from .protocol import (
    PONG,
    UNAVAILABLE,
    Error,
    Ping,
    Publish,
    Subscribe,
    Subscribed,
    Unsubscribe,
    Unsubscribed,
    parse,
)


class MessageHandler:
    """Answers one client's messages; invalid ones get an error event until too many in a row."""

    def __init__(
        self,
        subscriber: Subscriber,
        hub: Hub,
        broadcast: Broadcast,
        client: Client,
        authorize: Authorize,
        connection: HTTPConnection,
        request_id: str | None = None,
    ) -> None:
        self.subscriber = subscriber
        self.hub = hub
        self.broadcast = broadcast
        self.client = client
        self.authorize = authorize
        self.connection = connection
        """The handshake, for `authorize`."""
        self.request_id = request_id
        """The connection's, given to what it publishes."""
        self.invalid = 0

    async def handle(self, text: str) -> None:
        message = parse(text)
        subscriber = self.subscriber
        if isinstance(message, Error):
            self.invalid += 1
            if self.invalid >= subscriber.limits.max_invalid_messages:
                invalid = status.WS_1007_INVALID_FRAME_PAYLOAD_DATA
                subscriber.close(invalid, "too many invalid messages")
            else:
                subscriber.send(message.model_dump_json())
            return
        self.invalid = 0
        match message:
            case Publish() | Subscribe() if not await self.allowed(message):
                refusal = Error(code="forbidden", detail=f"Not allowed to {message.type} there.")
                subscriber.send(refusal.model_dump_json())
            case Publish(channel=channel, payload=payload):
                sender = self.client.name
                if not await self.broadcast.publish(channel, payload, sender, self.request_id):
                    subscriber.send(UNAVAILABLE)
            case Subscribe(channel=channel):
                if self.hub.subscribe(subscriber, channel):
                    subscriber.send(Subscribed(channel=channel).model_dump_json())
                else:
                    limit = subscriber.limits.max_channels
                    refusal = Error(code="channel_limit", detail=f"At most {limit} channels.")
                    subscriber.send(refusal.model_dump_json())
            case Unsubscribe(channel=channel):
                self.hub.unsubscribe(subscriber, channel)
                subscriber.send(Unsubscribed(channel=channel).model_dump_json())
            case Ping():
                subscriber.send(PONG)

    async def allowed(self, message: Publish | Subscribe) -> bool:
        return await self.authorize(self.connection, self.client, message.type, message.channel)
