"""A cap on request body size for the API, checked before the body is parsed, so an oversized
or endless upload is refused with 413 instead of filling memory."""

import json
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from memberops.api.problems import ERRORS_DOC, PROBLEM_JSON
from memberops.kernel.errors import error_anchor


class _TooLarge(Exception):
    pass


class BodySizeLimit:
    """ASGI middleware refusing API request bodies over ``max_bytes``."""

    def __init__(self, app: ASGIApp, max_bytes: int, prefix: str = "/api/") -> None:
        self.app, self.max_bytes, self.prefix = app, max_bytes, prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self.prefix):
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(scope, send)
            return
        seen = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise _TooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _TooLarge:
            if not started:
                await self._refuse(scope, send)

    async def _refuse(self, scope: Scope, send: Send) -> None:
        body: dict[str, Any] = {
            "type": f"{ERRORS_DOC}#{error_anchor('request.too_large')}",
            "title": "Request body too large",
            "status": 413,
            "detail": f"Request bodies are limited to {self.max_bytes} bytes.",
            "instance": scope["path"],
            "code": "request.too_large",
            "max_bytes": self.max_bytes,
        }
        payload = json.dumps(body).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", PROBLEM_JSON.encode()),
                    (b"content-length", str(len(payload)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": payload})
