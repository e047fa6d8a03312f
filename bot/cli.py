"""The `podbrief` command line."""

from __future__ import annotations

import asyncio
import os
import re
import sys
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import replace
from pathlib import Path
from typing import TypeVar

import click
from rich.console import Console

from bot import logs
from bot.bootstrap import fetcher_for
from bot.commands import link_of
from bot.config import Settings, llm_config, load_settings
from bot.errors import UserError, require_content
from bot.output import RENDERERS
from bot.sources.links import from_link
from bot.sources.readers import load_bytes, load_path
from bot.storage import Database
from summarizers.base import SummaryOptions
from summarizers.extractive import ExtractiveSummarizer
from summarizers.llm import LLMSummarizer
from summarizers.model import Summary, Transcript

PROGRESS_AFTER_SECONDS = 1.0
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
    engine: str,
    page: str | None,
) -> None:
    """Summarize the transcript SOURCE and print takeaways, quotes and topics.

    SOURCE is a transcript file (plain text, SubRip .srt, WebVTT .vtt, Podcasting 2.0
    or Whisper JSON, TTML, or an HTML page; the format is detected from the content), - to read
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

    def work() -> Summary:
        notes: tuple[str, ...] = ()
        if source == "-":
            data = sys.stdin.buffer.read(settings.max_transcript_bytes + 1)
            transcript = load_bytes(data, source="-", max_bytes=settings.max_transcript_bytes)
        elif link is not None:
            transcript, notes = asyncio.run(_fetch(settings, link))
        else:
            transcript = load_path(Path(source), max_bytes=settings.max_transcript_bytes)
        if page is not None:
            transcript = replace(transcript, source=page)
        if (engine or settings.engine) == "llm":
            summary = asyncio.run(_summarize_llm(settings, transcript, options))
        else:
            summary = ExtractiveSummarizer().run(transcript, options)
        require_content(summary)
        return summary.model_copy(update={"notes": (*summary.notes, *notes)})

    name = "standard input" if source == "-" else link or Path(source).name
    summary = _with_progress(work, f"Summarizing {name}")
    for note in summary.notes:
        Console(stderr=True).print(f"note: {note}", style="yellow", highlight=False)
    sys.stdout.write(RENDERERS[fmt](summary))


async def _fetch(settings: Settings, link: str) -> tuple[Transcript, tuple[str, ...]]:
    """A link, fetched as the bot fetches it (public addresses only, size and time caps)."""
    fetcher = fetcher_for(settings)

    async def load(data: bytes, source: str) -> Transcript:
        return load_bytes(data, source=source, max_bytes=settings.max_transcript_bytes)

    try:
        return await from_link(fetcher, link, load, sending=CLI_SENDING)
    finally:
        await fetcher.close()


async def _summarize_llm(
    settings: Settings, transcript: Transcript, options: SummaryOptions
) -> Summary:
    summarizer = LLMSummarizer(llm_config(settings))
    try:
        return await summarizer.summarize(transcript, options)
    finally:
        await summarizer.aclose()


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


def _with_progress(work: Callable[[], T], label: str) -> T:
    """Run `work`, showing a spinner on stderr when it takes longer than a second."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        future: Future[T] = pool.submit(work)
        try:
            return future.result(timeout=PROGRESS_AFTER_SECONDS)
        except FutureTimeout:
            pass
        with Console(stderr=True).status(f"{label}…"):
            return future.result()


def main(argv: list[str] | None = None) -> int:
    """Entry point: exit 0 on success, 2 with a one-line message on bad input or usage."""
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
    except BrokenPipeError:
        return 0
    return 0


def run() -> None:
    """Console-script wrapper: exit with main()'s code."""
    sys.exit(main())


if __name__ == "__main__":
    run()
