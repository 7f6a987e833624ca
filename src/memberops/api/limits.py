"""A cap on request body size for the API, checked before the body is parsed, so an oversized
or endless upload is refused with 413 instead of filling memory."""

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from memberops.api.problems import RequestTooLarge, too_large


class BodySizeLimit:
    """ASGI middleware refusing API request bodies over ``max_bytes``: at once when the
    declared Content-Length is over, otherwise (a chunked or understated body) as soon as the
    bytes read pass the limit, before any of it reaches an endpoint."""

    def __init__(self, app: ASGIApp, max_bytes: int, prefix: str = "/api/") -> None:
        self.app, self.max_bytes, self.prefix = app, max_bytes, prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self.prefix):
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            response = await too_large(Request(scope), RequestTooLarge(self.max_bytes))
            await response(scope, receive, send)
            return
        seen = 0

        async def limited_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise RequestTooLarge(self.max_bytes)  # rendered by the app's handler
            return message

        await self.app(scope, limited_receive, send)
