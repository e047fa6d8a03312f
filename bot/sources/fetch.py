"""Fetching user links safely: public addresses only (redirects included), capped size and time.

Every host name is resolved by our own resolver, which refuses loopback, private,
link-local (cloud metadata), multicast and reserved addresses, and the connection goes to
the address that was checked, so DNS cannot be changed between check and use. Hosts in
PODBRIEF_FETCH_ALLOW_HOSTS skip the address check (for tests and private deployments:
unsafe on a public bot).
"""

from __future__ import annotations

import asyncio
import hashlib
import ipaddress
import os
import socket
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from yarl import URL

from bot.errors import UserError
from bot.sources.audio import looks_like_audio

MAX_REDIRECTS = 5
USER_AGENT = "podbrief/0.1 (+https://github.com/podbrief)"


class FetchError(UserError):
    """A link could not be fetched; the message says why and what to do."""


# One message for every refused non-public address, whether its port is open or closed, so
# the answers tell nothing about the private network.
REFUSED = "links to private, local or reserved addresses are not allowed"


class RefusedAddress(OSError):
    """Raised where a socket would be made for an address that is not public."""


@dataclass(frozen=True)
class Fetched:
    """A response body. Audio is not held in memory: it is written to `file` (a temporary
    file the caller removes, see `discard`) as it arrives, `data` is its first bytes and
    `sha256` its hash."""

    url: str
    content_type: str
    data: bytes
    status: int = 200
    etag: str | None = None
    last_modified: str | None = None
    file: Path | None = None
    sha256: str | None = None

    def discard(self) -> None:
        """Remove the temporary file, if there is one."""
        if self.file is not None:
            self.file.unlink(missing_ok=True)


# Special-purpose ranges this Python's `is_global` still counts as global (IANA: not
# globally reachable), and IPv6 prefixes that carry an IPv4 address a gateway may reach.
_NOT_GLOBAL_V4 = (ipaddress.ip_network("192.0.0.0/24"),)
_GLOBAL_EXCEPTIONS_V4 = (ipaddress.ip_address("192.0.0.9"), ipaddress.ip_address("192.0.0.10"))
_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")  # deprecated ::a.b.c.d; never routable


