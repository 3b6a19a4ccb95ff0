"""A real HTTP server on 127.0.0.1 serving a :class:`~tests.e2e.sitegen.Site`, in a background thread.

Every request is recorded (host, path, when), so tests can assert what a crawl downloaded. The site object is
shared and mutable: add articles or faults, or make article pages slow, between (or during) runs.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .sitegen import Site


@dataclass(frozen=True)
class Hit:
    host: str
    path: str
    at: float


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    # HTTP/1.0: one request per connection, and a body without Content-Length simply ends at the close.
    protocol_version = "HTTP/1.0"

    def do_GET(self) -> None:
        host = self.headers.get("Host", "")
        self.server.owner.record(host, self.path)
        reply = self.server.owner.site.respond(host, self.path)
        stopping = self.server.owner.stopping
        if reply.delay and stopping.wait(reply.delay):
            return  # shutting down: drop the connection
        while reply.gate is not None and not reply.gate.wait(0.05):
            if stopping.is_set():
                return
        try:
            self.send_response(reply.status)
            for key, value in reply.headers.items():
                self.send_header(key, value)
            if reply.content_length:
                self.send_header("Content-Length", str(len(reply.body)))
            self.send_header("Connection", "close")
            self.end_headers()
            view = memoryview(reply.body)
            for start in range(0, len(view), 256 * 1024):
                self.wfile.write(view[start:start + 256 * 1024])
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout, size cap): what the tests provoke on purpose

    def log_message(self, format: str, *args: object) -> None:  # the request log is ours (SiteServer.hits)
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    owner: SiteServer

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client that hung up mid-reply is expected here; the request log says what happened


class SiteServer:
    """``with SiteServer(site) as srv: srv.port``; ``srv.hits`` lists every request received."""

    def __init__(self, site: Site) -> None:
        self.site = site
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._hits: list[Hit] = []
        self._httpd = _Server(("127.0.0.1", 0), _Handler)
        self._httpd.owner = self
        self.port: int = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        name=f"site-server-{self.port}", daemon=True)

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self) -> SiteServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> SiteServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ---- the request log -------------------------------------------------------------------------------------------
    def record(self, host: str, path: str) -> None:
        with self._lock:
            self._hits.append(Hit(host, path, time.monotonic()))

    @property
    def hits(self) -> list[Hit]:
        with self._lock:
            return list(self._hits)

    def clear(self) -> None:
        with self._lock:
            self._hits.clear()

    def paths(self, prefix: str = "") -> list[str]:
        return [h.path for h in self.hits if h.path.startswith(prefix)]

    def article_codes(self) -> list[str]:
        """News codes of the article pages requested, in order, with repeats (retries)."""
        return [h.path.split("/")[2] for h in self.hits if h.path.startswith("/news/")]
