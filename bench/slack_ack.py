"""Slack acknowledgement latency while long episodes are summarized (fake Slack on loopback).

Usage: python -m bench.slack_ack [--commands 200]
For each configuration, the real Bolt app (HTTP mode, signed requests) gets long-episode
summaries plus `--commands` slash commands in all; it prints ack latency p50/p99, the
time to each posted long summary, and the time of a cached repeat. The peer is the same
bot summarizing on the event loop (no worker pool), measured in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import statistics
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

import aiohttp

from adapters.slack.app import SlackAdapter
from bench.common import SEED, SEENUNSEEN, require_corpus
from bot.bootstrap import build
from bot.config import Settings, SlackSettings
from summarizers.base import SummaryOptions
from summarizers.extractive import ExtractiveSummarizer
from summarizers.model import Summary, Transcript
from tests.fakes.slack_server import BOT_TOKEN, FakeSlack

SECRET = "bench-secret"


class InlineSummarizer(ExtractiveSummarizer):
    """The peer: summarizes on the event loop, as a naive bot would."""

    async def summarize(self, transcript: Transcript, options: SummaryOptions) -> Summary:
        return self.run(transcript, options)


def _signed(body: str) -> dict[str, str]:
    ts = str(int(time.time()))
    sig = hmac.new(SECRET.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": f"v0={sig}",
        "Content-Type": "application/x-www-form-urlencoded",
    }


async def _command(http: aiohttp.ClientSession, port: int, channel: str, text: str) -> float:
    body = urlencode(
        {
            "team_id": "T1",
            "channel_id": channel,
            "user_id": "U1",
            "command": "/podbrief",
            "text": text,
            "trigger_id": "1",
            "response_url": "http://127.0.0.1:9/r",
        }
    )
    start = time.perf_counter()
    async with http.post(
        f"http://127.0.0.1:{port}/slack/events", data=body, headers=_signed(body)
    ) as resp:
        await resp.read()
    return time.perf_counter() - start


async def _posted(fake: FakeSlack, channel: str, since: float) -> float:
    while not any(p["channel"] == channel for p in fake.posts):
        await asyncio.sleep(0.005)
    return time.perf_counter() - since


async def measure(label: str, inline: bool, total: int, long_files: dict[str, bytes]) -> None:
    fake = await FakeSlack(public=long_files).start()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            database_url=f"sqlite:///{Path(tmp) / 'bench.db'}",
            fetch_allow_hosts="127.0.0.1",
            http_port=0,
            workers=2,
            workspace_jobs=8,
            slack=SlackSettings(bot_token=BOT_TOKEN, signing_secret=SECRET, api_url=fake.api_url),
        )
        core = await build(settings)
        if inline:
            core.service.summarizer = InlineSummarizer()
            core.service.executor = None
        adapter = SlackAdapter(core.service, settings)
        runner = asyncio.create_task(adapter.run())
        while not adapter.port:
            await asyncio.sleep(0.01)
        port = adapter.port
        acks: list[float] = []
        async with aiohttp.ClientSession() as http:
            long_started = {}
            for n, name in enumerate(long_files):
                long_started[f"L{n}"] = time.perf_counter()
                acks.append(
                    await _command(http, port, f"L{n}", f"summarize {fake.public_url(name)}")
                )
            for batch in range(0, total - len(long_files), 20):
                size = min(20, total - len(long_files) - batch)
                acks += await asyncio.gather(
                    *(_command(http, port, f"H{batch + i}", "help") for i in range(size))
                )
            to_post = [await _posted(fake, ch, t0) for ch, t0 in long_started.items()]
            start = time.perf_counter()
            await _command(http, port, "R1", f"summarize {fake.public_url(next(iter(long_files)))}")
            cached = await _posted(fake, "R1", start)
        runner.cancel()
        await asyncio.gather(runner, return_exceptions=True)
        await core.close()
    await fake.stop()
    acks.sort()
    p99 = acks[min(len(acks) - 1, int(0.99 * len(acks)))]
    print(
        f"{label:<28} {len(acks):>4} {1000 * statistics.median(acks):>8.1f} {1000 * p99:>8.1f} "
        f"{statistics.median(to_post):>9.2f} {max(to_post):>9.2f} {1000 * cached:>9.1f}",
        flush=True,
    )


async def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--commands", type=int, default=200)
    args = ap.parse_args()
    require_corpus()
    longest = sorted(SEENUNSEEN.glob("*.vtt"), key=lambda p: -p.stat().st_size)[:3]
    files = {p.name: p.read_bytes() for p in longest}
    files[SEED.name] = SEED.read_bytes()
    print(
        f"{len(files)} long episodes ({', '.join(files)}) + help commands, "
        f"{args.commands} slash commands in all"
    )
    print(
        f"{'configuration':<28} {'cmds':>4} {'ack p50':>8} {'ack p99':>8} "
        f"{'post med':>9} {'post max':>9} {'cached':>9}"
    )
    print(f"{'':<28} {'':>4} {'ms':>8} {'ms':>8} {'s':>9} {'s':>9} {'ms':>9}")
    await measure("podbrief (worker pool)", False, args.commands, files)
    await measure("peer: inline on event loop", True, args.commands, files)


if __name__ == "__main__":
    asyncio.run(main())
