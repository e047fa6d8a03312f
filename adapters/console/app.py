"""ConsoleAdapter: reads commands from a terminal (or a pipe), prints replies."""

from __future__ import annotations

import asyncio
import shlex
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TextIO

from adapters.console.parse import is_quit, parse_line
from adapters.console.render import render
from bot.bootstrap import ChatPorts
from bot.commands import COMMANDS, FORMATS, Argument, Syntax
from bot.errors import TranscriptError
from bot.messages import Attachment, Command, Destination, Reply
from bot.service import BotService
from bot.sources.readers.load import read_file

PROMPT = "podbrief> "
# in a terminal a command's argument may be a local file; nobody else needs rights here
SYNTAX = Syntax(
    prefix="",
    usages={
        "summarize": "summarize <file | link | feed link [title words] | episode id>",
        "takeaways": "takeaways <file | link | feed link [title words] | episode id>",
        "quotes": "quotes <file | link | feed link [title words] | episode id>",
    },
    rights=None,
    formats=f"Files: {FORMATS}, plain or speaker-labelled text; `quit` or Ctrl-D ends.",
)
_SUFFIXES = frozenset({".txt", ".srt", ".vtt", ".json", ".ttml", ".xml", ".html", ".htm", ".md"})


class ConsoleMessenger:
    """The console's outbound port: digests are printed; ids are running numbers."""

    def __init__(self, write: Callable[[str], object]) -> None:
        self._write = write
        self._posted = 0

    async def post(self, destination: Destination, reply: Reply) -> list[str]:
        self._posted += 1
        self._write(render(reply))
        return [f"console-{self._posted}"]

    async def find(self, destination: Destination, marker: str) -> list[str]:
        """Printed lines cannot be looked up again."""
        return []


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
        self._messenger = ConsoleMessenger(self.write)
        self._stopped = False

    @classmethod
    def make(cls, ports: ChatPorts) -> ConsoleAdapter:
        """The adapter factory the composition root calls."""
        return cls(ports.service, max_bytes=ports.settings.max_transcript_bytes)

    @property
    def messenger(self) -> ConsoleMessenger:
        return self._messenger

    def write(self, text: str) -> None:
        self.stdout.write(text)
        self.stdout.flush()

    async def run(self) -> None:
        """Until end of input, `quit` or `stop()`."""
        if self.interactive:
            self.write("podbrief console: type `help`, or `summarize <file>`; `quit` ends.\n")
        while not self._stopped:
            if self.interactive:
                self.write(PROMPT)
            line = await asyncio.to_thread(self.stdin.readline)
            if not line or is_quit(line):
                if not line and self.interactive:
                    self.write("\n")  # Ctrl-D: the shell prompt starts on a line of its own
                return
            cmd = parse_line(line)
            if cmd is None:
                continue
            try:
                cmd = self._with_file(cmd)
            except TranscriptError as exc:
                self.write(render(Reply(cmd.destination, "error", text=str(exc))))
                continue
            self.write(render(await self.service.handle(cmd, self._progress)))

    async def stop(self) -> None:
        """No new command is read after the one in progress."""
        self._stopped = True

    def _progress(self, reply: Reply) -> None:
        if self.interactive:
            self.write(render(reply))

    def _with_file(self, cmd: Command) -> Command:
        """In the console a local file path is an attachment (chat adapters never do this).
        A path may be quoted or start with `~`; one that names no file is an error here,
        as on the command line."""
        spec = COMMANDS.get(cmd.name)
        if spec is None or spec.argument not in (Argument.SOURCE, Argument.EPISODE):
            return cmd
        path = _path_of(cmd.args)
        if path is None:
            return cmd
        data = read_file(path, self.max_bytes)
        return replace(cmd, args="", attachments=(Attachment(path.name, data=data),))


def _path_of(arg: str) -> Path | None:
    """The local path an argument names, or None when it is something else (a link, an
    id, pasted text). Anything that exists is a path; so is a lone word that looks like one
    (with a `/`, a leading `~` or `.`, or a transcript's suffix) even when it is missing."""
    arg = arg.strip()
    if not arg or "://" in arg:
        return None
    try:
        words = shlex.split(arg)
    except ValueError:  # an unclosed quote: pasted text
        return None
    if len(words) != 1:
        return None
    path = Path(words[0]).expanduser()
    if path.exists():
        return path
    word = words[0]
    looks = "/" in word or word.startswith(("~", ".")) or path.suffix.lower() in _SUFFIXES
    return path if looks else None
