"""A threaded loopback HTTP server serving configured bytes per path (CRLs, JSON…).

Used as the CRL Distribution Point of test certificates (MSSANTE.md §2, ECO.1.1.6–1.1.7: the
client checks revocation and keeps the last valid CRL) and for any small document a test needs
to serve. It logs every request and can be switched off: while off it closes each connection
without answering, as an unreachable distribution point would look to a client.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.servers._util import LOOPBACK


@dataclass(frozen=True)
class HttpRequestRecord:
    """One request received."""

    method: str
    path: str
    headers: dict[str, str]
    at: float
    answered: bool


@dataclass(frozen=True)
class _Resource:
    body: bytes
    content_type: str
    status: int


class HttpFileServer:
    """Serves ``{path: bytes}`` on 127.0.0.1 (HTTP only, like CRL distribution points).

    Args:
        files: initial content, path -> bytes.
    """

    def __init__(self, files: dict[str, bytes] | None = None) -> None:
        self._resources: dict[str, _Resource] = {}
        self._lock = threading.Lock()
        self._requests: list[HttpRequestRecord] = []
        self.enabled = True
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        for path, body in (files or {}).items():
            self.set(path, body)

    # -- content -----------------------------------------------------------------------
    def set(
        self,
        path: str,
        body: bytes,
        content_type: str = "application/octet-stream",
        status: int = 200,
    ) -> str:
        """Serve ``body`` at ``path``; return its URL (when started)."""
        if not path.startswith("/"):
            path = "/" + path
        with self._lock:
            self._resources[path] = _Resource(body, content_type, status)
        return self.url(path) if self._server else path

    def remove(self, path: str) -> None:
        """Stop serving ``path`` (404 afterwards)."""
        with self._lock:
            self._resources.pop(path, None)

    def set_enabled(self, enabled: bool) -> None:
        """Switch the server on or off (off: connections are closed without a response)."""
        self.enabled = enabled

    @property
    def requests(self) -> list[HttpRequestRecord]:
        """Requests received so far."""
        with self._lock:
            return list(self._requests)

    def requests_for(self, path: str) -> list[HttpRequestRecord]:
        """Requests for ``path``."""
        return [r for r in self.requests if r.path.split("?", 1)[0] == path]

    # -- lifecycle ---------------------------------------------------------------------
    @property
    def port(self) -> int:
        """The listening port."""
        assert self._server is not None
        return int(self._server.server_address[1])

    def url(self, path: str) -> str:
        """``http://127.0.0.1:port/path``."""
        if not path.startswith("/"):
            path = "/" + path
        return f"http://{LOOPBACK}:{self.port}{path}"

    def start(self) -> HttpFileServer:
        """Listen on a free port in a background thread."""
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _serve(self, with_body: bool) -> None:
                path = self.path.split("?", 1)[0]
                answered = owner.enabled
                with owner._lock:
                    owner._requests.append(
                        HttpRequestRecord(
                            self.command,
                            self.path,
                            dict(self.headers.items()),
                            time.time(),
                            answered,
                        )
                    )
                    resource = owner._resources.get(path)
                if not answered:
                    self.close_connection = True
                    return
                if resource is None:
                    resource = _Resource(b"not found\n", "text/plain", 404)
                self.send_response(resource.status)
                self.send_header("Content-Type", resource.content_type)
                self.send_header("Content-Length", str(len(resource.body)))
                self.end_headers()
                if with_body:
                    self.wfile.write(resource.body)

            def do_GET(self) -> None:
                self._serve(True)

            def do_HEAD(self) -> None:
                self._serve(False)

            def log_message(self, *args: object) -> None:
                pass

        server = ThreadingHTTPServer((LOOPBACK, 0), Handler)
        server.daemon_threads = True
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop listening and join the thread."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> HttpFileServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
