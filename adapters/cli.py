"""The `podbrief` console script: the core's commands plus `run`, which starts the adapters.

It lives here because `bot` never imports `adapters`.
"""

from __future__ import annotations

import asyncio
import sys

from adapters.runner import run as run_adapters
from bot.cli import cli, main
from bot.config import load_settings


@cli.command("run")
def run_bot() -> None:
    """Start the bot: every configured chat platform (the console when none is)."""
    asyncio.run(run_adapters(load_settings()))


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())


if __name__ == "__main__":
    run()
