"""Hostile and oversized transcripts: how long loading takes, against a peer, same inputs.

Usage: python -m bench.hostile
Each input is built here (no corpus needed) and loaded with `load_bytes` as a user's
file or link would be (20 MB limit). For the HTML and TTML inputs the peer is
BeautifulSoup's own `get_text()` on the same parse (no line breaks: what podbrief would get
without its block handling, and how it read TTML before its own reader); for JSON,
`json.loads`; for the rest, the same bytes as plain text. Times are the median of three
runs; a load that fails says so instead of a time.
Then: the longest event-loop stall while a feed of 3,000 episodes is parsed the way
`fetch_feed` does it (in a thread), against parsing it on the loop.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time
from collections.abc import Awaitable, Callable

from bs4 import BeautifulSoup

from bot.errors import TranscriptError
from bot.sources.feeds import parse_feed
from bot.sources.readers import load_bytes

LIMIT = 20_000_000


def _inputs() -> dict[str, tuple[bytes, str]]:
    words = b"Words here and there " * 100
    cues = b"".join(
        b"%d\n00:00:%02d,000 --> 00:00:%02d,500\nhello there friend number %d\n\n"
        % (i + 1, i % 60, i % 60, i)
        for i in range(100_000)
    )
    return {
        "HTML, 100k nested divs": (
            b"<html><body>" + b"<div>" * 100_000 + words + b"</div>" * 100_000 + b"</body></html>",
            "page.html",
        ),
        "HTML, 200k paragraphs": (
            b"<html><body>" + b"<p>Ana: word word word word</p>" * 200_000 + b"</body></html>",
            "page.html",
        ),
        "text, one 15 MB line": (b"word " * 3_000_000, "one.txt"),
        "labelled, 500k lines": (b"Alice: hello there friend\n" * 500_000, "lines.txt"),
        "SubRip, 100k cues": (cues, "cues.srt"),
        # a name, then thousands of spaces: the speaker-heading check must stay linear
        "spaced names, 2k lines": ((b"Ana" + b" " * 5000 + b"said this\n") * 2000, "sp.txt"),
        "JSON, 100k deep": (b'{"segments": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "x.json"),
        # Apple-style word spans, one letter each: the most elements 20 MB can hold
        "TTML, 500k word spans": (
            b'<tt xmlns="http://www.w3.org/ns/ttml" xmlns:podcasts="p"><body><div><p>'
            + b'<span podcasts:unit="word">x</span>' * 500_000
            + b"</p></div></body></tt>",
            "x.ttml",
        ),
    }


def _median(fn: Callable[[], str]) -> tuple[float, str]:
    runs, outcome = [], ""
    for _ in range(3):
        start = time.perf_counter()
        outcome = fn()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs), outcome


def _load(data: bytes, name: str) -> str:
    try:
        return f"{load_bytes(data, source=name, max_bytes=LIMIT).word_count:,} words"
    except TranscriptError as exc:
        return f"refused: {str(exc)[:48]}"


def _peer(data: bytes, name: str) -> str:
    if name.endswith((".html", ".ttml")):
        text = BeautifulSoup(data.decode(), "html.parser").get_text()
        return f"{len(text.split()):,} words"
    if name.endswith(".json"):
        try:
            json.loads(data)
        except RecursionError:
            return "json.loads: RecursionError"
        return "json.loads: read"
    return _load(data, "plain.txt")


def _big_feed(episodes: int = 3000) -> bytes:
    about = "Words about the episode and its guests. " * 25
    items = "".join(
        f"<item><title>Episode {i}</title><guid>g{i}</guid><link>https://x.test/{i}</link>"
        f"<pubDate>Mon, 01 Jan 2024 10:00:00 +0000</pubDate>"
        f"<description><![CDATA[<p>{about}</p>]]></description>"
        f'<podcast:transcript url="https://x.test/{i}.vtt" type="text/vtt"/></item>'
        for i in range(episodes)
    )
    return (
        '<?xml version="1.0"?><rss version="2.0" '
        'xmlns:podcast="https://podcastindex.org/namespace/1.0">'
        f"<channel><title>Big</title>{items}</channel></rss>"
    ).encode()


async def _stall(parse: Callable[[], Awaitable[object]]) -> float:
    """The longest the event loop went without running a 1 ms ticker during `parse`."""
    gaps: list[float] = []
    done = asyncio.Event()

    async def ticker() -> None:
        last = time.perf_counter()
        while not done.is_set():
            await asyncio.sleep(0.001)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now

    task = asyncio.create_task(ticker())
    await asyncio.sleep(0.01)
    await parse()
    done.set()
    await task
    return max(gaps)


def feed_stall() -> None:
    """A chat command waits while a digest parses a big feed: how long the loop stalls."""
    data = _big_feed()

    async def on_loop() -> object:  # the peer: parsing on the event loop
        return parse_feed(data, "https://x.test/feed.xml")

    async def in_thread() -> object:  # what fetch_feed does
        return await asyncio.to_thread(parse_feed, data, "https://x.test/feed.xml")

    ours = statistics.median(asyncio.run(_stall(in_thread)) for _ in range(3))
    theirs = statistics.median(asyncio.run(_stall(on_loop)) for _ in range(3))
    print(
        f"\nfeed of 3,000 episodes ({len(data) / 1e6:.1f} MB): longest event-loop stall while "
        f"it is parsed: podbrief (thread) {ours * 1000:.0f} ms, peer (on the loop) "
        f"{theirs * 1000:.0f} ms"
    )


def main() -> None:
    print(f"{'input':<24} {'MB':>5} {'podbrief s':>10} {'peer s':>7}  podbrief / peer")
    for label, (data, name) in _inputs().items():
        ours, said = _median(lambda d=data, n=name: _load(d, n))  # type: ignore[misc]
        theirs, peer_said = _median(lambda d=data, n=name: _peer(d, n))  # type: ignore[misc]
        print(
            f"{label:<24} {len(data) / 1e6:5.1f} {ours:10.2f} {theirs:7.2f}  {said} / {peer_said}"
        )
    print(
        "peer: BeautifulSoup get_text() for HTML and TTML, json.loads for JSON, "
        "the bytes read as plain text otherwise"
    )
    feed_stall()


if __name__ == "__main__":
    main()
