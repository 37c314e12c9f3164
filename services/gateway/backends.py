"""The gateway's one pooled HTTP client for the backends, on aiohttp's client.

aiohttp rather than httpx for this hop: per forwarded request httpx/httpcore cost about a third of the
gateway's CPU (py-spy: connection-pool bookkeeping, anyio streams, h11 in pure Python), aiohttp's
client a fraction of it (a C HTTP parser, asyncio streams directly); ``leye bench gateway --cpu``
measures the difference.

Answers are read whole (backends answer small JSON documents). Nothing a backend sends is kept
between requests: no cookie jar, no redirects followed (a redirect is the client's to follow).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import aiohttp
from yarl import URL

KEEPALIVE_S = 4.0


class BackendTimeoutError(Exception):
    """Connected, but the whole answer did not arrive within the timeout: the backend is busy."""


class BackendUnreachableError(Exception):
    """No connection, or the connection failed before a whole answer arrived."""


@dataclass(frozen=True, slots=True)
class BackendAnswer:
    status: int
    content_type: str
    headers: dict[str, str]  # only the names asked for, lower-case
    body: bytes


class BackendClient:
    """``await call(...)`` → :class:`BackendAnswer`, or :class:`BackendTimeoutError` /
    :class:`BackendUnreachableError`. Create it on the running event loop (aiohttp binds to it)."""

    def __init__(self, timeout_s: float, connections: int, headers: dict[str, str]) -> None:
        self._timeout_s = timeout_s
        self._session = aiohttp.ClientSession(
            # Idle connections are dropped before the backends' uvicorn closes them (5 s), so a request
            # is never sent on a connection the server is closing at that moment.
            connector=aiohttp.TCPConnector(limit=connections, limit_per_host=0, keepalive_timeout=KEEPALIVE_S),
            # The total is ours (asyncio.timeout in call); aiohttp's own bounds only the connection.
            timeout=aiohttp.ClientTimeout(total=None, connect=min(2.0, timeout_s)),
            headers=headers, cookie_jar=aiohttp.DummyCookieJar(), auto_decompress=True,
        )

    async def call(self, method: str, url: str, *, body: bytes = b"", headers: dict[str, str],
                   keep: tuple[str, ...] = ()) -> BackendAnswer:
        """One request; ``url`` is sent as given (already quoted), ``keep`` names the answer's
        headers to return."""
        # Without a Content-Type of the caller's, aiohttp would label a body application/octet-stream.
        skip = () if "Content-Type" in headers else ("Content-Type",)
        try:
            async with asyncio.timeout(self._timeout_s):
                async with self._session.request(method, URL(url, encoded=True), data=body or None,
                                                 headers=headers, allow_redirects=False,
                                                 skip_auto_headers=skip) as response:
                    content = await response.read()
        except aiohttp.ConnectionTimeoutError as exc:  # a TimeoutError too: no connection, not slowness
            raise BackendUnreachableError(type(exc).__name__) from None
        except TimeoutError:
            raise BackendTimeoutError("TimeoutError") from None
        except aiohttp.ClientError as exc:
            raise BackendUnreachableError(type(exc).__name__) from None
        found = response.headers
        return BackendAnswer(
            status=response.status, content_type=found.get("Content-Type", ""),
            headers={name: found[name] for name in keep if name in found}, body=content,
        )

    async def close(self) -> None:
        await self._session.close()
