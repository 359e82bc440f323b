"""The HTTP/1.1 protocol `katalog serve` speaks: uvicorn's h11 protocol with the two limits uvicorn lacks.

uvicorn closes a connection only when it has been idle after a response (``timeout_keep_alive``); a
connection that opens and then sends its request line and headers a byte at a time is kept for as long as
it keeps sending, and one that sends nothing before its first request is kept for ever. Five hundred such
connections were all kept, each holding a file descriptor, until the process could accept no more.

:class:`HeadTimeoutProtocol` therefore

* closes a connection that has not sent a complete request head (line and headers) within
  ``header_timeout`` seconds of opening, or of the previous response on a kept-alive connection, however
  slowly it trickles bytes meanwhile (every byte would restart uvicorn's keep-alive timer);
* closes a connection whose request body stops arriving for ``header_timeout`` seconds, as nginx's
  ``client_body_timeout`` does (the app then sees the client gone): uvicorn would wait for the rest of a
  body for ever;
* bounds the open connections of the process (:func:`connection_cap`, from the file descriptors it may
  open): past the bound the connection waiting longest for its request head is closed to make room, so
  a crowd of idle or trickling connections cannot lock out a real request, and a request being answered
  is never cut off. uvicorn's own ``limit_concurrency`` would instead answer 503 (in English) to the real
  request once the crowd is there, which is exactly what the crowd wants.

The protocol is always h11, whichever parser uvicorn would pick by itself (httptools when installed): the
timer needs to see when the request head is complete, which h11's connection state says.
"""

from __future__ import annotations

import asyncio
import resource
import time
from typing import Any

import h11
from uvicorn.config import Config
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.server import ServerState

MAX_CONNECTIONS = 1000
"""Most connections one process holds open, when its file descriptors allow that many."""
RESERVED_DESCRIPTORS = 200
"""File descriptors left for the process itself: the store's files, the search index, the /sparql
workers' pipes, the log file and the connections to a remote store."""


def connection_cap() -> int:
    """Connections one process may hold: :data:`MAX_CONNECTIONS`, or fewer when its descriptor limit
    (``ulimit -n``) leaves less room beside :data:`RESERVED_DESCRIPTORS`; at least 16."""
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return MAX_CONNECTIONS
    return max(16, min(MAX_CONNECTIONS, soft - RESERVED_DESCRIPTORS))


class HeadTimeoutProtocol(H11Protocol):
    """uvicorn's h11 protocol that closes a connection slow to send its request head, and keeps the number
    of open connections under a cap. Built with :func:`protocol` (the timeout and the cap are fixed per
    server, uvicorn builds one protocol object per connection)."""

    header_timeout: float = 10.0
    max_connections: int = MAX_CONNECTIONS

    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self._head_timer: asyncio.TimerHandle | None = None
        self._body_timer: asyncio.TimerHandle | None = None
        self._waiting_since: float | None = None
        """When the connection started waiting for a request head (monotonic seconds); None while a
        request is being received or answered."""

    # -- the request head's deadline ------------------------------------------------------------------

    def _await_head(self) -> None:
        self._stop_head_timer()
        self._waiting_since = time.monotonic()
        self._head_timer = self.loop.call_later(self.header_timeout, self._head_timed_out)

    def _stop_head_timer(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None
        self._waiting_since = None

    def _head_timed_out(self) -> None:
        self._head_timer = None
        # The head is still incomplete: h11 leaves the client's side IDLE until it has the whole head.
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            self._close_waiting()

    def _close_waiting(self) -> None:
        """Close a connection that is between requests; nothing is owed to it, so no answer is written."""
        self._stop_head_timer()
        self._unset_keepalive_if_required()
        self.transport.close()

    # -- the request body's deadline ------------------------------------------------------------------

    def _await_body(self) -> None:
        """Give the body's next bytes ``header_timeout`` seconds (from now: every read restarts it)."""
        self._stop_body_timer()
        self._body_timer = self.loop.call_later(self.header_timeout, self._body_timed_out)

    def _stop_body_timer(self) -> None:
        if self._body_timer is not None:
            self._body_timer.cancel()
            self._body_timer = None

    def _body_timed_out(self) -> None:
        self._body_timer = None
        if self.conn.their_state is h11.SEND_BODY and not self.transport.is_closing():
            self.transport.close()

    # -- uvicorn's hooks --------------------------------------------------------------------------------

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._await_head()
        self._make_room()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.conn.their_state is not h11.IDLE:
            self._stop_head_timer()  # the head is complete: the request is the app's now
            if self.conn.their_state is h11.SEND_BODY:
                self._await_body()
            else:
                self._stop_body_timer()
        elif self._head_timer is None and self.conn.our_state is h11.IDLE and not self.transport.is_closing():
            # Between requests without a deadline: a body that came in after its answer was sent (h11 only
            # then starts the next cycle) skipped on_response_complete's timer.
            self._await_head()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        # Kept alive and the next request not yet begun (a pipelined one may already have been read):
        # the next head has the same deadline as the first.
        if not self.transport.is_closing() and self.conn.their_state is h11.IDLE and self._head_timer is None:
            self._await_head()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_head_timer()
        self._stop_body_timer()
        super().connection_lost(exc)

    # -- the cap on connections --------------------------------------------------------------------------

    def _make_room(self) -> None:
        open_ = [
            connection
            for connection in self.connections
            if isinstance(connection, HeadTimeoutProtocol) and not connection.transport.is_closing()
        ]
        excess = len(open_) - self.max_connections
        if excess <= 0:
            return
        waiting = sorted(
            (connection for connection in open_ if connection._waiting_since is not None and connection is not self),
            key=lambda connection: connection._waiting_since or 0.0,
        )
        for connection in waiting[:excess]:
            connection._close_waiting()
        if len(waiting) < excess:
            # Every other connection is in the middle of a request: the newcomer is the one to go.
            self._close_waiting()


def protocol(header_timeout: float, max_connections: int | None = None) -> type[HeadTimeoutProtocol]:
    """The protocol class for a server whose connections must send a request head within
    ``header_timeout`` seconds, with at most ``max_connections`` open (default :func:`connection_cap`)."""
    return type(
        "HeadTimeoutProtocol",
        (HeadTimeoutProtocol,),
        {"header_timeout": header_timeout, "max_connections": max_connections or connection_cap()},
    )
