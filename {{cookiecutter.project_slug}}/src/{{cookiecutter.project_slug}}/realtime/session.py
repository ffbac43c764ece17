"""What a connection's messages mean: subscribe, unsubscribe, publish, ping."""

from starlette import status

from .broadcast import Broadcast
from .connections import Connection, Hub
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


class Session:
    """Answers one client; invalid messages get an error event until too many in a row."""

    def __init__(
        self, connection: Connection, hub: Hub, broadcast: Broadcast, sender: str | None
    ) -> None:
        self.connection = connection
        self.hub = hub
        self.broadcast = broadcast
        self.sender = sender
        self.invalid = 0

    async def handle(self, text: str) -> None:
        message = parse(text)
        connection = self.connection
        if isinstance(message, Error):
            self.invalid += 1
            if self.invalid >= connection.limits.max_invalid_messages:
                invalid = status.WS_1007_INVALID_FRAME_PAYLOAD_DATA
                connection.close(invalid, "too many invalid messages")
            else:
                connection.send(message.model_dump_json())
            return
        self.invalid = 0
        match message:
            case Publish(channel=channel, payload=payload):
                if not await self.broadcast.publish(channel, payload, self.sender):
                    connection.send(UNAVAILABLE)
            case Subscribe(channel=channel):
                if self.hub.subscribe(connection, channel):
                    connection.send(Subscribed(channel=channel).model_dump_json())
                else:
                    limit = connection.limits.max_channels
                    refusal = Error(code="channel_limit", detail=f"At most {limit} channels.")
                    connection.send(refusal.model_dump_json())
            case Unsubscribe(channel=channel):
                self.hub.unsubscribe(connection, channel)
                connection.send(Unsubscribed(channel=channel).model_dump_json())
            case Ping():
                connection.send(PONG)
