"""Hostile input: what each costs, and whether other users are still answered meanwhile.

Usage: python -m bench.hostile [--peer-rev a8e9e83] [--skip-loaders] [--skip-answers]

The peer is podbrief's own code at `--peer-rev` (default: the commit the reliability and
security issue was filed against), checked out in a temporary git worktree and measured in
the same run, on the same inputs. Every input is built here; nothing is read from the corpus.

1. Each hostile input in a fresh process of each tree (time, and the process's peak memory
   from the kernel): a feed with one element of 40,000 attributes, a 20 MB page of unclosed
   tags, a page nested a million deep, a 20 MB single line of words loaded and summarized,
   and links that spell a loopback address in Unicode digits and other forms (fetched from
   a server listening on loopback: "fetched" means the guard let it through). A run past
   120 s is stopped and shown as such.
2. `podbrief run` of each tree (Slack HTTP mode, a fake Slack reached by host name, as
   slack.com is) gets six hostile links at once (three attribute-heavy feeds, three 4 MB
   pages of unclosed tags), then, from other channels, a small transcript link every half
   second for 20 s: the time from each of those commands to its posted answer.
3. The loaders against BeautifulSoup and json.loads on big but well-formed inputs, and the
   event loop's longest stall while a 3,000-episode feed is parsed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import aiohttp
from aiohttp import web
from bs4 import BeautifulSoup

from bench.common import BENCH_SECRET, free_port, slash_command
from bot.errors import TranscriptError
from bot.sources.feeds import parse_feed, parse_in_thread
from bot.sources.readers import load_bytes
from tests.support.data import EXAMPLE
from tests.support.fakes.local import serve, wait_until_healthy
from tests.support.fakes.slack_server import BOT_TOKEN, FakeSlack

ROOT = Path(__file__).resolve().parent.parent
PEER_REV = "a8e9e83"  # issue 17 was filed against this code
LIMIT = 20_000_000
CHILD_SECONDS = 120

# Run in a fresh interpreter whose working directory is the tree measured: only the APIs
# both trees have (load_bytes, parse_feed, the offline engine, SafeFetcher).
CHILD = r"""
import asyncio, json, sys, time
kind, arg = sys.argv[1], sys.argv[2]
start = time.perf_counter()
try:
    if kind == "feed":
        from bot.sources.feeds import parse_feed
        with open(arg, "rb") as f:
            feed = parse_feed(f.read(), "https://x.test/feed.xml")
        said = f"read, {len(feed.episodes)} episode(s)"
    elif kind in ("page", "line"):
        from bot.sources.readers import load_bytes
        with open(arg, "rb") as f:
            data = f.read()
        t = load_bytes(data, source="x.html" if kind == "page" else "x.txt", max_bytes=20_000_000)
        said = f"{t.word_count:,} words"
        if kind == "line":
            from summarizers.base import SummaryOptions
            from summarizers.extractive import ExtractiveSummarizer
            s = asyncio.run(ExtractiveSummarizer().summarize(t, SummaryOptions()))
            said += f", summarized ({len(s.takeaways)} takeaways)"
    elif kind == "links":
        from bot.sources.fetch import SafeFetcher
        async def go():
            fetcher = SafeFetcher(max_bytes=100_000)
            fetched = []
            try:
                for url in json.loads(arg):
                    try:
                        await fetcher.get(url)
                        fetched.append(url)
                    except Exception:
                        pass
            finally:
                await fetcher.close()
            return fetched
        got = asyncio.run(go())
        said = f"fetched {len(got)} of {len(json.loads(arg))}" + (
            ": " + " ".join(got) if got else "")
except Exception as exc:
    said = "refused: " + str(exc)[:60]
seconds = time.perf_counter() - start
with open("/proc/self/status") as status:  # this image's peak (ru_maxrss counts the fork's)
    peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM"))
