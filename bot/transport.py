"""An aiohttp-based HTTP transport for python-telegram-bot.

Why: PTB's default :class:`telegram.request.HTTPXRequest` spends most of a small request's time in
httpx/httpcore bookkeeping; measured against a local server it does ~500 sequential
``sendMessage``/s, while aiohttp's client does several times that. Reminder bursts have to go
out at ≥300/s with room to spare, so the transport is the cheapest place to win.

:class:`AiohttpRequest` is a drop-in :class:`telegram.request.BaseRequest`: the bytes on the wire
(url-encoded forms, multipart uploads) and the exceptions raised (``TimedOut``, ``NetworkError``;
HTTP status handling stays in PTB's ``BaseRequest``) match ``HTTPXRequest``, so retry logic that
catches ``TimedOut``/``NetworkError``/``RetryAfter``/``Forbidden``/``BadRequest`` behaves the same.

Usage::

    app = (
        ApplicationBuilder()
        .token(token)
        .request(AiohttpRequest())
        .get_updates_request(AiohttpRequest(connection_pool_size=1))
        .build()
    )

Differences from ``HTTPXRequest`` (deliberate): HTTP/1.1 only; no SOCKS proxies; cookies are not
stored (the Bot API is stateless).

One addition: a *request gate* (:func:`gated`). A request made inside ``with gated(gate):`` is
written up to its last byte, then ``await gate()`` runs, and only if it returns True does the
last byte follow. A server acts on a request only once it is complete, so until the gate opens
nothing has happened; once it opens, the request completes within microseconds, and no other
task runs in between. The nudge engine commits "this nudge is being sent" in its gate. That
shrinks the window in which a crash loses a nudge (committed, but never reached Telegram) to
about as little as it can be, as long as Telegram offers no idempotent sends.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import functools
import mimetypes
import os
import re
import ssl
from collections.abc import Awaitable, Callable, Iterator
from typing import IO, Any, Final
from urllib.parse import urlencode, urlsplit
from urllib.request import getproxies, proxy_bypass_environment

import aiohttp
import httpx
from aiohttp.abc import AbstractStreamWriter
from aiohttp.payload import Payload

# PTB has no public alias for the types of BaseRequest's own abstract signature; these are the
# ones it and HTTPXRequest use.
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput, UploadFileDict
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

__all__ = ["AiohttpRequest", "RequestGate", "RequestWithheld", "gated"]

# Called once the request is written up to its last byte; True lets that byte go.
RequestGate = Callable[[], Awaitable[bool]]
# PTB's Bot methods have no per-request hook, so the gate travels with the task's context.
_GATE: contextvars.ContextVar[RequestGate | None] = contextvars.ContextVar(
    "aiohttp_request_gate", default=None
)


class RequestWithheld(NetworkError):
    """The gate kept the request's last byte back: the server never received a whole request."""


@contextlib.contextmanager
def gated(gate: RequestGate | None) -> Iterator[None]:
    """Hold back the last byte of requests made in this block until ``gate()`` says yes.

    The request raises :exc:`RequestWithheld` if the gate says no, and a plain
    :exc:`telegram.error.NetworkError` if the gate raises; either way the server got no whole
    request. A request without a body has no last byte to hold: its gate runs before it is
    sent at all, so for those the gate is no closer to the server acting than any await.
    """
    token = _GATE.set(gate)
    try:
        yield
    finally:
        _GATE.reset(token)


_POOL_TIMEOUT_MESSAGE: Final = (
    "Pool timeout: All connections in the connection pool are occupied. Request was *not* sent "
    "to Telegram. Consider adjusting the connection pool size or the pool timeout."
)
# httpx closes idle keep-alive connections after 5 s; do the same so a server that drops idle
# connections sooner than aiohttp's 15 s default does not hand us dead sockets.
_KEEPALIVE_EXPIRY: Final = 5.0
# aiohttp's StreamWriter only waits for the socket (and so can only stall) once more than this
# much is buffered; smaller bodies are handed to the kernel in one go.
_WRITER_BUFFER_LIMIT: Final = 0x10000
# httpx reads file handles in chunks of this size; each chunk is one (timed) write.
_FILE_CHUNK_SIZE: Final = 64 * 1024
# aiohttp treats a timeout of 0 as "no timeout"; httpx as "fail unless immediate".
_SMALLEST_TIMEOUT: Final = 1e-9
_URLENCODED_HEADERS: Final = {
    "User-Agent": BaseRequest.USER_AGENT,
    "Content-Type": "application/x-www-form-urlencoded",
}
_PLAIN_HEADERS: Final = {"User-Agent": BaseRequest.USER_AGENT}


