"""The HTTP servers in front of Flask, made to fail like the API does: every error they answer
themselves (a request line too long, malformed headers, a body too slow to arrive) is an RFC
9457 problem+json, and no slow or silent client holds a worker for long.

- `hirelog serve` (waitress): the server reads whole requests in its I/O thread before a worker
  thread sees them, so a slow body never holds a worker; idle connections close after
  CHANNEL_TIMEOUT. ProblemServer answers waitress's own errors as problems.
- gunicorn (`hirelog/gunicorn_config.py`): its sync worker reads requests itself. Worker gives
  every connection a READ_TIMEOUT per read (and write), BodyDeadline a total BODY_DEADLINE for
  the body (408 past it), and gunicorn's own `timeout` restarts a worker stuck longer; its
  errors are problems too. In production put a buffering proxy (nginx) in front as well.
"""

from __future__ import annotations

import contextlib
import errno
import http
import io
import json
import socket
import threading
from collections.abc import Callable, Iterable
from typing import Any

from gunicorn import http as gunicorn_http
from gunicorn import sock as gunicorn_sock
from gunicorn import util as gunicorn_util
from gunicorn.workers.sync import SyncWorker
from waitress.channel import HTTPChannel
from waitress.server import TcpWSGIServer
from waitress.task import ErrorTask

READ_TIMEOUT = 5.0  # seconds a connection may stay silent while sending or receiving
HEAD_DEADLINE = 10.0  # seconds for a request line and headers to arrive, in all
BODY_DEADLINE = 10.0  # seconds for a whole request body to arrive, in all
CHANNEL_TIMEOUT = 30  # waitress: seconds before an idle connection is closed
MAX_HEADERS = 64 * 1024  # waitress: bytes of request line and headers (431 past them)
TYPE_BASE = "https://hirelog.dev/problems/"
SECURITY_HEADERS = (("X-Content-Type-Options", "nosniff"), ("Cache-Control", "no-store"),
                    ("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'"))


def problem_body(status: int, detail: str) -> bytes:
    title = http.HTTPStatus(status).phrase
    kind = title.lower().replace(" ", "-").replace("'", "")
    return json.dumps({"type": TYPE_BASE + kind, "title": title, "status": status,
                       "detail": detail}).encode()


def raw_problem(status: int, detail: str) -> bytes:
    """A whole HTTP/1.1 response, for servers that answer before any WSGI app runs."""
    body = problem_body(status, detail)
    head = [f"HTTP/1.1 {status} {http.HTTPStatus(status).phrase}",
            "Content-Type: application/problem+json", f"Content-Length: {len(body)}",
            "Connection: close", *(f"{k}: {v}" for k, v in SECURITY_HEADERS)]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


# --- waitress ---

class ProblemErrorTask(ErrorTask):
    def execute(self) -> None:
        error = self.request.error
        body = problem_body(error.code, f"{error.reason}: {error.body}".strip(": "))
        self.status = f"{error.code} {error.reason}"
        self.response_headers.extend([("Content-Type", "application/problem+json"),
                                      ("Connection", "close"), *SECURITY_HEADERS])
        self.set_close_on_finish()
        self.content_length = len(body)
        self.write(body)


class ProblemChannel(HTTPChannel):
    error_task_class = ProblemErrorTask


class ProblemServer(TcpWSGIServer):
    channel_class = ProblemChannel


def waitress_server(app: Callable[..., Any], host: str, port: int,
                    threads: int) -> ProblemServer:
    return ProblemServer(app, host=host, port=port, threads=threads, ident="hirelog",
                         channel_timeout=CHANNEL_TIMEOUT, clear_untrusted_proxy_headers=True,
                         max_request_header_size=MAX_HEADERS)


# --- gunicorn ---

class Worker(SyncWorker):
    """gunicorn's sync worker, with a timeout on every read and write of a connection and
    its own errors answered as problems."""

    def handle(self, listener: Any, client: Any, addr: Any) -> None:
        client.settimeout(READ_TIMEOUT)
        request = None
        try:
            if self.cfg.is_ssl:
                client = gunicorn_sock.ssl_wrap_socket(client, self.cfg)
            with Deadline(client, HEAD_DEADLINE) as head:
                try:
                    request = next(gunicorn_http.get_parser(self.cfg, client, addr))
                except (gunicorn_http.errors.NoMoreData, StopIteration):
                    if head.expired:
                        raise TimeoutError from None
                    raise
            self.handle_request(listener, request, client, addr)
        except (gunicorn_http.errors.NoMoreData, StopIteration):
            pass  # the client went away, or sent nothing more
        except TimeoutError:
            self.log.info("closed a connection too slow to send or read")
            if request is None:  # still reading it: nothing of an answer was sent
                _send(client, raw_problem(408, f"the request did not arrive in time (silent "
                                               f"for {READ_TIMEOUT:.0f} s, or not all there "
                                               f"within {HEAD_DEADLINE:.0f} s)"))
        except OSError as error:
            if error.errno not in (errno.EPIPE, errno.ECONNRESET, errno.ENOTCONN):
                self.log.warning("socket error: %s", error)
        except BaseException as error:
            self.handle_error(request, client, addr, error)
        finally:
            gunicorn_util.close_graceful(client)

    def handle_error(self, req: Any, client: Any, addr: Any, exc: BaseException) -> None:
        """Answer with a problem that says what was wrong, never what was sent (a header line
        or a request line may hold a token or an email)."""
        status, detail = _gunicorn_status(exc)
        if status >= 500:
            self.log.error("error handling a request outside the application: %s",
                           type(exc).__name__)
        else:
            self.log.info("refused a malformed request: %s", type(exc).__name__)
        _send(client, raw_problem(status, detail))