print(json.dumps({"said": said, "seconds": seconds, "peak_kb": peak}))
"""

# loopback, spelled as the host of a link (PORT is the listening server's)
SPELLINGS = [
    "http://１２７.０.０.１:PORT/",  # fullwidth digits
    "http://127。0。0。1:PORT/",  # ideographic full stops
    "http://①②⑦.0.0.1:PORT/",  # circled digits
    "http://[::ffff:127.0.0.1]:PORT/",
    "http://[::ｆｆｆｆ:127.0.0.1]:PORT/",
    "http://[::7f00:1]:PORT/",  # IPv4-compatible IPv6
    "http://[::1]:PORT/",
    "http://0x7f.0.0.1:PORT/",
    "http://2130706433:PORT/",
    "http://127.1:PORT/",
    "http://0177.0.0.1:PORT/",
    "http://localhost:PORT/",
    "http://LOCALHOST.:PORT/",
]


@contextlib.contextmanager
def peer_tree(rev: str) -> Iterator[Path]:
    """The peer's code in a temporary git worktree (removed afterwards)."""
    where = Path(tempfile.mkdtemp(prefix="podbrief-peer-"))
    subprocess.run(
        ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(where), rev],
        check=True,
        capture_output=True,
    )
    try:
        yield where
    finally:
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(where)],
            capture_output=True,
        )
        shutil.rmtree(where, ignore_errors=True)


def _in_process(tree: Path, kind: str, arg: str) -> str:
    """Run CHILD in `tree`; its outcome, seconds and peak memory (ru_maxrss of the child)."""
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, kind, arg],
        cwd=tree,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(tree)},
    )
    try:
        out, _ = proc.communicate(timeout=CHILD_SECONDS)
    except subprocess.TimeoutExpired:
        peak = _peak_kb(proc.pid)
        proc.kill()
        proc.wait()
        return f"stopped after {CHILD_SECONDS} s, peak so far {peak / 1024:,.0f} MB"
    result = json.loads(out)
    return f"{result['seconds']:6.2f} s {result['peak_kb'] / 1024:>6,.0f} MB  {result['said']}"


def _peak_kb(pid: int) -> int:
    """A running process's peak resident memory so far (VmHWM)."""
    try:
        with open(f"/proc/{pid}/status") as status:
            return next(int(line.split()[1]) for line in status if line.startswith("VmHWM"))
    except (OSError, StopIteration):
        return 0


def _attribute_feed(count: int = 40_000) -> bytes:
    attrs = " ".join(f'k{n}="v"' for n in range(count))
    return (
        '<?xml version="1.0"?><rss version="2.0" xmlns:x="urn:x"><channel><title>T</title>'
        f"<item><guid>g</guid><title>One</title><x:a {attrs}/></item></channel></rss>"
    ).encode()