def is_public(address: str) -> bool:
    """A globally reachable unicast address; an IPv6 address that embeds an IPv4 one
    (mapped, NAT64, 6to4) is judged by that IPv4 address too, and the deprecated
    IPv4-compatible form (::a.b.c.d) is refused. (Teredo's 2001::/32 lies in 2001::/23, which
    `is_global` already refuses.) Anything that is not an address is not public."""
    try:
        ip = ipaddress.ip_address(address.split("%")[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        if ip in _IPV4_COMPATIBLE:
            return False
        if ip.ipv4_mapped is not None:
            return is_public(str(ip.ipv4_mapped))
        if any(ip in net for net in _NAT64):
            return is_public(str(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)))
        if ip.sixtofour is not None and not is_public(str(ip.sixtofour)):
            return False
    elif any(ip in net for net in _NOT_GLOBAL_V4) and ip not in _GLOBAL_EXCEPTIONS_V4:
        return False
    return ip.is_global and not ip.is_multicast


class PublicOnlyResolver(AbstractResolver):
    """Resolves like the system, then refuses any address that is not public."""

    def __init__(self, allow_hosts: frozenset[str] = frozenset()) -> None:
        self._inner = aiohttp.ThreadedResolver()
        self._allow = allow_hosts
        # addresses that allowed hosts resolved to: the socket check lets these through
        self.allowed_addresses = {h for h in allow_hosts if _is_ip(h)}

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        results = await self._inner.resolve(host, port, family)
        if host.lower() in self._allow:
            self.allowed_addresses.update(r["host"] for r in results)
            return results
        blocked = [r["host"] for r in results if not is_public(r["host"])]
        if blocked or not results:
            raise FetchError(REFUSED)
        return results

    def socket_for(self, addr_info: Any) -> socket.socket:
        """The last check, where the connection is made: whatever spelling the link used
        and whether or not it went through the resolver (aiohttp skips it for an IP
        literal), the address a socket is opened to is public or an allowed host's."""
        family, kind, proto, _, sockaddr = addr_info
        address = str(sockaddr[0])
        if address not in self.allowed_addresses and not is_public(address):
            raise RefusedAddress(REFUSED)
        return socket.socket(family=family, type=kind, proto=proto)

    async def close(self) -> None:
        await self._inner.close()


class SafeFetcher:
    """GETs http(s) links with the safety rules; one instance per application."""

    def __init__(
        self,
        *,
        max_bytes: int,
        timeout: float = 20.0,
        allow_hosts: frozenset[str] = frozenset(),
        max_audio_bytes: int | None = None,
        audio_timeout: float = 1800.0,
        spool_dir: str | None = None,
    ) -> None:
        self.max_bytes = max_bytes
        # audio (told by its first bytes or its content type) may be larger; None: no more
        self.max_audio_bytes = max_audio_bytes or max_bytes
        self.timeout = timeout  # for a whole download, audio aside; and for each read
        self.audio_timeout = audio_timeout  # for a whole audio download
        self.spool_dir = spool_dir  # where audio downloads are written (None: the system's)
        self.allow_hosts = frozenset(h.lower() for h in allow_hosts)
        self._session: aiohttp.ClientSession | None = None

    async def _open(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            resolver = PublicOnlyResolver(self.allow_hosts)
            connector = aiohttp.TCPConnector(
                resolver=resolver,
                use_dns_cache=False,
                limit=32,
                socket_factory=resolver.socket_for,
            )
            self._session = aiohttp.ClientSession(
                connector=connector,
                headers={"User-Agent": USER_AGENT},
                # no total: audio may take minutes; `get` limits each download's whole time
                timeout=aiohttp.ClientTimeout(
                    total=None, connect=min(10, self.timeout), sock_read=self.timeout
                ),
            )
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def get(
        self, url: str, headers: dict[str, str] | None = None, *, audio: bool = False
    ) -> Fetched:
        """The body of `url` after at most 5 redirects, each checked like the first. With
        `audio`, the body may be audio (by its type or first bytes): the larger audio limits
        apply and it is written to a temporary file (see Fetched); else the link must serve
        something smaller than the transcript limit."""
        session = await self._open()
        for _ in range(MAX_REDIRECTS + 1):
            target = _check_url(url, self.allow_hosts)
            started = time.monotonic()
            try:
                request = session.get(target, allow_redirects=False, headers=headers)
                async with await asyncio.wait_for(request, self.timeout) as resp:
                    if resp.status in (301, 302, 303, 307, 308) and "Location" in resp.headers:
                        url = urljoin(url, resp.headers["Location"])
                        headers = None  # credentials never follow a redirect
                        continue
                    if resp.status == 304:  # a conditional request: nothing new
                        return Fetched(
                            str(resp.url),
                            "",
                            b"",
                            304,
                            resp.headers.get("ETag"),
                            resp.headers.get("Last-Modified"),
                        )
                    if resp.status >= 400:
                        raise FetchError(
                            f"the link answered HTTP {resp.status}; check that it "
                            "is public and still exists"
                        )
                    return await self._read(resp, started, audio)
            except FetchError:
                raise
            except TimeoutError:
                raise FetchError(f"the link did not answer within {self.timeout:g} s") from None
            except aiohttp.ClientConnectorError as exc:
                cause = exc.os_error
                if isinstance(cause, FetchError):
                    raise cause from None
                if isinstance(cause, RefusedAddress):
                    raise FetchError(REFUSED) from None
                raise FetchError(f"could not connect to {target.host}") from None
            except aiohttp.ClientError as exc:
                raise FetchError(f"the download failed ({type(exc).__name__})") from None
        raise FetchError(f"the link redirected more than {MAX_REDIRECTS} times")

    async def _read(
        self, resp: aiohttp.ClientResponse, started: float, accept_audio: bool
    ) -> Fetched:
        media = resp.content_type.split("/")[0]
        audio = accept_audio and media in ("audio", "video")
        limit = self.max_audio_bytes if audio else self.max_bytes
        declared = resp.content_length
        # (audio may be told by its first bytes: until they are read, the larger limit)
        most = self.max_audio_bytes if accept_audio else limit
        if declared is not None and declared > most:
            raise FetchError(_too_big(most, accept_audio))
        chunks: list[bytes] = []
        size = 0
        spool: _Spool | None = None
        try:
            async for chunk in resp.content.iter_chunked(65536):
                if not size and accept_audio and not audio and looks_like_audio(chunk[:64]):
                    audio, limit = True, self.max_audio_bytes  # audio served as anything else
                size += len(chunk)
                if size > limit:
                    raise FetchError(_too_big(limit, audio))
                allowed = self.audio_timeout if audio else self.timeout
                if time.monotonic() - started > allowed:
                    raise FetchError(f"the download took longer than {allowed:g} s")
                if audio:  # written as it comes, never held whole
                    if spool is None:
                        spool = _Spool(self.spool_dir)
                    spool.write(chunk)
                if not audio or not chunks:
                    chunks.append(chunk)
        except BaseException:
            if spool is not None:
                spool.remove()
            raise
        path, sha = spool.close() if spool is not None else (None, None)
        return Fetched(
            str(resp.url),
            resp.headers.get("Content-Type", ""),
            b"".join(chunks),  # audio: its first bytes
            resp.status,
            resp.headers.get("ETag"),
            resp.headers.get("Last-Modified"),
            path,
            sha,
        )


class _Spool:
    """A temporary file an audio download is written to, hashed on the way."""

    def __init__(self, where: str | None) -> None:
        handle, name = tempfile.mkstemp(prefix="podbrief-audio-", dir=where)
        self.path = Path(name)
        self._out = os.fdopen(handle, "wb")
        self._hash = hashlib.sha256()

    def write(self, chunk: bytes) -> None:
        self._out.write(chunk)  # (to the page cache: no wait worth a thread)
        self._hash.update(chunk)

    def close(self) -> tuple[Path, str]:
        self._out.close()
        return self.path, self._hash.hexdigest()

    def remove(self) -> None:
        self._out.close()
        self.path.unlink(missing_ok=True)


def _too_big(limit: int, audio: bool = False) -> str:
    setting = "PODBRIEF_MAX_AUDIO_BYTES" if audio else "PODBRIEF_MAX_TRANSCRIPT_BYTES"
    return f"the download is over the {limit / 1_000_000:g} MB limit ({setting})"


def _check_url(url: str, allow: frozenset[str]) -> URL:
    """The URL as aiohttp will use it (yarl's normalization: IDNA, fullwidth and circled
    digits, ideographic dots), refused when its host is an address that is not public."""
    try:
        target = URL(url)
        host = (target.host or "").lower()
    except (ValueError, UnicodeError):
        raise FetchError("the link is not a valid web address") from None
    if target.scheme not in ("http", "https"):
        raise FetchError("only http and https links can be fetched")
    if not host:
        raise FetchError("the link has no host name")
    if target.user or target.password:
        raise FetchError("links with a user name or password are not accepted")
    if host not in allow and _is_ip(host) and not is_public(host):
        raise FetchError(REFUSED)
    return target  # a name: checked by the resolver, and every address at the socket


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.split("%")[0])
    except ValueError:
        return False
    return True
