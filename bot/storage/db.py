"""The database: an async SQLAlchemy engine, migrations, and the queries the bot needs."""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import URL, Connection, delete, or_, select, text, update
from sqlalchemy.exc import IntegrityError, InterfaceError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine

from bot.errors import UserError
from bot.sources.stored import StoredTranscript, from_stored
from bot.storage.models import (
    EpisodeRow,
    SeenEventRow,
    SummaryRow,
    TranscriptionClaimRow,
    TranscriptionRow,
    utcnow,
)
from summarizers.model import Summary, Transcript

MIGRATIONS = Path(__file__).parent / "migrations"
SWEEP_SECONDS = 60.0  # how often an instance deletes expired event keys
MIGRATION_LOCK = 0x706F6462  # the advisory lock key instances migrate under ("podb")


def async_url(url: str) -> str:
    """Give a plain database URL its async driver (aiosqlite, psycopg)."""
    for plain, driver in (
        ("sqlite://", "sqlite+aiosqlite://"),
        ("postgresql://", "postgresql+psycopg://"),
        ("postgres://", "postgresql+psycopg://"),
    ):
        if url.startswith(plain):
            return driver + url[len(plain) :]
    return url


@dataclass(frozen=True)
class EpisodeInfo:
    """An episode as listed by `episodes`."""

    id: int
    title: str | None
    show: str | None
    source: str
    created_at: datetime


