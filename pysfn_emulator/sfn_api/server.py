"""`pysfn-emulate serve`: the Step Functions API over HTTP, a drop-in for Step Functions
Local's endpoint (http://127.0.0.1:8083 by default).

The stdlib's ThreadingHTTPServer does the HTTP (HTTP/1.1, keep-alive); `wire.handle` does
the protocol and the service the work.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .regions import region_of
from .service import StepFunctionsService
from .wire import handle


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out as two writes; with Nagle's algorithm the second waits for the
    # client's delayed ACK (40 ms a request on Linux).
    disable_nagle_algorithm = True
    server_version = "pysfn-sfn"
    service: StepFunctionsService  # set on the subclass each server makes

    def do_POST(self) -> None:  # http.server's naming
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        context = {"region": region_of(self.headers.get("Authorization"))}
        response = handle(self.service.call, self.headers.get("X-Amz-Target"), body, context)
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(response.body)

    def do_GET(self) -> None:
        body = b"pysfn: the AWS Step Functions API (POST JSON 1.0 requests with X-Amz-Target)\n"
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args) -> None:
        if self.server.verbose:
            super().log_message(format, *args)


class Server(ThreadingHTTPServer):
    """An HTTP server for one service; `port` is the one bound (bind 0 for a free one)."""

    daemon_threads = True
    verbose = False

    def __init__(self, service: StepFunctionsService, host: str = "127.0.0.1", port: int = 8083):
        handler = type("Handler", (_Handler,), {"service": service})
        super().__init__((host, port), handler)
        self.service = service

    @property
    def port(self) -> int:
        return self.server_address[1]

    @property
    def endpoint_url(self) -> str:
        host = self.server_address[0]
        return f"http://{'127.0.0.1' if host in ('0.0.0.0', '') else host}:{self.port}"

    def start(self) -> Server:
        """Serve in a background thread (until `stop`)."""
        thread = threading.Thread(target=self.serve_forever, name="pysfn sfn server", daemon=True)
        thread.start()
        self._thread = thread
        return self

    def stop(self) -> None:
        self.shutdown()
        self.server_close()
        self.service.close()

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()
