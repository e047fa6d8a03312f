"""ConsoleAdapter: reads commands from a terminal (or a pipe), prints replies."""

from __future__ import annotations

import asyncio
import sys
from dataclasses import replace
from pathlib import Path
from typing import TextIO

from adapters.console.parse import is_quit, parse_line
from adapters.console.render import render
from bot.messages import Attachment, Command, Destination, Reply
from bot.service import BotService

PROMPT = "podbrief> "


class ConsoleAdapter:
    """A local chat with the bot; a command's argument may be a path to a transcript file."""

    name = "console"

    def __init__(
        self,
        service: BotService,
        *,
        stdin: TextIO | None = None,
        stdout: TextIO | None = None,
        max_bytes: int = 20_000_000,
    ) -> None:
        self.service = service
        self.stdin = stdin or sys.stdin
        self.stdout = stdout or sys.stdout
        self.max_bytes = max_bytes
        self.interactive = self.stdin.isatty()
        self._posted = 0

    def _write(self, text: str) -> None:
        self.stdout.write(text)
        self.stdout.flush()

    async def run(self) -> None:
        """Until end of input or `quit`."""
        if self.interactive:
            self._write("podbrief console: type `help`, or `summarize <file>`; `quit` ends.\n")
        while True:
            if self.interactive:
                self._write(PROMPT)
            line = await asyncio.to_thread(self.stdin.readline)
            if not line or is_quit(line):
                return
            cmd = parse_line(line)
            if cmd is None:
                continue
            reply = await self.service.handle(self._with_file(cmd), self._progress)
            self._write(render(reply))

    async def post(self, destination: Destination, reply: Reply) -> list[str]:
        """The outbound port (digests): print the reply; ids are running numbers."""
        self._posted += 1
        self._write(render(reply))
        return [f"console-{self._posted}"]

    def _progress(self, reply: Reply) -> None:
        if self.interactive:
            self._write(render(reply))

    def _with_file(self, cmd: Command) -> Command:
        """In the console a local file path is an attachment (chat adapters never do this)."""
        path = Path(cmd.args.strip()).expanduser()
        if not cmd.args.strip() or not path.is_file():
            return cmd
        with path.open("rb") as handle:
            data = handle.read(self.max_bytes + 1)
        return replace(cmd, args="", attachments=(Attachment(path.name, data=data),))
