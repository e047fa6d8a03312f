"""The safe fetcher against a local web server: what it fetches and what it refuses."""

from __future__ import annotations

import asyncio
import hashlib
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from bot.sources.fetch import FetchError, SafeFetcher, is_public
from tests.support.data import FIXTURES, OPUS
from tests.support.fakes.local import serve

VTT = (FIXTURES / "episode.vtt").read_bytes()


@asynccontextmanager
async def site() -> AsyncIterator[str]:
    """A local server: /vtt, redirects, a big body, a slow body, a 404."""
    app = web.Application()

    async def vtt(_: web.Request) -> web.Response:
        return web.Response(body=VTT, content_type="text/vtt")

    async def chain(request: web.Request) -> web.Response:
        n = int(request.match_info["n"])
        target = "/vtt" if n == 0 else f"/chain/{n - 1}"
        raise web.HTTPFound(target)

    async def to(request: web.Request) -> web.Response:
        raise web.HTTPFound(request.query["url"])

    async def big(_: web.Request) -> web.StreamResponse:
        resp = web.StreamResponse()  # no Content-Length: the cap must hold while reading
        await resp.prepare(_)
        for _i in range(50):
            await resp.write(b"x" * 10_000)
        return resp

    async def slow(_: web.Request) -> web.Response:
        await asyncio.sleep(3)
        return web.Response(text="late")

    async def missing(_: web.Request) -> web.Response:
        return web.Response(status=404)

    async def audio(request: web.Request) -> web.Response:
        kind = "text/plain" if "as-text" in request.path else "audio/ogg"
        return web.Response(body=OPUS, content_type=kind)

    async def cut_audio(request: web.Request) -> web.StreamResponse:
        resp = web.StreamResponse(headers={"Content-Type": "audio/ogg"})
        resp.content_length = len(OPUS)
        await resp.prepare(request)
        await resp.write(OPUS[:70_000])
        await asyncio.sleep(0.2)
        assert request.transport is not None
        request.transport.close()  # the connection drops half way
        return resp

    async def trickle_audio(request: web.Request) -> web.StreamResponse:
        resp = web.StreamResponse(headers={"Content-Type": "audio/ogg"})
        await resp.prepare(request)
        for start in range(0, len(OPUS), 20_000):  # each read in time, the whole too slow
            await resp.write(OPUS[start : start + 20_000])
            await asyncio.sleep(0.3)
        return resp

    for path, handler in (
        ("/vtt", vtt),
        ("/chain/{n}", chain),
        ("/to", to),
        ("/big", big),
        ("/slow", slow),
        ("/missing", missing),
        ("/audio", audio),
        ("/audio-as-text", audio),
        ("/cut-audio", cut_audio),
        ("/trickle-audio", trickle_audio),
    ):
        app.router.add_get(path, handler)  # type: ignore[arg-type]
    runner, port = await serve(app)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


def run(
    test: Callable[[str, SafeFetcher], Awaitable[None]],
    *,
    allow: bool = True,
    max_bytes: int = 100_000,
    timeout: float = 5.0,
    **audio: Any,
) -> None:
    async def go() -> None:
        async with site() as base:
            fetcher = SafeFetcher(
                max_bytes=max_bytes,
                timeout=timeout,
                allow_hosts=frozenset({"127.0.0.1"}) if allow else frozenset(),
                **audio,
            )
            try:
                await test(base, fetcher)
            finally:
                await fetcher.close()

    asyncio.run(go())


def test_fetches_an_allowed_host() -> None:
    async def t(base: str, f: SafeFetcher) -> None:
        got = await f.get(f"{base}/vtt")
        assert got.data == VTT
        assert got.content_type.startswith("text/vtt")

    run(t)


def test_follows_up_to_five_redirects() -> None:
    async def t(base: str, f: SafeFetcher) -> None:
        assert (await f.get(f"{base}/chain/4")).data == VTT
        with pytest.raises(FetchError, match="redirected more than 5"):
            await f.get(f"{base}/chain/6")

    run(t)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/x",
        "http://localhost:9/x",
        "http://169.254.169.254/latest/meta-data",
        "http://10.1.2.3/x",
        "http://192.168.0.1/x",
        "http://[::1]:9/x",
        "http://[fe80::1]/x",
        "http://0.0.0.0:9/x",
        "http://[::ffff:127.0.0.1]:9/x",
        "http://100.64.0.1/x",
    ],
)
def test_refuses_private_and_local_addresses(url: str) -> None:
    async def t(base: str, f: SafeFetcher) -> None:
        with pytest.raises(FetchError, match="not allowed"):
            await f.get(url)

    run(t, allow=False)


