"""``tarifflab serve --workers N``: N Streamlit servers behind one front proxy that pins each session.

Streamlit runs the script reruns of all sessions in threads of one process, so one server computes on one
core at a time (the GIL). N worker processes on internal loopback ports compute on N cores. The front
proxy (tornado) forwards HTTP requests and the ``/_stcore/stream`` WebSocket unchanged; a session stays on
one worker because session state, uploaded files and media live in that worker's memory:

* a request carrying the ``tarifflab_worker`` cookie goes to that worker (the browser got the cookie with
  its first page, so its later HTTP requests and its WebSocket follow);
* any other request goes to the worker with the fewest open sessions (ties: round robin) and its response
  sets the cookie.

All workers share one random cookie secret (Streamlit's XSRF cookie stays valid whichever worker answers).
``/_tarifflab/workers`` reports each worker's health and its open and served sessions as JSON.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import tornado.httpclient
import tornado.httpserver
import tornado.iostream
import tornado.tcpclient
import tornado.web

from tarifflab.errors import InvalidInputError

log = logging.getLogger("tarifflab.serve")

COOKIE = "tarifflab_worker"
STREAM_PATH = "/_stcore/stream"
MAX_WORKERS = 64
#: Streamlit's own default upload limit is 200 MB; leave room for the multipart envelope.
MAX_BODY_BYTES = 256 * 1024 * 1024
#: Largest read of one relayed WebSocket chunk.
PIPE_CHUNK_BYTES = 256 * 1024
#: Headers that describe one connection, not the message (RFC 9110 §7.6.1), plus those tornado recomputes.
HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "content-length",
    }
)


def worker_count(requested: int) -> int:
    """Workers to start: ``requested``, or one per CPU core for 0."""
    if not 0 <= requested <= MAX_WORKERS:
        raise InvalidInputError(
            f"--workers must be between 0 (one per CPU core) and {MAX_WORKERS}, got {requested}"
        )
    return requested or (os.cpu_count() or 1)


def free_loopback_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Worker:
    """One Streamlit server process on an internal loopback port."""

    index: int
    port: int
    process: subprocess.Popen[bytes]
    open_sessions: int = 0
    served_sessions: int = 0

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def url(self, path: str, scheme: str = "http") -> str:
        return f"{scheme}://127.0.0.1:{self.port}{path}"


class WorkerPool:
    """The worker processes and the rule that assigns a request to one of them."""

    def __init__(self, workers: Sequence[Worker]) -> None:
        self.workers = list(workers)
        self._turn = itertools.count()

    def pick(self, cookie: str | None) -> Worker:
        """The worker named by the session cookie, else the live worker with the fewest open sessions."""
        if cookie is not None and cookie.isdigit() and int(cookie) < len(self.workers):
            pinned = self.workers[int(cookie)]
            if pinned.alive:
                return pinned
        live = [w for w in self.workers if w.alive] or self.workers
        fewest = min(w.open_sessions for w in live)
        candidates = [w for w in live if w.open_sessions == fewest]
        return candidates[next(self._turn) % len(candidates)]

    def start_failures(self) -> list[str]:
        return [f"worker {w.index} exited with {w.process.returncode}" for w in self.workers if not w.alive]


def _forward_headers(headers: Any) -> dict[str, str]:
    return {k: v for k, v in headers.get_all() if k.lower() not in HOP_BY_HOP}


def _pin(handler: tornado.web.RequestHandler, worker: Worker) -> None:
    if handler.get_cookie(COOKIE) != str(worker.index):
        handler.set_cookie(COOKIE, str(worker.index), path="/", httponly=True, samesite="Strict")


class HttpProxy(tornado.web.RequestHandler):
    """Every HTTP request (pages, static files, uploads, health) passes to the session's worker."""

    SUPPORTED_METHODS = ("GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS")

    def initialize(self, pool: WorkerPool, client: tornado.httpclient.AsyncHTTPClient) -> None:
        self.pool = pool
        self.client = client

    async def _forward(self) -> None:
        worker = self.pool.pick(self.get_cookie(COOKIE))
        body = self.request.body if self.request.method in {"POST", "PUT", "PATCH", "DELETE"} else None
        request = tornado.httpclient.HTTPRequest(
            worker.url(self.request.uri or "/"),
            method=self.request.method,
            headers=_forward_headers(self.request.headers),
            body=body,
            follow_redirects=False,
            decompress_response=False,
            allow_nonstandard_methods=True,
            request_timeout=600,
        )
        try:
            response = await self.client.fetch(request, raise_error=False)
        except OSError as error:  # the worker is gone or not listening
            self.set_status(502)
            self.finish(f"dashboard worker {worker.index} unavailable ({type(error).__name__})")
            return
        if response.code == 599:  # tornado's code for a timeout or a closed connection
            self.set_status(502)
            self.finish(f"dashboard worker {worker.index} did not answer")
            return
        self.set_status(response.code, response.reason)
        self.clear_header("Content-Type")
        seen: set[str] = set()
        for name, value in response.headers.get_all():
            if name.lower() in HOP_BY_HOP:
                continue
            # the first value replaces tornado's default (Date, Server …), later ones add (Set-Cookie …)
            if name.lower() in seen:
                self.add_header(name, value)
            else:
                self.set_header(name, value)
                seen.add(name.lower())
        _pin(self, worker)
        if response.body and self.request.method != "HEAD" and response.code not in (204, 304):
            self.write(response.body)
        self.finish()

    def compute_etag(self) -> None:
        return None  # the worker's own ETag (if any) passes through unchanged

    async def get(self, *args: str) -> None:
        await self._forward()

    async def head(self, *args: str) -> None:
        await self._forward()

    async def post(self, *args: str) -> None:
        await self._forward()

    async def put(self, *args: str) -> None:
        await self._forward()

    async def delete(self, *args: str) -> None:
        await self._forward()

    async def patch(self, *args: str) -> None:
        await self._forward()

    async def options(self, *args: str) -> None:
        await self._forward()


