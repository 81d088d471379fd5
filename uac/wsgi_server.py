"""Serve a WSGI application from a background thread, for demos and tests.

Plain standard library (``wsgiref``), so any simulator can use it::

    server, port = serve_in_thread(simulator.wsgi_app)
    ...
    server.shutdown()  # stops serving and closes the socket
"""

from __future__ import annotations

import threading
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server


class ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    """Answer each request in its own daemon thread."""

    daemon_threads = True
    # The default backlog of 5 makes bursts of concurrent clients wait a second
    # for the kernel to retry their connection.
    request_queue_size = 64

    def shutdown(self) -> None:
        """Stop serving and release the listening socket."""
        super().shutdown()
        self.server_close()


class QuietRequestHandler(WSGIRequestHandler):
    """Handle requests without printing an access log line for each."""

    def log_message(self, format: str, *args: Any) -> None:
        """Drop the access log line."""


def serve_in_thread(
    app: Any, host: str = "127.0.0.1", port: int = 0
) -> tuple[ThreadingWSGIServer, int]:
    """Start serving ``app`` in a daemon thread and return the server and its port.

    Port 0 picks a free port. ``server.shutdown()`` stops the server.
    """
    server = make_server(
        host,
        port,
        app,
        server_class=ThreadingWSGIServer,
        handler_class=QuietRequestHandler,
    )
    # A short poll interval lets shutdown() return promptly.
    thread = threading.Thread(
        target=server.serve_forever,
        kwargs={"poll_interval": 0.05},
        name=f"wsgi-{server.server_port}",
        daemon=True,
    )
    thread.start()
    return server, server.server_port
