"""The `podbrief` command line, the one entry point: `summarize`, `run`, `db upgrade` and
`discord sync`.

It lives in adapters because `run` starts the chat adapters (`bot` never imports them);
`summarize` goes through the same typed operation as the chat commands and the digests.
"""

from __future__ import annotations

import asyncio
import os
import re
import sys
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path
from typing import TypeVar

import click
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeRemainingColumn

from bot import logs
from bot.bootstrap import AdapterFailed, fetcher_for, summaries_for, summarizer_for
from bot.commands import link_of
from bot.config import load_settings
from bot.errors import UserError
from bot.output import RENDERERS
from bot.sources.audio import check_audio_file, clock, looks_like_audio
from bot.sources.readers.load import read_file
from bot.storage import Database
from bot.summaries import FileSource, LinkSource, Source
from summarizers.base import SummaryOptions
from summarizers.model import Summary

PROGRESS_AFTER_SECONDS = 1.0
# the terminal bar reads the transcription's position this often (a chat message is edited
# at most every PODBRIEF_PROGRESS_SECONDS; a bar polled every 2 s missed a short clip)
BAR_POLL_SECONDS = 0.25
# how a video's transcript goes with its link here (a chat gets the link and the pasted text)
CLI_SENDING = "save it to a file and run: podbrief summarize FILE --link VIDEO-LINK"
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
T = TypeVar("T")


@click.group(
    name="podbrief", no_args_is_help=True, context_settings={"help_option_names": ["-h", "--help"]}
)
def cli() -> None:
    """Podcast episodes into key takeaways and verbatim quotes."""


@cli.command()
@click.argument("source")
@click.option(
    "--format",
    "-f",
    "fmt",
    type=click.Choice(["md", "text", "json"]),
    default="md",
    show_default=True,
    help="Output format.",
)
@click.option(
    "--takeaways",
    "-t",
    type=click.IntRange(3, 10),
    default=None,
    help="Number of takeaways, 3-10.  [default: 6, or PODBRIEF_TAKEAWAYS]",
)
@click.option(
    "--quotes",
    "-q",
    type=click.IntRange(1, 8),
    default=None,
    help="Number of quotes, 1-8.  [default: 4, or PODBRIEF_QUOTES]",
)
@click.option(
    "--engine",
    type=click.Choice(["extractive", "llm"]),
    default=None,
    help="extractive (offline, no key) or llm (OPENAI_API_KEY / OPENAI_BASE_URL).  "
    "[default: extractive, or PODBRIEF_ENGINE]",
)
@click.option(
    "--link",
    "page",
    metavar="URL",
    default=None,
    help="Where a transcript file or standard input comes from, such as its YouTube "
    "video: the Markdown's times then link to that moment.",
)
def summarize(
    source: str,
    fmt: str,
    takeaways: int | None,
    quotes: int | None,
    engine: str | None,
    page: str | None,
) -> None:
    """Summarize the transcript SOURCE and print takeaways, quotes and topics.

    SOURCE is a transcript file (plain text, SubRip .srt, WebVTT .vtt, Podcasting 2.0
    or Whisper JSON, TTML, or an HTML page; the format is detected from the content), an
    audio file (mp3, m4a, ogg, opus, wav, flac, webm: transcribed offline first), - to read
    standard input, or an http(s) link to a transcript or to a podcast feed (its newest
    episode with a transcript), fetched with the bot's safety rules.
    """
    settings = load_settings()
    options = SummaryOptions(
        takeaways=takeaways or settings.takeaways, quotes=quotes or settings.quotes
    )
    link = link_of(source)
    if link is None and _SCHEME.match(source):
        raise UserError(f"only http and https links can be fetched, not {source[:60]}")
    if page is not None:
        if link is not None:
            raise click.UsageError("--link goes with a transcript file or -, not with a link")
        if link_of(page) is None:
            raise click.UsageError(f"--link wants an http(s) link, not {page[:60]}")
    what: Source
    if source == "-":
        data = sys.stdin.buffer.read(settings.max_transcript_bytes + 1)
        if looks_like_audio(data[:64]):  # audio on standard input: read up to its own limit
            data += sys.stdin.buffer.read(settings.max_audio_bytes + 1 - len(data))
        what = FileSource("-", data, link=page)
    elif link is not None:
        what = LinkSource(link)
    else:
        path = Path(source)
        if _is_audio(path):  # read where it is, by the transcription (never held whole)
            check_audio_file(path, settings.max_audio_bytes)
            what = FileSource(path.name, path=path, link=page)
        else:
            what = FileSource(path.name, read_file(path, settings.max_transcript_bytes), link=page)

    name = "standard input" if source == "-" else link or Path(source).name
    bar = _Transcribing(name)

    async def go() -> Summary:
        fetcher = fetcher_for(settings)
        summarizer = summarizer_for(settings, engine)
        summaries = summaries_for(
            settings,
            fetcher,
            summarizer,
            options=options,
            sending=CLI_SENDING,
            progress_poll=BAR_POLL_SECONDS,
        )
        try:
            return (await summaries.summarize(what, progress=bar.update)).summary
        finally:
            await summarizer.aclose()
            await fetcher.close()

    with bar:
        summary = _with_progress(lambda: asyncio.run(go()), f"Summarizing {name}", bar)
    for note in summary.notes:
        Console(stderr=True).print(f"note: {note}", style="yellow", highlight=False)
    out = RENDERERS[fmt](summary)
    sys.stdout.write(out if out.endswith("\n") else out + "\n")