def test_local_server_refused_without_allow_list() -> None:
    async def t(base: str, f: SafeFetcher) -> None:
        with pytest.raises(FetchError, match="not allowed"):
            await f.get(f"{base}/vtt")

    run(t, allow=False)


def test_redirect_to_a_private_address_is_refused() -> None:
    async def t(base: str, f: SafeFetcher) -> None:
        for target in ("http://127.0.0.2:9/x", "http://169.254.169.254/", "http://localhost:9/"):
            with pytest.raises(FetchError, match="not allowed"):
                await f.get(f"{base}/to?url={target}")

    run(t)


@pytest.mark.parametrize(
    "url", ["ftp://example.com/x", "file:///etc/passwd", "http://user:pw@127.0.0.1/x", "gopher://x"]
)
def test_refuses_other_schemes_and_credentials(url: str) -> None:
    async def t(base: str, f: SafeFetcher) -> None:
        with pytest.raises(FetchError):
            await f.get(url)

    run(t)


def test_size_cap_and_timeout_and_status() -> None:
    async def t(base: str, f: SafeFetcher) -> None:
        with pytest.raises(FetchError, match="limit"):
            await f.get(f"{base}/big")
        with pytest.raises(FetchError, match="HTTP 404"):
            await f.get(f"{base}/missing")
        assert (await f.get(f"{base}/vtt")).data == VTT  # still serving after failures

    run(t)

    async def slow(base: str, f: SafeFetcher) -> None:
        with pytest.raises(FetchError, match="did not answer"):
            await f.get(f"{base}/slow")

    run(slow, timeout=0.5)


def test_is_public() -> None:
    assert is_public("93.184.216.34")
    assert is_public("2606:4700::1111")
    for address in (
        "127.0.0.1",
        "10.0.0.1",
        "172.16.0.1",
        "169.254.169.254",
        "::1",
        "fc00::1",
        "224.0.0.1",
        "0.0.0.0",
        "::ffff:10.0.0.1",
        "192.0.0.8",  # IANA special purpose; Python 3.11's is_global says global
        "64:ff9b::7f00:1",  # NAT64 for 127.0.0.1
        "64:ff9b::a9fe:a9fe",  # NAT64 for 169.254.169.254
        "2002:7f00:1::",  # 6to4 for 127.0.0.1
        "2001:0:4136:e378:8000:63bf:80ff:fffe",  # Teredo
    ):
        assert not is_public(address), address
    assert is_public("64:ff9b::5db8:d822")  # NAT64 for a public IPv4 address
    assert is_public("192.0.0.9")


@pytest.mark.parametrize(
    "spelling",
    [
        "１２７.０.０.１",  # fullwidth digits and dots
        "127。0。0。1",  # ideographic full stops
        "①②⑦.0.0.1",  # circled digits
        "127.0.0.1",
    ],
)
def test_unicode_spellings_of_a_local_address_are_refused_like_the_ascii_one(
    spelling: str,
) -> None:
    """The local site is running: a spelling that normalizes to 127.0.0.1 must not reach it,
    and the refusal is the same text whether or not the port is open."""

    async def t(base: str, f: SafeFetcher) -> None:
        port = base.rsplit(":", 1)[1]
        messages = set()
        for where in (port, "9"):  # open, closed
            with pytest.raises(FetchError, match="not allowed") as caught:
                await f.get(f"http://{spelling}:{where}/vtt")
            messages.add(str(caught.value))
        assert messages == {"links to private, local or reserved addresses are not allowed"}

    run(t, allow=False)


