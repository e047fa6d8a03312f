"""Discord deferral latency while long episodes are summarized (fake Discord on loopback).

Usage: python -m bench.discord_defer [--interactions 200]
`podbrief run` runs as its own process with the real discord.py client against the fake
Discord in this process; long-episode summaries are requested first, then help commands
in bursts of 10 (the next burst once the last is deferred), `--interactions` in all.
Prints the time from INTERACTION_CREATE to the deferral (p50/p99) and to each long
summary's followup. The peer is the same bot summarizing in
threads (PODBRIEF_WORKERS=0) instead of worker processes, measured in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import statistics
import sys
import tempfile
from pathlib import Path

from bench.common import long_episode_files
from tests.support.fakes.discord_server import FakeDiscord


async def measure(label: str, workers: int, total: int, files: dict[str, bytes]) -> None:
    fake = await FakeDiscord(attachments=files).start()
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "DISCORD_TOKEN": "test-discord-token",
            "DISCORD_API_URL": fake.api_url,
            "DISCORD_GATEWAY_URL": fake.gateway_url,
            "PODBRIEF_WORKERS": str(workers),
            "PODBRIEF_WORKSPACE_JOBS": "8",
            "PODBRIEF_FETCH_ALLOW_HOSTS": "127.0.0.1",
            "DATABASE_URL": f"sqlite:///{Path(tmp) / 'bench.db'}",
        }
        bot = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "adapters.cli", "run", env=env, stdin=asyncio.subprocess.DEVNULL
        )
        try:
            await fake.wait_for("followup", await fake.interact("help"), within=60)  # warm-up
            long_tokens = []
            for name in files:
                long_tokens.append(
                    await fake.interact(
                        "summarize",
                        [{"type": 3, "name": "link", "value": fake.attachment_url(name)}],
                    )
                )
            tokens = list(long_tokens)
            rest = total - len(long_tokens)
            for batch in range(0, rest, 10):  # 10 at once, the next 10 when they are deferred
                sent = await asyncio.gather(
                    *(fake.interact("help") for _ in range(min(10, rest - batch)))
                )
                for token in sent:
                    await fake.wait_for("callback", token, within=120)
                tokens += sent
            for token in tokens:
                await fake.wait_for("callback", token, within=120)
            for token in long_tokens:
                await fake.wait_for("followup", token, within=300)
        finally:
            bot.send_signal(signal.SIGTERM)
            await bot.wait()
    await fake.stop()
    defer = sorted(fake.times("callback", t)[0] - fake.times("interaction", t)[0] for t in tokens)
    posted = [fake.times("followup", t)[0] - fake.times("interaction", t)[0] for t in long_tokens]
    p99 = defer[min(len(defer) - 1, int(0.99 * len(defer)))]
    print(
        f"{label:<36} {len(defer):>4} {1000 * statistics.median(defer):>8.1f} "
        f"{1000 * p99:>8.1f} {statistics.median(posted):>9.2f} {max(posted):>9.2f}",
        flush=True,
    )


async def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--interactions", type=int, default=200)
    args = ap.parse_args()
    files = long_episode_files()
    print(
        f"{len(files)} long episodes ({', '.join(files)}) + help commands, "
        f"{args.interactions} interactions in all"
    )
    print(
        f"{'configuration':<36} {'n':>4} {'defer50':>8} {'defer99':>8} "
        f"{'post med':>9} {'post max':>9}"
    )
    print(f"{'':<36} {'':>4} {'ms':>8} {'ms':>8} {'s':>9} {'s':>9}")
    await measure("podbrief (2 worker processes)", 2, args.interactions, files)
    await measure("peer: threads (PODBRIEF_WORKERS=0)", 0, args.interactions, files)


if __name__ == "__main__":
    asyncio.run(main())