def _is_audio(path: Path) -> bool:
    """An audio file by its first bytes (a missing file is left to read_file's message)."""
    try:
        with path.open("rb") as f:
            return looks_like_audio(f.read(64))
    except OSError:
        return False


@cli.command("run")
def run_bot() -> None:
    """Start the bot: every configured chat platform (the console when none is)."""
    from adapters.runner import run as run_adapters

    asyncio.run(run_adapters(load_settings()))


@cli.group()
def db() -> None:
    """Database tasks."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the database tables (DATABASE_URL; SQLite file by default)."""
    settings = load_settings()

    async def go() -> None:
        database = Database(settings.database_url)
        try:
            await database.upgrade()
        finally:
            await database.close()

    asyncio.run(go())
    click.echo("database is up to date")


@cli.group("discord")
def discord_group() -> None:
    """Discord tasks."""


@discord_group.command("sync")
@click.option(
    "--guild",
    type=int,
    default=None,
    help="Register in one server only (instant); default: globally (up to an hour).",
)
def discord_sync(guild: int | None) -> None:
    """Register the /podbrief commands with Discord (not done at every start)."""
    from adapters.discord.app import sync

    names = asyncio.run(sync(load_settings(), guild))
    where = f"server {guild}" if guild else "all servers (global)"
    click.echo(f"registered /{', /'.join(names)} for {where}")


def _with_progress(work: Callable[[], T], label: str, bar: _Transcribing) -> T:
    """Run `work`, showing a spinner on stderr when it takes longer than a second (and the
    transcription's own bar once audio is being transcribed)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        future: Future[T] = pool.submit(work)
        try:
            return future.result(timeout=PROGRESS_AFTER_SECONDS)
        except FutureTimeout:
            pass
        with Console(stderr=True).status(f"{label}…") as status:
            while True:
                try:
                    return future.result(timeout=0.2)
                except FutureTimeout:
                    if bar.started:  # one display at a time: the bar replaces the spinner
                        status.stop()


class _Transcribing:
    """A progress bar on stderr with the time left, shown once audio is being transcribed
    (told from the event loop's thread; rich draws from its own)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.started = False
        self._bar = Progress(
            TextColumn("Transcribing {task.description}"),
            BarColumn(),
            TextColumn("{task.fields[clock]}"),
            TimeRemainingColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        self._task: TaskID | None = None

    def update(self, done: float, total: float) -> None:
        if self._task is None:
            self.started = True
            self._bar.start()
            self._task = self._bar.add_task(self.name, total=total, clock="")
        self._bar.update(self._task, completed=done, clock=f"{clock(done)} of {clock(total)}")

    def __enter__(self) -> _Transcribing:
        return self

    def __exit__(self, *_: object) -> None:
        if self.started:
            self._bar.stop()


def main(argv: list[str] | None = None) -> int:
    """Entry point: exit 0 on success, 2 with a one-line message on bad input or usage, 1
    when a chat platform could not start or stopped with an error."""
    logs.configure(os.environ.get("PODBRIEF_LOG_LEVEL", "ERROR"))
    try:
        cli.main(args=argv, prog_name="podbrief", standalone_mode=False)
    except click.exceptions.NoArgsIsHelpError as exc:
        click.echo(exc.ctx.get_help() if exc.ctx else "", err=True)
        return 2
    except click.UsageError as exc:
        hint = f" (see '{exc.ctx.command_path} --help')" if exc.ctx else ""
        click.echo(f"podbrief: error: {exc.format_message()}{hint}", err=True)
        return 2
    except click.ClickException as exc:
        click.echo(f"podbrief: error: {exc.format_message()}", err=True)
        return 2
    except click.Abort:
        click.echo("podbrief: aborted", err=True)
        return 130
    except UserError as exc:
        click.echo(f"podbrief: error: {exc}", err=True)
        return 2
    except AdapterFailed as exc:
        click.echo(f"podbrief: error: stopped: {exc}", err=True)
        return 1
    except BrokenPipeError:
        return 0
    return 0


def run() -> None:
    """Console-script entry point: exit with main()'s code."""
    sys.exit(main())


if __name__ == "__main__":
    run()