_GUNICORN_ERRORS: list[tuple[str, int, str]] = [
    ("LimitRequestLine", 414, "the request line is longer than 8190 bytes"),
    ("LimitRequestHeaders", 431, "too many request headers, or one too long"),
    ("UnsupportedTransferCoding", 501, "this transfer coding is not supported"),
    ("ExpectationFailed", 417, "this Expect header cannot be met"),
    ("ForbiddenProxyRequest", 403, "proxy requests from this address are not allowed"),
    ("InvalidRequestLine", 400, "the request line is not valid HTTP"),
    ("InvalidRequestMethod", 400, "the request method is not valid"),
    ("InvalidHTTPVersion", 400, "the HTTP version is not valid"),
    ("InvalidHeaderName", 400, "a header name is not valid"),
    ("InvalidHeader", 400, "a header is not valid"),
    ("ObsoleteFolding", 400, "a header is folded over several lines"),
    ("InvalidProxyLine", 400, "the PROXY line is not valid"),
    ("InvalidSchemeHeaders", 400, "the scheme headers contradict each other"),
    ("InvalidChunkSize", 400, "a chunk size of the body is not valid"),
    ("ChunkMissingTerminator", 400, "a chunk of the body is not terminated"),
    ("InvalidChunkExtension", 400, "a chunk extension of the body is not valid")]


def _gunicorn_status(exc: BaseException) -> tuple[int, str]:
    for name, status, detail in _GUNICORN_ERRORS:
        kind = getattr(gunicorn_http.errors, name, None)
        if kind is not None and isinstance(exc, kind):
            return status, detail
    return 500, "an unexpected error before the application; it is logged"


class Deadline:
    """Stops reading a socket after `seconds` in all, however slowly bytes trickle in: a
    timer shuts the socket's reading side, so a blocked read ends (as at the end of the
    stream) and `expired` says why. Writing an answer is still possible."""

    def __init__(self, sock: socket.socket, seconds: float) -> None:
        self.sock, self.expired = sock, False
        self.timer = threading.Timer(seconds, self._expire)
        self.timer.daemon = True

    def _expire(self) -> None:
        self.expired = True
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RD)

    def __enter__(self) -> Deadline:
        self.timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.timer.cancel()


def _send(client: Any, data: bytes) -> None:
    with contextlib.suppress(OSError):
        client.sendall(data)


class BodyDeadline:
    """WSGI middleware: under gunicorn, read the request body (at most `limit` bytes, the
    rest is the app's 413) within BODY_DEADLINE seconds in all, else answer 408. Under
    waitress the body is already in memory and this does nothing."""

    def __init__(self, app: Callable[..., Any], limit: int) -> None:
        self.app, self.limit = app, limit

    def __call__(self, environ: dict[str, Any],
                 start_response: Callable[..., Any]) -> Iterable[bytes]:
        sock = environ.get("gunicorn.socket")
        announced = environ.get("CONTENT_LENGTH") or ""
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        if sock is None or (not chunked and (not announced.isdigit() or int(announced) == 0
                                             or int(announced) > self.limit)):
            return self.app(environ, start_response)  # nothing to read, or the app's 413
        wanted = self.limit if chunked else int(announced)
        data, stream = bytearray(), environ["wsgi.input"]
        try:
            with Deadline(sock, BODY_DEADLINE) as body:
                while len(data) < wanted:
                    try:
                        chunk = stream.read(min(65536, wanted - len(data)))
                    except gunicorn_http.errors.NoMoreData:
                        chunk = b""
                    if not chunk:
                        if body.expired:
                            raise TimeoutError
                        break
                    data += chunk
        except TimeoutError:
            refusal = problem_body(408, f"the request body did not arrive in time (silent for "
                                        f"{READ_TIMEOUT:.0f} s, or not all there within "
                                        f"{BODY_DEADLINE:.0f} s)")
            start_response("408 Request Timeout", [
                ("Content-Type", "application/problem+json"),
                ("Content-Length", str(len(refusal))), ("Connection", "close"),
                *SECURITY_HEADERS])
            return [refusal]
        environ["wsgi.input"] = io.BytesIO(bytes(data))
        environ["CONTENT_LENGTH"] = str(len(data))
        environ.pop("HTTP_TRANSFER_ENCODING", None)
        environ["wsgi.input_terminated"] = True
        return self.app(environ, start_response)
