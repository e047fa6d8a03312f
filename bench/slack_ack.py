"""Slack acknowledgement latency while long episodes are summarized (fake Slack on loopback).

Usage: python -m bench.slack_ack [--commands 200] [--burst 50] [--files big|corpus]
For each configuration, `podbrief run` (its own process, Slack HTTP mode, signed requests)
gets long summaries to make (`big`: six WebVTT transcripts of 3 to 4.4 MB built from the
corpus's episodes; `corpus`: its three longest episodes and the seed), then, while they are
made, `help` commands in bursts of `--burst` at once, half a second apart, `--commands` slash
commands in all; this prints ack latency p50/p99, the time to each posted long summary, and
the time of a cached repeat.
The peer is the same bot summarizing in threads of the bot process (PODBRIEF_WORKERS=0)
instead of worker processes, measured in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

from bench.common import (
    BENCH_SECRET,
    big_transcript_files,
    free_port,
    long_episode_files,
    slash_command,
)
from tests.support.fakes.local import wait_until_healthy
from tests.support.fakes.slack_server import BOT_TOKEN, FakeSlack


async def _posted(fake: FakeSlack, channel: str, since: float) -> float:
    for _ in range(60_000):  # at most 5 minutes
        if any(p["channel"] == channel for p in fake.posts):
            break
        await asyncio.sleep(0.005)
    return time.perf_counter() - since


async def measure(
    label: str, workers: int, total: int, long_files: dict[str, bytes], burst: int
) -> None:
    """`podbrief run` as its own process (HTTP mode), the fake Slack and the client here."""
    fake = await FakeSlack(public=long_files).start()
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": BENCH_SECRET,
            "SLACK_API_URL": fake.api_url,
            "PODBRIEF_HTTP_PORT": str(port),
            "PODBRIEF_WORKERS": str(workers),
            "PODBRIEF_WORKSPACE_JOBS": "8",
            "PODBRIEF_FETCH_ALLOW_HOSTS": "127.0.0.1",
            "DATABASE_URL": f"sqlite:///{Path(tmp) / 'bench.db'}",
        }
        bot = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "adapters.cli", "run", env=env, stdin=asyncio.subprocess.DEVNULL
        )
        acks: list[float] = []
        try:
            async with aiohttp.ClientSession() as http:
                await wait_until_healthy(http, port, tries=300)
                await slash_command(http, port, "W0", "help")  # warm-up: auth.test, first import
                long_started = {}
                for n, name in enumerate(long_files):
                    long_started[f"L{n}"] = time.perf_counter()
                    acks.append(
                        await slash_command(
                            http, port, f"L{n}", f"summarize {fake.public_url(name)}"
                        )
                    )
                rest = total - len(long_files)
                for batch in range(0, rest, burst):
                    size = min(burst, rest - batch)
                    acks += await asyncio.gather(
                        *(slash_command(http, port, f"H{batch + i}", "help") for i in range(size))
                    )
                    await asyncio.sleep(0.5)
                to_post = [await _posted(fake, ch, t0) for ch, t0 in long_started.items()]
                start = time.perf_counter()
                first = next(iter(long_files))
                await slash_command(http, port, "R1", f"summarize {fake.public_url(first)}")
                cached = await _posted(fake, "R1", start)
        finally:
            bot.send_signal(signal.SIGTERM)
            await bot.wait()
    await fake.stop()
    acks.sort()
    p99 = acks[min(len(acks) - 1, int(0.99 * len(acks)))]
    print(
        f"{label:<36} {len(acks):>4} {1000 * statistics.median(acks):>8.1f} "
        f"{1000 * p99:>8.1f} {statistics.median(to_post):>9.2f} {max(to_post):>9.2f} "
        f"{1000 * cached:>9.1f}",
        flush=True,
    )


async def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--commands", type=int, default=200)
    ap.add_argument("--burst", type=int, default=50)
    ap.add_argument("--files", choices=("big", "corpus"), default="big")
    args = ap.parse_args()
    files = big_transcript_files() if args.files == "big" else long_episode_files()
    print(
        f"{len(files)} long transcripts ({', '.join(files)}; "
        f"{sum(map(len, files.values())) / 1e6:.1f} MB) + help commands in bursts of "
        f"{args.burst}, {args.commands} slash commands in all"
    )
    print(
        f"{'configuration':<36} {'cmds':>4} {'ack p50':>8} {'ack p99':>8} "
        f"{'post med':>9} {'post max':>9} {'cached':>9}"
    )
    print(f"{'':<36} {'':>4} {'ms':>8} {'ms':>8} {'s':>9} {'s':>9} {'ms':>9}")
    await measure("podbrief (2 worker processes)", 2, args.commands, files, args.burst)
    await measure("peer: threads (PODBRIEF_WORKERS=0)", 0, args.commands, files, args.burst)


if __name__ == "__main__":
    asyncio.run(main())
