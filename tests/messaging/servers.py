"""Real local servers for the channel tests: a threaded HTTP server whose answers a test
scripts, speaking each provider's request and error format; nothing leaves 127.0.0.1."""

import json
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass(frozen=True)
class Answer:
    status: int = 200
    document: Any = None
    headers: dict[str, str] = field(default_factory=dict)


#: A provider: each request (and how many came before it) to its answer.
Provider = Callable[[Request], Answer]


@dataclass
class Recorder:
    """Every request the server was sent, in order."""

    requests: list[Request] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, request: Request) -> None:
        with self.lock:
            self.requests.append(request)


def _handler(provider: Provider, recorder: Recorder) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            request = Request(
                self.command, self.path, dict(self.headers.items()), self.rfile.read(length)
            )
            recorder.add(request)
            answer = provider(request)
            body = b"" if answer.document is None else json.dumps(answer.document).encode()
            self.send_response(answer.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            for name, value in answer.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST = _answer

        def log_message(self, *_: Any) -> None:  # quiet: the recorder keeps what matters
            pass

    return Handler


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that went away mid-answer (a killed worker) is no error of the server."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@contextmanager
def http_server(provider: Provider) -> Iterator[tuple[str, Recorder]]:
    """The provider served on a free local port: its base URL and what it was sent."""
    recorder = Recorder()
    server = _Server(("127.0.0.1", 0), _handler(provider, recorder))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", recorder
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


class WebhookReceiver:
    """A webhook receiver that keeps what it accepts by delivery id, as a provider that
    deduplicates does: a resend of an accepted delivery is answered 200 and not accepted
    again. ``script`` answers the n-th request (from 0) instead, when it gives an answer."""

    def __init__(self, script: Callable[[int, Request], Answer | None] | None = None) -> None:
        self.script = script
        self.accepted: dict[str, bytes] = {}
        self.resent: list[str] = []
        self.count = 0
        self.lock = threading.Lock()

    def __call__(self, request: Request) -> Answer:
        with self.lock:
            number, self.count = self.count, self.count + 1
        scripted = self.script(number, request) if self.script else None
        if scripted is not None:
            return scripted
        delivery = request.headers["X-Memberops-Delivery"]
        with self.lock:
            if delivery in self.accepted:
                self.resent.append(delivery)
            else:
                self.accepted[delivery] = request.body
        return Answer(200, {"id": f"wh-{delivery}"})