def _unclosed_page(size: int) -> bytes:
    return (b"<html><body>" + b"<p><b>word " * (size // 11))[:size]


def _one_line(size: int) -> bytes:
    """Words of many kinds with no line break and no punctuation (a caption dump): the
    same pseudo-random sequence every run."""
    vocabulary = (
        "compost heat nitrogen carbon leaves worms garden soil water air bin turn week "
        "month summer winter greens browns grass coffee paper card straw wood ash lime "
        "kitchen scraps smell flies rats moisture pile layer fork thermometer bacteria "
        "fungi rot slow fast warm cold wet dry neighbours council allotment seeds roots"
    ).split()
    rng = random.Random(17)
    words = " ".join(rng.choice(vocabulary) for _ in range(size // 5))
    return words.encode()[:size]


def hostile_inputs(peer: Path, tmp: Path) -> None:
    inputs = {
        "feed, one element of 40k attributes": ("feed", _attribute_feed()),
        "HTML, 20 MB of unclosed tags": ("page", _unclosed_page(LIMIT)),
        "HTML, nested 1M deep": ("page", b"<html><body>" + b"<div>" * 1_000_000 + b"x"),
        "text, one 20 MB line": ("line", _one_line(LIMIT)),
    }
    print(f"{'hostile input':<38} {'tree':<8} {'time':>8} {'peak':>9}  outcome")
    for label, (kind, data) in inputs.items():
        path = tmp / f"{kind}.bin"
        path.write_bytes(data)
        for name, tree in (("podbrief", ROOT), ("peer", peer)):
            print(f"{label:<38} {name:<8} {_in_process(tree, kind, str(path))}", flush=True)
    asyncio.run(_spellings(peer))


async def _spellings(peer: Path) -> None:
    async def secret(_: web.Request) -> web.Response:
        return web.Response(text="loopback only")

    app = web.Application()
    app.router.add_get("/", secret)
    runner, port = await serve(app)
    links = json.dumps([s.replace("PORT", str(port)) for s in SPELLINGS])
    try:
        for name, tree in (("podbrief", ROOT), ("peer", peer)):
            said = await asyncio.to_thread(_in_process, tree, "links", links)
            print(f"{f'links, {len(SPELLINGS)} loopback spellings':<38} {name:<8} {said}")
    finally:
        await runner.cleanup()


async def _answered(fake: FakeSlack, channel: str, since: float, within: float) -> float | None:
    while time.perf_counter() - since < within:
        if any(p.get("channel") == channel for p in [*fake.posts, *fake.ephemeral]):
            return time.perf_counter() - since
        await asyncio.sleep(0.01)
    return None


async def answers(label: str, tree: Path, within: float = 120.0) -> None:
    """Six hostile links at once, then other users' small links; their answer times."""
    public = {f"feed{n}.xml": _attribute_feed() for n in range(3)}
    public |= {f"page{n}.html": _unclosed_page(4_400_000) for n in range(3)}
    public |= {f"small{n}.txt": EXAMPLE + f"\n\nCopy {n}.".encode() for n in range(40)}
    fake = await FakeSlack(public=public).start()
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "PYTHONPATH": str(tree),
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": BENCH_SECRET,
            # by host name, as slack.com is: every API call needs the resolver's threads
            "SLACK_API_URL": fake.api_url.replace("127.0.0.1", "localhost"),
            "PODBRIEF_HTTP_PORT": str(port),
            "PODBRIEF_FETCH_ALLOW_HOSTS": "127.0.0.1,localhost",
            "DATABASE_URL": f"sqlite:///{Path(tmp) / 'bench.db'}",
        }
        bot = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "adapters.cli",
            "run",
            env=env,
            cwd=tree,
            stdin=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        times: list[float | None] = []
        hostile: list[float | None] = []
        try:
            async with aiohttp.ClientSession() as http:
                await wait_until_healthy(http, port, tries=300)
                await slash_command(http, port, "W0", "help", "W0")
                start = time.perf_counter()
                names = [n for n in public if not n.startswith("small")]
                await asyncio.gather(
                    *(
                        slash_command(  # each channel its own workspace: no shared job limit
                            http, port, f"H{n}", f"summarize {fake.public_url(name)}", f"H{n}"
                        )
                        for n, name in enumerate(names)
                    )
                )
                hostile_waits = [
                    asyncio.ensure_future(_answered(fake, f"H{n}", start, within))
                    for n in range(len(names))
                ]
                waits = []
                for n in range(40):  # 20 s of other users' commands
                    channel = f"O{n}"
                    sent = time.perf_counter()
                    link = fake.public_url(f"small{n}.txt")
                    await slash_command(http, port, channel, f"summarize {link}", channel)
                    waits.append(asyncio.ensure_future(_answered(fake, channel, sent, within)))
                    await asyncio.sleep(0.5)
                times = list(await asyncio.gather(*waits))
                hostile = list(await asyncio.gather(*hostile_waits))
        finally:
            bot.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(bot.wait(), 30)
            except TimeoutError:
                bot.kill()
                await bot.wait()
    await fake.stop()
    done = [t for t in times if t is not None]
    late = len(times) - len(done)
    hostile_done = [t for t in hostile if t is not None]
    print(
        f"{label:<10} other users: {len(done)}/{len(times)} answered, "
        f"median {statistics.median(done) if done else float('nan'):.2f} s, "
        f"max {max(done) if done else float('nan'):.2f} s"
        + (f", {late} not within {within:.0f} s" if late else "")
        + f"; hostile links answered: {len(hostile_done)}/{len(hostile)}, last after "
        f"{max(hostile_done) if hostile_done else float('nan'):.1f} s",
        flush=True,
    )


def _loader_inputs() -> dict[str, tuple[bytes, str]]:
    words = b"Words here and there " * 100
    cues = b"".join(
        b"%d\n00:00:%02d,000 --> 00:00:%02d,500\nhello there friend number %d\n\n"
        % (i + 1, i % 60, i % 60, i)
        for i in range(50_000)
    )
    return {
        "HTML, 40k nested divs": (
            b"<html><body>" + b"<div>" * 40_000 + words + b"</div>" * 40_000 + b"</body></html>",
            "page.html",
        ),
        "HTML, 40k paragraphs": (
            b"<html><body>" + b"<p>Ana: word word word word</p>" * 40_000 + b"</body></html>",
            "page.html",
        ),
        "text, one 2 MB line": (b"word " * 400_000, "one.txt"),
        "labelled, 100k lines": (b"Alice: hello there friend\n" * 100_000, "lines.txt"),
        "SubRip, 50k cues": (cues, "cues.srt"),
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


def _library(data: bytes, name: str) -> str:
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


def loaders() -> None:
    """Big but well-formed inputs: podbrief's loaders against the libraries alone."""
    print(f"\n{'input':<24} {'MB':>5} {'podbrief s':>10} {'library s':>9}  podbrief / library")
    for label, (data, name) in _loader_inputs().items():
        ours, said = _median(lambda d=data, n=name: _load(d, n))  # type: ignore[misc]
        theirs, peer_said = _median(lambda d=data, n=name: _library(d, n))  # type: ignore[misc]
        print(
            f"{label:<24} {len(data) / 1e6:5.1f} {ours:10.2f} {theirs:9.2f}  {said} / {peer_said}"
        )
    print(
        "library: BeautifulSoup get_text() for HTML and TTML, json.loads for JSON, "
        "the bytes read as plain text otherwise"
    )


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

    async def in_thread() -> object:  # without worker processes, what fetch_feed does
        return await parse_in_thread(data, "https://x.test/feed.xml")

    ours = statistics.median(asyncio.run(_stall(in_thread)) for _ in range(3))
    theirs = statistics.median(asyncio.run(_stall(on_loop)) for _ in range(3))
    print(
        f"\nfeed of 3,000 episodes ({len(data) / 1e6:.1f} MB): longest event-loop stall while "
        f"it is parsed: podbrief (its feed thread) {ours * 1000:.0f} ms, peer (on the loop) "
        f"{theirs * 1000:.0f} ms"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--peer-rev", default=PEER_REV)
    ap.add_argument("--skip-loaders", action="store_true")
    ap.add_argument("--skip-answers", action="store_true")
    args = ap.parse_args()
    with peer_tree(args.peer_rev) as peer, tempfile.TemporaryDirectory() as tmp:
        print(f"peer: podbrief at {args.peer_rev}, same machine, same run\n")
        hostile_inputs(peer, Path(tmp))
        if not args.skip_answers:
            print("\nsix hostile links at once, then a small link every 0.5 s for 20 s:")
            asyncio.run(answers("podbrief", ROOT))
            asyncio.run(answers("peer", peer))
    if not args.skip_loaders:
        loaders()
        feed_stall()


if __name__ == "__main__":
    main()