def _quick_ack(stream: tornado.iostream.IOStream) -> None:
    """Acknowledge the worker's segments at once (Linux TCP_QUICKACK; the kernel clears it, so re-arm).

    Streamlit's server socket keeps Nagle's algorithm on: it holds each small message until the previous
    one is acknowledged, and a receiver delays its ACK by up to 40 ms. Acknowledging at once removes that
    stall from every rerun.
    """
    quickack = getattr(socket, "TCP_QUICKACK", None)
    if quickack is not None and stream.socket is not None:
        with contextlib.suppress(OSError):
            stream.socket.setsockopt(socket.IPPROTO_TCP, quickack, 1)


async def _pipe(
    source: tornado.iostream.IOStream, target: tornado.iostream.IOStream, from_worker: bool
) -> None:
    """Copy bytes until either side closes, then close the other (waiting on writes is the backpressure)."""
    try:
        while True:
            chunk = await source.read_bytes(PIPE_CHUNK_BYTES, partial=True)
            if from_worker:
                _quick_ack(source)
            await target.write(chunk)
    except tornado.iostream.StreamClosedError:
        pass
    finally:
        source.close()
        target.close()


class StreamRelay(tornado.web.RequestHandler):
    """The session's WebSocket: the handshake goes to one worker, then bytes are relayed both ways.

    The proxy parses no WebSocket frame: the worker answers the handshake itself (subprotocol, XSRF
    checks), and each message costs the proxy one read and one write.
    """

    def initialize(self, pool: WorkerPool) -> None:
        self.pool = pool

    async def get(self, *args: str) -> None:
        if self.request.headers.get("Upgrade", "").lower() != "websocket":
            raise tornado.web.HTTPError(400, "expected a WebSocket upgrade")
        # tornado's same-origin rule for WebSockets: the Origin's host must be the Host asked for
        origin = self.request.headers.get("Origin")
        host = self.request.headers.get("Host", "").lower()
        if origin is not None and urllib.parse.urlsplit(origin).netloc.lower() != host:
            raise tornado.web.HTTPError(403, "cross-origin WebSocket refused")
        worker = self.pool.pick(self.get_cookie(COOKIE))
        try:
            upstream = await tornado.tcpclient.TCPClient().connect("127.0.0.1", worker.port, timeout=30)
        except (OSError, tornado.iostream.StreamClosedError, TimeoutError) as error:
            raise tornado.web.HTTPError(502, f"worker {worker.index}: {type(error).__name__}") from None
        upstream.set_nodelay(True)
        head = [f"GET {self.request.uri} HTTP/1.1\r\n"]
        head += [f"{name}: {value}\r\n" for name, value in self.request.headers.get_all()]
        await upstream.write("".join([*head, "\r\n"]).encode("latin-1"))
        self._auto_finish = False  # the worker writes the response, not tornado
        browser = self.request.connection.detach()  # type: ignore[union-attr]
        browser.set_nodelay(True)  # small protocol messages go out at once (no Nagle/delayed-ACK stall)
        worker.open_sessions += 1
        worker.served_sessions += 1
        try:
            await asyncio.gather(_pipe(browser, upstream, False), _pipe(upstream, browser, True))
        finally:
            worker.open_sessions -= 1