class AiohttpRequest(BaseRequest):
    """A :class:`telegram.request.BaseRequest` on one pooled, keep-alive ``aiohttp.ClientSession``.

    Args:
        connection_pool_size: Maximum number of simultaneous connections (and so of requests in
            flight). Use ``1`` for the ``get_updates_request``, as PTB does. Defaults to ``256``.
        read_timeout: Seconds to wait for (each chunk of) the response. Defaults to ``5.0``.
        write_timeout: Seconds a single write of the request body may block. Defaults to ``5.0``.
        connect_timeout: Seconds to establish a connection (DNS, TCP, TLS). Defaults to ``5.0``.
        pool_timeout: Seconds to wait for a free connection when ``connection_pool_size``
            requests are in flight; then :exc:`telegram.error.TimedOut` is raised and the
            request is *not* sent. ``None`` waits forever. Defaults to ``1.0``.
        media_write_timeout: Like ``write_timeout``, but the default for requests that upload
            files. Defaults to ``20.0``.
        proxy: ``http://`` or ``https://`` proxy URL. Without it the ``HTTP_PROXY``,
            ``HTTPS_PROXY``, ``ALL_PROXY`` and ``NO_PROXY`` environment variables are honoured,
            as ``HTTPXRequest`` does.
        on_flood: called for every response with status 429, so flood control can be counted
            wherever the request came from (PTB turns it into ``RetryAfter`` further up).

    All timeouts are in seconds; ``None`` disables that timeout. The defaults are those of
    :class:`telegram.request.HTTPXRequest`, and so are the per-call override rules
    (:attr:`BaseRequest.DEFAULT_NONE` means "use the instance default").

    The session is created by :meth:`initialize` (or lazily on the first request, since PTB may
    use a request object before initializing it) and closed by :meth:`shutdown`. As with
    ``HTTPXRequest``, a request after :meth:`shutdown` fails until :meth:`initialize` is called
    again.
    """

    __slots__ = (
        "_connect_timeout",
        "_env_proxies",
        "_media_write_timeout",
        "_on_flood",
        "_pool",
        "_pool_size",
        "_pool_timeout",
        "_proxy",
        "_read_timeout",
        "_session",
        "_shut_down",
        "_ssl_context",
        "_write_timeout",
    )

    def __init__(
        self,
        connection_pool_size: int = 256,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        *,
        media_write_timeout: float | None = 20.0,
        proxy: str | None = None,
        on_flood: Callable[[], None] | None = None,
    ) -> None:
        if connection_pool_size < 1:
            raise ValueError("connection_pool_size must be at least 1")
        if proxy is not None:
            _check_proxy(proxy)
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._media_write_timeout = media_write_timeout
        self._proxy = proxy
        self._on_flood = on_flood
        self._env_proxies: tuple[tuple[str, str], ...] = ()
        self._ssl_context: ssl.SSLContext | None = None
        # The session and its pool semaphore belong to the event loop they were created in,
        # so both are created in initialize(), not here.
        self._session: aiohttp.ClientSession | None = None
        self._pool: asyncio.Semaphore | None = None
        self._shut_down = False

    @property
    def read_timeout(self) -> float | None:
        """The default read timeout in seconds (see :attr:`BaseRequest.read_timeout`).

        PTB adds the long-polling ``timeout`` of ``getUpdates`` to this value.
        """
        return self._read_timeout

    async def initialize(self) -> None:
        """Create the session (a no-op if it is already open)."""
        if self._session is not None and not self._session.closed:
            return
        self._open()

    async def shutdown(self) -> None:
        """Close the session and its connections; safe to call more than once."""
        self._shut_down = True
        session, self._session = self._session, None
        self._pool = None
        if session is not None and not session.closed:
            await session.close()

    def _open(self) -> aiohttp.ClientSession:
        """Build the session synchronously, so concurrent first requests cannot build two."""
        if self._ssl_context is None:
            # httpx's context: certifi's CA bundle (+ SSL_CERT_FILE/SSL_CERT_DIR), so TLS trust is
            # the same as with HTTPXRequest even on hosts without system CA certificates.
            self._ssl_context = httpx.create_ssl_context()
        # Read once, like httpx does when its client is built; per-request lookups would cost a
        # thread hop each in aiohttp (trust_env=True).
        self._env_proxies = () if self._proxy is not None else _environment_proxies()
        connector = aiohttp.TCPConnector(
            limit=self._pool_size,
            limit_per_host=0,
            keepalive_timeout=_KEEPALIVE_EXPIRY,
            ssl=self._ssl_context,
        )
        self._session = aiohttp.ClientSession(
            connector=connector,
            proxy=self._proxy,
            # Per-request ClientTimeouts set everything; no overall deadline (long polls).
            timeout=aiohttp.ClientTimeout(total=None),
            cookie_jar=aiohttp.DummyCookieJar(),
            trust_env=False,
            # Bodies carry an explicit Content-Type; body-less POSTs get none, as with httpx.
            skip_auto_headers=("Content-Type",),
        )
        self._pool = asyncio.Semaphore(self._pool_size)
        self._shut_down = False
        return self._session

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Send one request; return ``(status, body)`` (see :meth:`BaseRequest.do_request`).

        Raises:
            telegram.error.TimedOut: connect/read/write timeout, or no free connection within
                ``pool_timeout`` (then nothing was sent).
            telegram.error.NetworkError: any other client-side failure (refused connection,
                dropped connection, bad response...).
            RuntimeError: after :meth:`shutdown` (PTB reports it as ``NetworkError``).
        """
        session = self._session
        if session is None or session.closed:
            if self._shut_down:
                raise RuntimeError("This AiohttpRequest is not initialized!")
            session = self._open()
        pool = self._pool
        assert pool is not None  # set together with the session

        has_files = request_data is not None and request_data.contains_files
        if isinstance(read_timeout, DefaultValue):
            read_timeout = self._read_timeout
        if isinstance(connect_timeout, DefaultValue):
            connect_timeout = self._connect_timeout
        if isinstance(pool_timeout, DefaultValue):
            pool_timeout = self._pool_timeout
        if isinstance(write_timeout, DefaultValue):
            write_timeout = self._media_write_timeout if has_files else self._write_timeout

        gate = _GATE.get()
        body, headers = _encode_body(request_data, write_timeout, gate)
        if gate is not None and body is None and not await gate():
            raise RequestWithheld("the request gate stayed closed; nothing was sent")
        proxy = self._environment_proxy(url) if self._env_proxies else None

        # The pool is our semaphore rather than the connector's queue so that waiting for a
        # connection is told apart from connecting (aiohttp times both under "connect").
        if pool.locked():
            try:
                async with asyncio.timeout(pool_timeout):
                    await pool.acquire()
            except TimeoutError as err:
                raise TimedOut(message=_POOL_TIMEOUT_MESSAGE) from err
        else:
            await pool.acquire()  # returns at once: a permit is free
        try:
            async with session.request(
                method,
                url,
                data=body,
                headers=headers,
                timeout=_client_timeout(read_timeout, connect_timeout),
                proxy=proxy,
                # httpx (so PTB) does not follow redirects; a 3xx surfaces as NetworkError.
                allow_redirects=False,
            ) as response:
                payload = await response.read()
                if response.status == 429 and self._on_flood is not None:
                    self._on_flood()
                return response.status, payload
        except Exception as err:
            if isinstance(body, _RequestBody) and body.gate_error is not None:
                raise NetworkError(f"request gate failed: {body.gate_error!r}") from err
            if isinstance(body, _RequestBody) and body.withheld:
                raise RequestWithheld("the request gate stayed closed; nothing was sent") from err
            # A stalled body write surfaces as whatever aiohttp wraps it in; the flag says why.
            if isinstance(err, TimeoutError) or (isinstance(body, _RequestBody) and body.timed_out):
                raise TimedOut from err  # TimeoutError includes aiohttp's ServerTimeoutError
            if isinstance(err, aiohttp.ClientError):
                # The class name helps when the message is empty, as in HTTPXRequest.
                raise NetworkError(f"aiohttp.{err.__class__.__name__}: {err}") from err
            raise
        finally:
            pool.release()

    def _environment_proxy(self, url: str) -> str | None:
        parts = urlsplit(url)
        return _proxy_for(parts.scheme, parts.hostname or "", self._env_proxies)


class _RequestBody(Payload):
    """A request body written chunk by chunk, each write bounded by the write timeout.

    Why: aiohttp has no write timeout. httpx applies its write timeout to each chunk it sends
    (the whole content of a ``bytes`` upload is one chunk, file handles go in 64 KiB chunks);
    wrapping each ``writer.write`` in the same timeout reproduces that. ``timed_out`` tells the
    request which of aiohttp's (wrapped) errors was ours.

    With a ``gate`` (see :func:`gated`), the last byte waits for it; the wait is not a write and
    is not timed. ``withheld`` and ``gate_error`` tell the request why it then failed.
    """

    # File handles belong to the caller (PTB's InputFile); there is nothing here to close.
    _autoclose = True

    def __init__(
        self,
        chunks: list[bytes | IO[bytes]],
        size: int | None,
        write_timeout: float | None,
        *,
        content_type: str = "application/octet-stream",
        gate: RequestGate | None = None,
    ) -> None:
        super().__init__(chunks, content_type=content_type)
        if gate is not None and not (chunks and isinstance(chunks[-1], bytes) and chunks[-1]):
            raise ValueError("a gated body must end in a non-empty bytes chunk")
        self._chunks = chunks
        self._size = size
        self._write_timeout = write_timeout
        self._gate = gate
        self.timed_out = False
        self.withheld = False
        self.gate_error: BaseException | None = None

    def decode(self, encoding: str = "utf-8", errors: str = "strict") -> str:
        return b"".join(c for c in self._chunks if isinstance(c, bytes)).decode(encoding, errors)

    async def write(self, writer: AbstractStreamWriter) -> None:
        await self.write_with_length(writer, None)

    async def write_with_length(
        self, writer: AbstractStreamWriter, content_length: int | None
    ) -> None:
        # content_length is the Content-Length we declared via `size`; the writer clips to it.
        chunks = self._chunks
        last = chunks[-1] if self._gate is not None else None
        if isinstance(last, bytes):
            chunks = [*chunks[:-1], last[:-1]]
        for chunk in chunks:
            if isinstance(chunk, bytes):
                await self._write(writer, chunk)
                continue
            _rewind(chunk)
            while data := chunk.read(_FILE_CHUNK_SIZE):
                await self._write(writer, data)
        if isinstance(last, bytes):
            await self._pass_gate()
            # Nothing from here to the transport's write suspends: the byte leaves at once.
            await self._write(writer, last[-1:])

    async def _pass_gate(self) -> None:
        assert self._gate is not None
        try:
            opened = await self._gate()
        except Exception as exc:
            self.gate_error = exc
            raise
        if not opened:
            self.withheld = True
            raise RequestWithheld("the request gate stayed closed; nothing was sent")

    async def _write(self, writer: AbstractStreamWriter, data: bytes) -> None:
        if self._write_timeout is None:
            await writer.write(data)
            return
        try:
            async with asyncio.timeout(max(self._write_timeout, _SMALLEST_TIMEOUT)):
                await writer.write(data)
        except TimeoutError:
            self.timed_out = True
            raise


def _encode_body(
    request_data: RequestData | None,
    write_timeout: float | None,
    gate: RequestGate | None = None,
) -> tuple[bytes | _RequestBody | None, dict[str, str]]:
    """The body and headers HTTPXRequest would send for ``request_data``.

    Files → ``multipart/form-data`` (fields, then files); other parameters → a url-encoded form;
    no parameters → no body (and, as with httpx, no Content-Type). A gated request always gets
    a :class:`_RequestBody`, which holds its last byte for the gate.
    """
    if request_data is None:
        return None, _PLAIN_HEADERS
    fields = request_data.json_parameters
    if request_data.contains_files:
        body = _multipart_body(fields, request_data.multipart_data, write_timeout, gate)
        return body, {"User-Agent": BaseRequest.USER_AGENT, "Content-Type": body.content_type}
    if not fields:
        return None, _PLAIN_HEADERS
    encoded = urlencode(fields).encode("ascii")
    if gate is None and len(encoded) <= _WRITER_BUFFER_LIMIT:
        return encoded, _URLENCODED_HEADERS  # can't block, so no write timeout to apply
    body = _RequestBody([encoded], len(encoded), write_timeout, gate=gate)
    return body, _URLENCODED_HEADERS


def _multipart_body(
    fields: dict[str, str],
    files: UploadFileDict,
    write_timeout: float | None,
    gate: RequestGate | None = None,
) -> _RequestBody:
    """``multipart/form-data`` laid out byte for byte as httpx's ``MultipartStream`` does."""
    boundary = os.urandom(16).hex().encode("ascii")
    chunks: list[bytes | IO[bytes]] = []
    size: int | None = 0
    for part in _multipart_parts(fields, files):
        chunks.append(b"--%s\r\n" % boundary)
        chunks.extend(part)
        chunks.append(b"\r\n")
    chunks.append(b"--%s--\r\n" % boundary)
    for chunk in chunks:
        length = len(chunk) if isinstance(chunk, bytes) else _filelike_length(chunk)
        size = None if size is None or length is None else size + length
    content_type = f"multipart/form-data; boundary={boundary.decode('ascii')}"
    return _RequestBody(chunks, size, write_timeout, content_type=content_type, gate=gate)