@pytest.mark.parametrize(
    "url",
    [
        "http://[::7f00:1]:9/x",  # IPv4-compatible IPv6 for 127.0.0.1
        "http://[::a9fe:a9fe]/latest",  # ... for 169.254.169.254
        "http://[::ｆｆｆｆ:127.0.0.1]:9/x",  # fullwidth hex digits in a mapped address
        "http://[::ffff:7f00:1]:9/x",
    ],
)
def test_ipv6_spellings_of_local_addresses_are_refused(url: str) -> None:
    async def t(base: str, f: SafeFetcher) -> None:
        with pytest.raises(FetchError, match="not allowed"):
            await f.get(url)

    run(t, allow=False)


def test_a_redirect_to_a_unicode_spelling_is_refused() -> None:
    async def t(base: str, f: SafeFetcher) -> None:
        port = base.rsplit(":", 1)[1]
        with pytest.raises(FetchError, match="not allowed"):
            await f.get(f"{base}/to?url=http://１２７.０.０.２:{port}/vtt")

    run(t)


def test_ipv4_compatible_addresses_are_not_public() -> None:
    for address in ("::7f00:1", "::a9fe:a9fe", "::a00:1", "::5db8:d822"):
        assert not is_public(address), address


def test_the_socket_is_refused_for_an_address_that_is_not_public() -> None:
    """The check where the connection is made, beneath the URL and resolver checks."""
    import socket

    from bot.sources.fetch import PublicOnlyResolver, RefusedAddress

    async def go() -> None:
        resolver = PublicOnlyResolver(frozenset({"127.0.0.2"}))
        tcp = (socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "")
        try:
            for address in ("127.0.0.1", "10.0.0.5", "169.254.169.254"):
                with pytest.raises(RefusedAddress):
                    resolver.socket_for((*tcp, (address, 80)))
            with pytest.raises(RefusedAddress):
                resolver.socket_for((socket.AF_INET6, *tcp[1:], ("::7f00:1", 80, 0, 0)))
            for address in ("127.0.0.2", "93.184.216.34"):  # allowed, public
                resolver.socket_for((*tcp, (address, 80))).close()
        finally:
            await resolver.close()

    asyncio.run(go())


def test_audio_is_written_to_a_temporary_file_as_it_arrives(tmp_path: Path) -> None:
    async def t(base: str, f: SafeFetcher) -> None:
        for path in ("/audio", "/audio-as-text"):  # by its type, or by its first bytes
            fetched = await f.get(f"{base}{path}", audio=True)
            assert fetched.file is not None
            assert fetched.file.parent == tmp_path
            assert fetched.file.read_bytes() == OPUS
            assert fetched.sha256 == hashlib.sha256(OPUS).hexdigest()
            assert 0 < len(fetched.data) < len(OPUS)  # only its first bytes in memory
            assert OPUS.startswith(fetched.data)
            fetched.discard()
            assert os.listdir(tmp_path) == []
        # where audio is not expected (a feed, a directory's answer): the transcript limit
        with pytest.raises(FetchError, match="PODBRIEF_MAX_TRANSCRIPT_BYTES"):
            await f.get(f"{base}/audio")
        # a download cut short: no file is left behind
        with pytest.raises(FetchError):
            await f.get(f"{base}/cut-audio", audio=True)
        assert os.listdir(tmp_path) == []

    # (the audio limit sits between the transcript limit and the file's size)
    run(t, max_bytes=100_000, max_audio_bytes=len(OPUS) + 1, spool_dir=str(tmp_path))

    async def over(base: str, f: SafeFetcher) -> None:
        with pytest.raises(FetchError, match="PODBRIEF_MAX_AUDIO_BYTES"):
            await f.get(f"{base}/audio-as-text", audio=True)  # counted as it is read
        with pytest.raises(FetchError, match="PODBRIEF_MAX_AUDIO_BYTES"):
            await f.get(f"{base}/audio", audio=True)  # by its Content-Length
        assert os.listdir(tmp_path) == []

    run(over, max_bytes=100_000, max_audio_bytes=120_000, spool_dir=str(tmp_path))

    async def whole_limit(base: str, f: SafeFetcher) -> None:
        with pytest.raises(FetchError, match="took longer than 1 s"):
            await f.get(f"{base}/trickle-audio", audio=True)
        assert os.listdir(tmp_path) == []

    run(whole_limit, max_audio_bytes=1_000_000, audio_timeout=1, spool_dir=str(tmp_path))
