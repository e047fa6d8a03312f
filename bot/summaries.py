"""The typed operation under the chat grammar: `Summaries.summarize(source, options)`.

Chat commands, digests and the command line all summarize through it: it resolves the
source into a transcript (parsed in the worker processes when there are any), stores the
episode, serves the cached summary or makes one (a few at once per workspace), and says
how the transcript was found.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import secrets
import shutil
import socket
import tempfile
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.errors import TranscriptError, UserError, require_content
from bot.sources.apple import APPLE_LOOKUP
from bot.sources.audio import (
    SpeechSettings,
    check_audio_size,
    check_length,
    duration_of,
    looks_like_audio,
    read_progress,
    transcribed,
)
from bot.sources.feeds import Feed, parse_feed, parse_in_thread
from bot.sources.fetch import Fetched, SafeFetcher
from bot.sources.links import CHAT_SENDING, from_link, link_name
from bot.sources.readers import load_bytes
from bot.sources.readers.load import check_usable, titled
from bot.sources.speech_remote import RemoteSpeech, cut, transcribe_remote
from bot.sources.stored import StoredTranscript
from bot.sources.youtube import YouTubeSettings, fetch_captions
from bot.storage import Database
from bot.workers import WorkerPool
from summarizers.base import Summarizer, SummaryOptions
from summarizers.model import Summary, Transcript

logger = logging.getLogger(__name__)
DEFAULT_MAX_AUDIO_BYTES = 500_000_000  # a 4-hour episode at 256 kbit/s
SLOWEST_REALTIME = 4  # a transcription job may run at a quarter of the audio's speed


@dataclass(frozen=True)
class FileSource:
    """A transcript file: its bytes, or where to fetch them (with headers, such as a chat
    platform's token). `link` is the video or page the file's words come from."""

    name: str
    data: bytes | None = None
    url: str | None = None
    headers: dict[str, str] = field(default_factory=dict, hash=False, compare=False)
    link: str | None = None
    path: Path | None = None  # audio on this machine (the command line), read where it is


@dataclass(frozen=True)
class LinkSource:
    """A link to a transcript or a feed; `title_words` pick a feed's episode."""

    url: str
    title_words: str = ""


@dataclass(frozen=True)
class TextSource:
    """Pasted transcript text; `link` is the video or page it comes from."""

    text: str
    link: str | None = None


@dataclass(frozen=True)
class AudioSource:
    """A feed episode's audio: `keys` name it besides its address (its GUID in its feed);
    `title` and `show` are the feed's names for it."""

    url: str
    keys: tuple[str, ...] = ()
    title: str | None = None
    show: str | None = None


@dataclass(frozen=True)
class EpisodeSource:
    """An episode stored earlier, by its id."""

    id: int


Source = FileSource | LinkSource | TextSource | AudioSource | EpisodeSource


class NoSuchEpisode(UserError):
    """An episode id that names no stored episode."""


@dataclass(frozen=True)
class Summarized:
    """A summary with the stored episode it is of (None without a store) and whether it
    came from the cache; request notes are in `summary.notes`."""

    summary: Summary
    episode_id: int | None
    cached: bool


def _load_job(data: bytes, source: str, max_bytes: int) -> StoredTranscript:
    """Runs in a worker process: parsing a large transcript is CPU work, and so are its
    hash, word count and stored form; the bot process gets them, not the segments."""
    return StoredTranscript.of(load_bytes(data, source=source, max_bytes=max_bytes))


def _summary_job(
    job: Callable[[Transcript, SummaryOptions], Summary],
    episode: StoredTranscript,
    options: SummaryOptions,
) -> Summary:
    """Runs in a worker process: the transcript is built here, from its stored form."""
    return job(episode.transcript(), options)


Listener = Callable[[float, float], object]  # (seconds transcribed, seconds in all)
_LISTENER: ContextVar[Listener | None] = ContextVar("podbrief_progress", default=None)
PROGRESS_POLL_SECONDS = 2.0
# instances sharing a database transcribe a new episode once: the one that claims it
# renews the claim (with its position) every poll; a claim not renewed for this long is
# taken to be of a stopped instance, and another takes the work over
CLAIM_LEASE = timedelta(seconds=60)
# the positions reached for every claim the running task holds (outer: the audio's
# address, inner: its content), written as the transcription reports them
_REACHED: ContextVar[tuple[list[float], ...]] = ContextVar("podbrief_reached", default=())


async def _watch(path: str, total: float, report: Listener, every: float) -> None:
    """Tells `report` the position a transcription job writes to `path`, as it moves."""
    last = None
    while True:
        await asyncio.sleep(every)
        done = read_progress(path)
        if done is not None and done != last:
            last = done
            report(min(done, total), total)


def _job_limit(workers: WorkerPool, seconds: float) -> float:
    """An audio job's time limit: it grows with the episode (at least SLOWEST_REALTIME)."""
    return workers.timeout + seconds / SLOWEST_REALTIME


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as data:
        while chunk := data.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _remove(path: Path) -> None:
    path.unlink(missing_ok=True)


def _url_key(source: str) -> list[str]:
    """The key audio loaded from a link is stored under (none for a file's name)."""
    return [f"url:{source}"] if source.startswith(("http://", "https://")) else []


class Summaries:
    """Sources into summaries, with the episode store and the summary cache (without a
    database, as on the command line, nothing is stored or cached)."""

    def __init__(
        self,
        *,
        fetcher: SafeFetcher,
        summarizer: Summarizer,
        options: SummaryOptions,
        max_bytes: int,
        db: Database | None = None,
        workers: WorkerPool | None = None,
        workspace_jobs: int = 2,
        link_cache_seconds: float = 3600,
        sending: str = CHAT_SENDING,
        speech: SpeechSettings | None = None,
        max_audio_bytes: int = DEFAULT_MAX_AUDIO_BYTES,
        youtube: YouTubeSettings | None = None,
        apple_lookup: str = APPLE_LOOKUP,
        remote_speech: RemoteSpeech | None = None,
        progress_poll: float = PROGRESS_POLL_SECONDS,
    ) -> None:
        self.fetcher = fetcher
        self.summarizer = summarizer
        self.options = options
        self.max_bytes = max_bytes
        self._db = db
        self._workers = workers
        self._workspace_jobs = workspace_jobs
        self._link_cache_seconds = link_cache_seconds
        self._sending = sending
        self._speech = speech or SpeechSettings()
        self._max_audio_bytes = max_audio_bytes
        self._youtube = youtube or YouTubeSettings()
        self._apple_lookup = apple_lookup
        self._remote = remote_speech  # None: transcribed here, by the local model
        self._progress_poll = progress_poll  # how often a transcription's position is read
        self._gates: dict[object, asyncio.Semaphore] = {}
        # transcriptions running, by each key of their audio: a second request waits for it
        self._transcribing: dict[str, asyncio.Future[StoredTranscript]] = {}
        self._spooled: set[Path] = set()  # downloaded audio files a transcription holds
        self._listeners: dict[str, list[Listener]] = {}  # by audio content: who is told
        # this instance, as its claims on audio to transcribe name it
        self._instance = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"

    async def summarize(
        self,
        source: Source,
        options: SummaryOptions | None = None,
        *,
        workspace: object = None,
        loaded: Callable[[StoredTranscript], object] | None = None,
        progress: Listener | None = None,
    ) -> Summarized:
        """The summary of `source`. `workspace` names whose job limit applies; `loaded` is
        told the transcript before the (perhaps long) summary starts; `progress` is told
        (seconds done, seconds in all) while audio is transcribed, every few seconds, also
        when the transcription is another request's that this one waits for."""
        token = _LISTENER.set(progress)
        try:
            return await self._summarize(source, options, workspace, loaded)
        finally:
            _LISTENER.reset(token)

    async def _summarize(
        self,
        source: Source,
        options: SummaryOptions | None,
        workspace: object,
        loaded: Callable[[StoredTranscript], object] | None,
    ) -> Summarized:
        options = options or self.options
        hit = await self._recent_link(source, options)
        if hit is not None:
            return hit
        transcript, episode_id, notes = await self._resolve(source)
        if loaded is not None:
            loaded(transcript)
        summary, cached = await self._summary(transcript, episode_id, options, workspace)
        require_content(summary)
        # a summary cached for the same words loaded another way: this request's names
        here = {
            "title": transcript.title,
            "show": transcript.show,
            "source": transcript.source,
            "transcription": transcript.transcribed_by,
        }
        if any(getattr(summary, key) != value for key, value in here.items()):
            summary = summary.model_copy(update=here)
        if notes:  # about this request, not the transcript: never stored with the summary
            summary = summary.model_copy(update={"notes": (*summary.notes, *notes)})
        return Summarized(summary, episode_id, cached)

    async def load(self, data: bytes, source: str) -> StoredTranscript:
        """Parse a transcript, or transcribe audio (in the worker pool when there is one)."""
        if looks_like_audio(data[:64]):
            return await self._transcribed(data, source, _url_key(source))
        if self._workers is None:
            return StoredTranscript.of(load_bytes(data, source=source, max_bytes=self.max_bytes))
        return await self._workers.run(_load_job, data, source, self.max_bytes)

    async def load_fetched(self, fetched: Fetched, source: str) -> StoredTranscript:
        """`load` for a download: audio was written to a file, which is removed afterwards
        (by the transcription, if one started: it may outlive this request)."""
        if fetched.file is None:
            return await self.load(fetched.data, source)
        return await self._transcribed_download(fetched, source, _url_key(source))

    async def audio(self, url: str, keys: list[str]) -> StoredTranscript:
        """The transcript of the audio at `url`: the one stored under its address or `keys`
        (a feed episode's GUID) if it was transcribed before, without downloading it again;
        else downloaded and transcribed, once however many ask for it at the same time."""
        keys = [f"url:{url}", *keys]
        return await self._once(keys, lambda: self._download(url, keys))

    async def _download(self, url: str, keys: list[str]) -> StoredTranscript:
        fetched = await self.fetcher.get(url, audio=True)
        if fetched.file is None:
            raise TranscriptError(
                f"{url} is the episode's audio in its feed, but it serves no audio "
                f"({fetched.content_type or 'no content type'}); the feed may be out of date"
            )
        return await self._transcribed_download(fetched, url, keys)

    async def _transcribed_download(
        self, fetched: Fetched, source: str, keys: list[str]
    ) -> StoredTranscript:
        """A downloaded audio file transcribed; the file is removed afterwards (by the
        transcription, if one started: it may outlive this request)."""
        assert fetched.file is not None
        try:
            return await self._transcribed(fetched.file, source, keys, fetched.sha256, owned=True)
        finally:
            if fetched.file not in self._spooled:
                fetched.discard()

    async def _transcribed(
        self,
        audio: bytes | Path,
        source: str,
        keys: list[str],
        sha256: str | None = None,
        *,
        owned: bool = False,
    ) -> StoredTranscript:
        """Audio (its bytes, or a file: `owned` when it is a temporary file to remove once
        transcribed) transcribed, or the transcription stored for its content (the same
        file under another name); either way remembered under `keys` too."""
        if sha256 is None:
            assert isinstance(audio, bytes)
            sha256 = hashlib.sha256(audio).hexdigest()
        content = f"sha256:{sha256}"
        everything = [*keys, content]

        async def transcribe() -> StoredTranscript:
            if owned and isinstance(audio, Path):
                self._spooled.add(audio)  # this job removes it when done, not the request
            try:
                return await self._transcribe_and_keep(audio, source, everything, content)
            finally:
                if owned and isinstance(audio, Path):
                    self._spooled.discard(audio)
                    _remove(audio)

        listener = _LISTENER.get()
        if listener is not None:  # told of the transcription's progress, whoever started it
            self._listeners.setdefault(content, []).append(listener)
        try:
            return await self._once([content], transcribe, everything)
        finally:
            if listener is not None:
                self._listeners[content].remove(listener)
                if not self._listeners[content]:
                    del self._listeners[content]

    def _report(self, content: str) -> Listener:
        reached = _REACHED.get()  # (this runs in the transcribing task's context)

        def report(done: float, total: float) -> None:
            for position in reached:
                position[:] = [done, total]
            for listener in list(self._listeners.get(content, ())):
                try:
                    listener(done, total)
                except Exception:  # a chat that cannot be updated stops no transcription
                    logger.exception("a progress listener failed")

        return report

    async def _once(
        self,
        keys: list[str],
        make: Callable[[], Awaitable[StoredTranscript]],
        remember: list[str] | None = None,
    ) -> StoredTranscript:
        """The transcription stored under one of `keys`, else the one running for them,
        else `make()`'s, run once: requests for the same audio meanwhile wait for it.
        A stored one found is remembered under `remember` too."""
        found = await self._db.transcription(keys) if self._db is not None else None
        if found is not None:
            if remember and self._db is not None:
                await self._db.save_transcription(remember, found[0])
            return found[1]
        running = self._running(keys)  # after the await: a request started meanwhile is found
        if running is None:
            running = asyncio.ensure_future(self._claimed(keys, make))
            for key in keys:
                self._transcribing[key] = running
            running.add_done_callback(lambda done: self._forget(keys, done))
        # shielded: a request that gives up (its chat timed out) leaves it to the others
        return await asyncio.shield(running)

    async def _claimed(
        self, keys: list[str], make: Callable[[], Awaitable[StoredTranscript]]
    ) -> StoredTranscript:
        """`make()`'s transcription when no other instance on the database is making it
        (this one claims it); else the other's, waited for, its position told to this
        request's listener. A claim let go with nothing stored (the other failed) or left
        to run out (it stopped) is taken over here."""
        db = self._db
        if db is None:
            return await make()
        key, listener = keys[0], _LISTENER.get()
        while not await db.claim_transcription(key, self._instance, self._lease):
            logger.info("another instance is transcribing %s: waiting for it", key[:200])
            while (position := await db.transcription_claim(key)) is not None:
                if listener is not None and position[1] > 0:
                    try:
                        listener(*position)
                    except Exception:  # a chat that cannot be updated stops no waiting
                        logger.exception("a progress listener failed")
                await asyncio.sleep(self._progress_poll)
            found = await db.transcription(keys)
            if found is not None:
                return found[1]
        reached = [0.0, 0.0]
        token = _REACHED.set((*_REACHED.get(), reached))
        renewing = asyncio.ensure_future(self._renew(db, key, reached))
        try:
            return await make()
        finally:
            _REACHED.reset(token)
            renewing.cancel()
            try:
                await db.release_transcription_claim(key, self._instance)
            except Exception:  # the lease runs out instead
                logger.exception("could not let go of the claim on %s", key[:200])

    @property
    def _lease(self) -> timedelta:
        return max(CLAIM_LEASE, timedelta(seconds=6 * self._progress_poll))

    async def _renew(self, db: Database, key: str, reached: list[float]) -> None:
        """Keep this instance's claim on `key` alive, with the position reached."""
        while True:
            await asyncio.sleep(self._progress_poll)
            try:
                if not await db.renew_transcription_claim(
                    key, self._instance, self._lease, *reached
                ):
                    logger.warning("the claim on %s was taken over", key[:200])
            except Exception:  # a database that is away for a moment: try again next time
                logger.warning("could not renew the claim on %s", key[:200], exc_info=True)

    async def _ready(self, keys: list[str]) -> StoredTranscript | None:
        """The transcription stored under one of `keys`, or the one running for them."""
        found = await self._db.transcription(keys) if self._db is not None else None
        if found is not None:
            return found[1]
        running = self._running(keys)
        return None if running is None else await asyncio.shield(running)

    def _running(self, keys: list[str]) -> asyncio.Future[StoredTranscript] | None:
        return next((self._transcribing[k] for k in keys if k in self._transcribing), None)

    def _forget(self, keys: list[str], done: asyncio.Future[StoredTranscript]) -> None:
        for key in keys:
            if self._transcribing.get(key) is done:
                del self._transcribing[key]
        if not done.cancelled():
            done.exception()  # retrieved: a failure is each waiter's to report

    async def _transcribe_and_keep(
        self, audio: bytes | Path, source: str, keys: list[str], content: str
    ) -> StoredTranscript:
        transcript = await self._transcribe(audio, source, self._report(content))
        if self._db is not None:
            episode_id = await self._db.save_episode(transcript)
            await self._db.save_transcription(keys, episode_id)
        return transcript

    async def _transcribe(
        self, audio: bytes | Path, source: str, report: Listener
    ) -> StoredTranscript:
        name = Path(source).name if source not in {"", "-"} else "the audio"
        if isinstance(audio, bytes):  # (a download was held to it as it was written)
            check_audio_size(name, len(audio), self._max_audio_bytes)
        workers = self._workers
        if workers is None:
            seconds = await asyncio.to_thread(duration_of, audio, name)
        else:
            seconds = await workers.run(duration_of, audio, name)
        check_length(seconds, name, self._speech)
        if self._remote is not None:
            return await self._transcribe_remotely(audio, name, seconds, self._remote, report)
        where = tempfile.mkdtemp(prefix="podbrief-progress-")
        position = os.path.join(where, "done")
        watch = asyncio.ensure_future(_watch(position, seconds, report, self._progress_poll))
        try:
            job = (audio, name, self._speech, seconds, position)
            if workers is None:
                return await asyncio.to_thread(transcribed, *job)
            return await workers.run(transcribed, *job, limit=_job_limit(workers, seconds))
        finally:
            watch.cancel()
            shutil.rmtree(where, ignore_errors=True)

    async def _transcribe_remotely(
        self,
        audio: bytes | Path,
        name: str,
        seconds: float,
        remote: RemoteSpeech,
        report: Listener,
    ) -> StoredTranscript:
        """On a transcription server; decoding and cutting long audio run in a worker."""
        workers = self._workers

        async def cutter(audio: bytes | Path, name: str, most: float, where: str) -> object:
            if workers is None:
                return await asyncio.to_thread(cut, audio, name, most, where)
            return await workers.run(
                cut, audio, name, most, where, limit=_job_limit(workers, seconds)
            )

        transcript = await transcribe_remote(
            audio, name, remote, cutter=cutter, seconds=seconds, progress=report
        )
        check_usable(transcript)
        return StoredTranscript.of(transcript)

    async def youtube(self, video: str) -> StoredTranscript:
        """A YouTube video's captions, checked like any transcript."""
        transcript = await fetch_captions(video, self._youtube)
        check_usable(transcript)
        return StoredTranscript.of(transcript)

    async def parse_feed(self, data: bytes, url: str) -> Feed:
        """Parse a feed (in the worker pool when there is one, where its time is limited)."""
        if self._workers is None:
            return await parse_in_thread(data, url)
        return await self._workers.run(parse_feed, data, url)

    async def _recent_link(self, source: Source, options: SummaryOptions) -> Summarized | None:
        """A link summarized recently is answered from the cache without downloading it."""
        if not isinstance(source, LinkSource) or source.title_words or self._db is None:
            return None
        if self._link_cache_seconds <= 0:
            return None
        since = datetime.now(UTC) - timedelta(seconds=self._link_cache_seconds)
        recent = await self._db.recent_episode(source.url, since)
        if recent is None:
            return None
        episode_id, sha = recent
        summary = await self._db.cached_summary(self.summarizer.cache_key(sha, options))
        if summary is None:
            return None
        return Summarized(require_content(summary), episode_id, True)

    async def _resolve(
        self, source: Source
    ) -> tuple[StoredTranscript, int | None, tuple[str, ...]]:
        notes: tuple[str, ...] = ()
        if isinstance(source, EpisodeSource):
            found = await self._db.stored_episode(source.id) if self._db is not None else None
            if found is None:
                raise NoSuchEpisode(f"There is no episode {source.id}.")
            return found, source.id, notes
        if isinstance(source, FileSource):
            transcript = await self._from_file(source)
        elif isinstance(source, AudioSource):
            transcript = await self.audio(source.url, list(source.keys))
            transcript = transcript.renamed(title=source.title, show=source.show)
        elif isinstance(source, TextSource):
            transcript = await self.load(source.text.encode(), "pasted text")
            if source.link is not None:
                transcript = transcript.renamed(source=source.link)
        elif not source.title_words and (ready := await self._ready([f"url:{source.url}"])):
            # audio at this link was transcribed before: not downloaded again
            transcript = titled(ready, link_name(source.url), fallback=source.url)
        else:
            transcript, notes = await from_link(
                self.fetcher,
                source.url,
                self.load_fetched,
                source.title_words,
                self._sending,
                parse=self.parse_feed,
                audio=self.audio,
                youtube=self.youtube,
                apple_lookup=self._apple_lookup,
            )
        episode_id = await self._db.save_episode(transcript) if self._db is not None else None
        return transcript, episode_id, notes

    async def _from_file(self, file: FileSource) -> StoredTranscript:
        if file.data is not None:
            loaded = await self.load(file.data, file.name)
        elif file.path is not None:  # (the user's file: never removed)
            sha = await asyncio.to_thread(_file_sha256, file.path)
            loaded = await self._transcribed(file.path, file.name, [], sha)
        elif file.url is not None:  # (a chat platform's file: audio is written to disk)
            fetched = await self.fetcher.get(file.url, file.headers, audio=True)
            loaded = await self.load_fetched(fetched, file.name)
        else:
            raise TranscriptError(f"{file.name} has no content")
        transcript = titled(loaded, file.name)
        return transcript if file.link is None else transcript.renamed(source=file.link)

    async def _summary(
        self,
        transcript: StoredTranscript,
        episode_id: int | None,
        options: SummaryOptions,
        workspace: object,
    ) -> tuple[Summary, bool]:
        key = self.summarizer.cache_key(transcript.sha256, options)
        if self._db is not None:
            cached = await self._db.cached_summary(key)
            if cached is not None:
                return cached, True
        gate = self._gates.setdefault(workspace, asyncio.Semaphore(self._workspace_jobs))
        async with gate:
            job = self.summarizer.cpu_job()
            if job is not None and self._workers is not None:
                summary = await self._workers.run(_summary_job, job, transcript, options)
            else:  # an engine that waits on a server (or no workers): in this process
                words = transcript.built
                if words is None:  # tens of thousands of segments to build: in a thread
                    words = await asyncio.to_thread(transcript.transcript)
                summary = await self.summarizer.summarize(words, options)
        if self._db is not None and episode_id is not None:
            await self._db.store_summary(key, episode_id, summary)
        return summary, False