class WorkersStatus(tornado.web.RequestHandler):
    """JSON: each worker's port, health and sessions (for tests and operators)."""

    def initialize(self, pool: WorkerPool, client: tornado.httpclient.AsyncHTTPClient) -> None:
        self.pool = pool
        self.client = client

    async def get(self) -> None:
        rows = []
        for worker in self.pool.workers:
            healthy = False
            if worker.alive:
                response = await self.client.fetch(
                    worker.url("/_stcore/health"), raise_error=False, request_timeout=5
                )
                healthy = response.code == 200
            rows.append(
                {
                    "index": worker.index,
                    "port": worker.port,
                    "pid": worker.process.pid,
                    "alive": worker.alive,
                    "healthy": healthy,
                    "open_sessions": worker.open_sessions,
                    "served_sessions": worker.served_sessions,
                }
            )
        self.set_header("Content-Type", "application/json")
        self.set_header("Cache-Control", "no-store")
        self.finish(json.dumps({"workers": rows}))


def make_proxy_app(pool: WorkerPool) -> tornado.web.Application:
    client = tornado.httpclient.AsyncHTTPClient(
        force_instance=True, max_clients=256, max_body_size=MAX_BODY_BYTES
    )
    return tornado.web.Application(
        [
            (r"/_tarifflab/workers", WorkersStatus, {"pool": pool, "client": client}),
            (rf"(?:/[^/]+)*{STREAM_PATH}", StreamRelay, {"pool": pool}),
            (r"/.*", HttpProxy, {"pool": pool, "client": client}),
        ],
    )


def _start_workers(count: int, argv_for: Any) -> list[Worker]:
    env = {**os.environ, "STREAMLIT_SERVER_COOKIE_SECRET": secrets.token_hex(32)}
    workers = []
    for index in range(count):
        port = free_loopback_port()
        process = subprocess.Popen(argv_for("127.0.0.1", port), env=env, stdout=subprocess.DEVNULL)
        workers.append(Worker(index=index, port=port, process=process))
    return workers


def _wait_healthy(workers: Sequence[Worker], timeout: float = 120.0) -> None:
    import urllib.request

    pending = list(workers)
    deadline = time.monotonic() + timeout
    while pending and time.monotonic() < deadline:
        for worker in list(pending):
            if not worker.alive:
                raise RuntimeError(f"dashboard worker {worker.index} exited with {worker.process.returncode}")
            try:
                with urllib.request.urlopen(worker.url("/_stcore/health"), timeout=2) as response:
                    if response.status == 200:
                        pending.remove(worker)
            except OSError:
                pass
        if pending:
            time.sleep(0.2)
    if pending:
        raise RuntimeError(
            f"dashboard workers {[w.index for w in pending]} not healthy after {timeout:.0f} s"
        )


def stop_workers(workers: Sequence[Worker], grace: float = 15.0) -> None:
    """SIGTERM every worker, then SIGKILL those still running after ``grace`` seconds."""
    for worker in workers:
        if worker.alive:
            worker.process.terminate()
    deadline = time.monotonic() + grace
    for worker in workers:
        try:
            worker.process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            worker.process.kill()
            worker.process.wait(timeout=5)


def serve_workers(host: str, port: int, count: int, argv_for: Any) -> int:
    """Run ``count`` workers behind the proxy on ``host:port`` until SIGINT/SIGTERM; returns the exit code.

    ``argv_for(host, port)`` is the command line of one Streamlit server. A worker that dies takes the whole
    service down (exit code 1) rather than leaving sessions pinned to a dead process.
    """
    workers = _start_workers(count, argv_for)
    try:
        _wait_healthy(workers)
    except (RuntimeError, KeyboardInterrupt) as error:
        stop_workers(workers)
        if isinstance(error, KeyboardInterrupt):
            return 130
        print(f"error: {error}", file=sys.stderr)
        return 1
    return asyncio.run(_run_proxy(host, port, WorkerPool(workers)))


async def _run_proxy(host: str, port: int, pool: WorkerPool) -> int:
    server = tornado.httpserver.HTTPServer(make_proxy_app(pool), max_body_size=MAX_BODY_BYTES, xheaders=False)
    try:
        server.listen(port, address=host)
    except OSError as error:
        stop_workers(pool.workers)
        print(f"error: cannot listen on {host}:{port} ({error.strerror})", file=sys.stderr)
        return 1
    stopping = asyncio.Event()
    exit_code = 0
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stopping.set)
    while not stopping.is_set():
        failures = pool.start_failures()
        if failures:
            print(f"error: {'; '.join(failures)}; stopping the dashboard", file=sys.stderr)
            exit_code = 1
            break
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stopping.wait(), timeout=1.0)
    server.stop()
    await asyncio.to_thread(stop_workers, pool.workers)
    return exit_code