def _multipart_parts(
    fields: dict[str, str], files: UploadFileDict
) -> Iterator[tuple[bytes, bytes | IO[bytes]]]:
    """(part headers, part content) per form field, then per file."""
    for name, value in fields.items():
        headers = b"Content-Disposition: form-data; " + _form_param("name", name) + b"\r\n\r\n"
        yield headers, value.encode("utf-8")
    for name, (filename, content, mime_type) in files.items():
        content_type = mime_type if mime_type is not None else _guess_content_type(filename)
        header = b"Content-Disposition: form-data; " + _form_param("name", name)
        if filename:
            header += b"; " + _form_param("filename", filename)
        if content_type is not None:
            header += b"\r\nContent-Type: " + content_type.encode()
        yield header + b"\r\n\r\n", content


# httpx's (HTML5) escaping of names and file names in Content-Disposition.
_FORM_ESCAPES: Final = {'"': "%22", "\\": "\\\\"} | {
    chr(c): f"%{c:02X}" for c in range(0x20) if c != 0x1B
}
_FORM_ESCAPE_RE: Final = re.compile("|".join(re.escape(c) for c in _FORM_ESCAPES))


def _form_param(name: str, value: str) -> bytes:
    escaped = _FORM_ESCAPE_RE.sub(lambda match: _FORM_ESCAPES[match.group(0)], value)
    return f'{name}="{escaped}"'.encode()