class Database:
    """Episodes and cached summaries; every method is safe to call from several instances."""

    def __init__(self, url: str, **engine_args: Any) -> None:
        self.engine: AsyncEngine = create_async_engine(async_url(url), **engine_args)
        self._session = async_sessionmaker(self.engine, expire_on_commit=False)
        self._next_sweep = 0.0  # time.monotonic() of the next sweep of expired event keys

    async def upgrade(self) -> None:
        """Apply every Alembic migration not yet applied (`podbrief db upgrade`).

        Safe when several instances start together on a new database: they take turns, on
        Postgres by a transaction-scoped advisory lock, on SQLite by an exclusive
        transaction; whoever comes second finds the schema made. A database that cannot be
        reached is a UserError of one line (the password left out).
        """
        url = self.engine.url
        if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
            folder = Path(url.database or "").parent
            if not folder.is_dir():
                raise UserError(unreachable(url, f"the folder {folder} does not exist"))
        try:
            async with self.engine.connect() as conn:
                if conn.dialect.name == "postgresql":
                    await conn.execute(
                        text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK}
                    )
                elif conn.dialect.name == "sqlite":
                    await conn.exec_driver_sql("BEGIN EXCLUSIVE")
                await conn.run_sync(_upgrade)
                await conn.commit()
        except (OperationalError, InterfaceError) as exc:
            raise UserError(unreachable(url, exc)) from None

    async def close(self) -> None:
        await self.engine.dispose()

    async def save_episode(self, episode: Transcript | StoredTranscript) -> int:
        """Store a transcript once (by its hash) and return the episode id."""
        if isinstance(episode, Transcript):
            episode = StoredTranscript.of(episode)
        existing = await self._episode_id(episode.sha256)
        if existing is not None:
            if episode.title is not None:  # stored untitled (audio, transcribed first): named
                async with self._session.begin() as session:
                    await session.execute(
                        update(EpisodeRow)
                        .where(EpisodeRow.id == existing, EpisodeRow.title.is_(None))
                        .values(title=episode.title, show=episode.show)
                    )
            return existing
        row = EpisodeRow(
            transcript_sha256=episode.sha256,
            source=episode.source,
            title=episode.title,
            show=episode.show,
            format=episode.format,
            transcript_json=episode.stored,
        )
        try:
            async with self._session.begin() as session:
                session.add(row)
            return row.id
        except IntegrityError:  # another instance stored it first
            found = await self._episode_id(episode.sha256)
            assert found is not None
            return found

    async def _episode_row(self, episode_id: int) -> EpisodeRow | None:
        async with self._session() as session:
            return await session.get(EpisodeRow, episode_id)

    async def _episode_id(self, sha256: str) -> int | None:
        async with self._session() as session:
            return await session.scalar(
                select(EpisodeRow.id).where(EpisodeRow.transcript_sha256 == sha256)
            )

    async def recent_episode(self, source: str, since: datetime) -> tuple[int, str] | None:
        """(id, transcript hash) of the newest episode loaded from `source` after `since`."""
        async with self._session() as session:
            row = (
                await session.execute(
                    select(EpisodeRow.id, EpisodeRow.transcript_sha256)
                    .where(EpisodeRow.source == source, EpisodeRow.created_at >= since)
                    .order_by(EpisodeRow.id.desc())
                    .limit(1)
                )
            ).first()
        return (row[0], row[1]) if row else None

    async def episode(self, episode_id: int) -> Transcript | None:
        row = await self._episode_row(episode_id)
        if row is None:
            return None
        # a long transcript is tens of thousands of segments to build: off the event loop
        return await asyncio.to_thread(
            from_stored,
            row.transcript_json,
            title=row.title,
            show=row.show,
            source=row.source,
            format=row.format,
        )

    async def stored_episode(self, episode_id: int) -> StoredTranscript | None:
        """A stored episode as the bot holds it (its segments are not built here)."""
        row = await self._episode_row(episode_id)
        if row is None:
            return None
        words, transcribed_by = await asyncio.to_thread(_words_of, row.transcript_json)
        return StoredTranscript(
            stored=row.transcript_json,
            sha256=row.transcript_sha256,
            word_count=words,
            title=row.title,
            show=row.show,
            source=row.source,
            format=row.format,
            transcribed_by=transcribed_by,
        )

    async def transcription(self, keys: list[str]) -> tuple[int, StoredTranscript] | None:
        """The episode an audio file was transcribed into, found by any of its keys (its
        address, its feed GUID, its content hash)."""
        if not keys:
            return None
        async with self._session() as session:
            episode_id = await session.scalar(
                select(TranscriptionRow.episode_id)
                .where(TranscriptionRow.key_sha256.in_([_key_hash(k) for k in keys]))
                .limit(1)
            )
        if episode_id is None:
            return None
        stored = await self.stored_episode(episode_id)
        return None if stored is None else (episode_id, stored)

    async def save_transcription(self, keys: list[str], episode_id: int) -> None:
        """Remember which episode these keys' audio became (keys known already are kept)."""
        for key in dict.fromkeys(keys):
            try:
                async with self._session.begin() as session:
                    session.add(
                        TranscriptionRow(key_sha256=_key_hash(key), key=key, episode_id=episode_id)
                    )
            except IntegrityError:  # this instance or another stored it already
                pass

    async def claim_transcription(self, key: str, owner: str, lease: timedelta) -> bool:
        """True when `owner` may transcribe the audio `key` names, for `lease` unless it
        renews the claim: no instance holds it, or its holder's lease ran out (it stopped
        without letting go). False while another instance holds it."""
        now = utcnow()
        digest = _key_hash(key)
        try:
            async with self._session.begin() as session:
                session.add(
                    TranscriptionClaimRow(
                        key_sha256=digest,
                        key=key,
                        owner=owner,
                        expires_at=now + lease,
                        done=0.0,
                        total=0.0,
                    )
                )
            return True
        except IntegrityError:
            pass
        async with self._session.begin() as session:  # compare and set: one takes it over
            taken = await session.execute(
                update(TranscriptionClaimRow)
                .where(
                    TranscriptionClaimRow.key_sha256 == digest,
                    TranscriptionClaimRow.expires_at < now,
                )
                .values(owner=owner, expires_at=now + lease, done=0.0, total=0.0)
            )
        return bool(taken.rowcount)  # type: ignore[attr-defined]

    async def renew_transcription_claim(
        self, key: str, owner: str, lease: timedelta, done: float, total: float
    ) -> bool:
        """Extend `owner`'s claim and record the position reached; False if it lost it."""
        async with self._session.begin() as session:
            renewed = await session.execute(
                update(TranscriptionClaimRow)
                .where(
                    TranscriptionClaimRow.key_sha256 == _key_hash(key),
                    TranscriptionClaimRow.owner == owner,
                )
                .values(expires_at=utcnow() + lease, done=done, total=total)
            )
        return bool(renewed.rowcount)  # type: ignore[attr-defined]

    async def release_transcription_claim(self, key: str, owner: str) -> None:
        async with self._session.begin() as session:
            await session.execute(
                delete(TranscriptionClaimRow).where(
                    TranscriptionClaimRow.key_sha256 == _key_hash(key),
                    TranscriptionClaimRow.owner == owner,
                )
            )

    async def transcription_claim(self, key: str) -> tuple[float, float] | None:
        """(seconds transcribed, seconds in all) of the audio `key` names by the instance
        transcribing it now, or None when no instance holds a live claim on it."""
        async with self._session() as session:
            row = (
                await session.execute(
                    select(TranscriptionClaimRow.done, TranscriptionClaimRow.total).where(
                        TranscriptionClaimRow.key_sha256 == _key_hash(key),
                        TranscriptionClaimRow.expires_at >= utcnow(),
                    )
                )
            ).first()
        return None if row is None else (float(row[0]), float(row[1]))

    async def find_episodes(self, words: str = "", limit: int = 10) -> list[EpisodeInfo]:
        """Newest first; every search word must appear in the title, show or source."""
        query = select(EpisodeRow).order_by(EpisodeRow.id.desc()).limit(limit)
        for word in words.split():  # "%" and "_" are the user's characters, not wildcards
            query = query.where(
                or_(
                    EpisodeRow.title.icontains(word, autoescape=True),
                    EpisodeRow.show.icontains(word, autoescape=True),
                    EpisodeRow.source.icontains(word, autoescape=True),
                )
            )
        async with self._session() as session:
            rows = (await session.scalars(query)).all()
        return [EpisodeInfo(r.id, r.title, r.show, r.source, r.created_at) for r in rows]

    async def cached_summary(self, cache_key: str) -> Summary | None:
        async with self._session() as session:
            text = await session.scalar(
                select(SummaryRow.summary_json).where(SummaryRow.cache_key == cache_key)
            )
        return Summary.model_validate_json(text) if text else None

    async def store_summary(self, cache_key: str, episode_id: int, summary: Summary) -> None:
        """Cache a summary; a concurrent store of the same key keeps the first."""
        row = SummaryRow(
            cache_key=cache_key,
            episode_id=episode_id,
            engine=summary.engine,
            model=summary.model,
            summary_json=summary.model_dump_json(),
        )
        try:
            async with self._session.begin() as session:
                session.add(row)
        except IntegrityError:
            pass

    async def first_delivery(self, key: str, keep: timedelta = timedelta(hours=2)) -> bool:
        """True the first time an event key is seen (by any instance), False after: Slack
        redelivers an event for up to about an hour when it thinks one was missed. Keys
        are kept for `keep`, then forgotten; expired keys are swept at most once every
        SWEEP_SECONDS per instance, not on every event."""
        key = key[:255]
        now = utcnow()
        if time.monotonic() >= self._next_sweep:
            self._next_sweep = time.monotonic() + SWEEP_SECONDS
            async with self._session.begin() as session:
                await session.execute(delete(SeenEventRow).where(SeenEventRow.seen_at < now - keep))
        try:
            async with self._session.begin() as session:
                session.add(SeenEventRow(key=key))
            return True
        except IntegrityError:
            pass
        # seen before, but perhaps so long ago that it is forgotten and not yet swept: the
        # instance whose UPDATE renews it is the first (a renewed key no longer matches)
        async with self._session.begin() as session:
            renewed = await session.execute(
                update(SeenEventRow)
                .where(SeenEventRow.key == key, SeenEventRow.seen_at < now - keep)
                .values(seen_at=now)
            )
        return bool(renewed.rowcount)  # type: ignore[attr-defined]


def _key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def unreachable(url: URL, problem: Exception | str) -> str:
    """One line for a database that refused or could not be reached: where (no password),
    the driver's reason, and what to check."""
    reason = str(getattr(problem, "orig", None) or problem).strip().splitlines()
    first = reason[0] if reason else type(problem).__name__
    where = url.render_as_string(hide_password=True)
    if url.get_backend_name() == "sqlite":
        check = "the file's path, and that its folder exists and is writable"
    else:
        check = "host, port, user, password, database name, and that the server is running"
    return f"cannot use the database {where}: {first[:300]}; check DATABASE_URL ({check})"


def _upgrade(connection: Connection) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


def _words_of(stored: str) -> tuple[int, str | None]:
    """The word count and the speech-to-text engine of a stored transcript."""
    data = json.loads(stored)
    return len(data["text"].split()), data.get("transcribed_by")