def _guess_content_type(filename: str | None) -> str | None:
    if not filename:
        return None
    return mimetypes.guess_type(filename)[0] or "application/octet-stream"


def _filelike_length(stream: IO[bytes]) -> int | None:
    """The full length of a file handle (httpx rewinds before sending), or None if unknown."""
    try:
        return os.fstat(stream.fileno()).st_size
    except (AttributeError, OSError):
        pass
    try:
        offset = stream.tell()
        length = stream.seek(0, os.SEEK_END)
        stream.seek(offset)
    except (AttributeError, OSError):
        return None
    return length


def _rewind(stream: IO[bytes]) -> None:
    with contextlib.suppress(AttributeError, OSError):  # not seekable: send from where it is
        stream.seek(0)


@functools.lru_cache(maxsize=64)
def _client_timeout(read: float | None, connect: float | None) -> aiohttp.ClientTimeout:
    """aiohttp timeouts for httpx-style read/connect timeouts (cached: few distinct values).

    ``sock_read`` restarts on every chunk received and only starts once the body is sent, like
    httpx's read timeout. ``connect`` covers DNS, TCP and TLS; pool waits and writes are timed
    by :class:`AiohttpRequest` itself.
    """
    if read is not None:
        read = max(read, _SMALLEST_TIMEOUT)
    if connect is not None:
        connect = max(connect, _SMALLEST_TIMEOUT)
    return aiohttp.ClientTimeout(total=None, connect=connect, sock_connect=connect, sock_read=read)


def _check_proxy(proxy: str) -> None:
    if urlsplit(proxy).scheme not in ("http", "https"):
        raise ValueError(
            f"AiohttpRequest supports http:// and https:// proxies only, not {proxy!r}; "
            "use HTTPXRequest for SOCKS proxies."
        )


def _environment_proxies() -> tuple[tuple[str, str], ...]:
    """``*_PROXY`` environment variables (as httpx reads them), hashable for :func:`_proxy_for`."""
    proxies = {
        key: value for key, value in getproxies().items() if key in ("http", "https", "all", "no")
    }
    for key in ("http", "https", "all"):
        if key in proxies:
            _check_proxy(proxies[key])
    return tuple(sorted(proxies.items()))


@functools.lru_cache(maxsize=64)
def _proxy_for(scheme: str, host: str, proxies: tuple[tuple[str, str], ...]) -> str | None:
    table: dict[str, Any] = dict(proxies)
    if not host or proxy_bypass_environment(host, table):
        return None
    return table.get(scheme) or table.get("all")
