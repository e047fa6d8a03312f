"""Tables (changes go through an Alembic migration in bot/storage/migrations)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    pass


class EpisodeRow(Base):
    """A transcript someone summarized; found again by its hash or its id."""

    __tablename__ = "episodes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    transcript_sha256: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    source: Mapped[str] = mapped_column(Text)
    title: Mapped[str | None] = mapped_column(Text)
    show: Mapped[str | None] = mapped_column(Text)
    format: Mapped[str] = mapped_column(String(16))
    transcript_json: Mapped[str] = mapped_column(Text)  # segments, to rebuild the Transcript
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SummaryRow(Base):
    """A summary cached under its engine's cache key: a repeat request runs no summarizer."""

    __tablename__ = "summaries"
    __table_args__ = (UniqueConstraint("cache_key", name="uq_summaries_cache_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cache_key: Mapped[str] = mapped_column(String(255))
    episode_id: Mapped[int] = mapped_column(
        ForeignKey("episodes.id", ondelete="CASCADE"), index=True
    )
    engine: Mapped[str] = mapped_column(String(32))
    model: Mapped[str | None] = mapped_column(String(255))
    summary_json: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class TranscriptionRow(Base):
    """An audio file transcribed once: its address, feed GUID or content hash (each a key,
    stored by its hash so any length fits the index) names the episode it became."""

    __tablename__ = "transcriptions"

    key_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    key: Mapped[str] = mapped_column(Text)
    episode_id: Mapped[int] = mapped_column(
        ForeignKey("episodes.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class TranscriptionClaimRow(Base):
    """Audio one instance is transcribing now: a lease it renews (with the position it has
    reached) so that the other instances on the database wait for its transcription."""

    __tablename__ = "transcription_claims"

    key_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    key: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(128))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    done: Mapped[float] = mapped_column(Float, default=0.0)  # seconds of audio transcribed
    total: Mapped[float] = mapped_column(Float, default=0.0)  # seconds of audio in all


class SubscriptionRow(Base):
    """A channel following a feed on a schedule; the source of truth for digest jobs."""

    __tablename__ = "subscriptions"
    __table_args__ = (
        UniqueConstraint("platform", "channel", "feed_url", name="uq_subscription_feed"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    workspace: Mapped[str | None] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(64))
    feed_url: Mapped[str] = mapped_column(Text)
    schedule: Mapped[str] = mapped_column(String(200))  # Schedule.spec()
    post_empty: Mapped[bool] = mapped_column(Boolean, default=False)
    created_by: Mapped[str] = mapped_column(String(64))
    feed_etag: Mapped[str | None] = mapped_column(Text)  # validators of the last feed
    feed_last_modified: Mapped[str | None] = mapped_column(Text)  # this channel was sent
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class DeliveryRow(Base):
    """One digest slot of one subscription: inserting it is the claim (unique)."""

    __tablename__ = "deliveries"
    __table_args__ = (UniqueConstraint("subscription_id", "slot", name="uq_delivery_slot"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    subscription_id: Mapped[int] = mapped_column(ForeignKey("subscriptions.id", ondelete="CASCADE"))
    slot: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))  # claimed | posted | failed
    claimed_by: Mapped[str] = mapped_column(String(128))
    claimed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    message_ids: Mapped[str | None] = mapped_column(Text)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    error: Mapped[str | None] = mapped_column(Text)
    # JSON list of the feed items (guids) this digest covered; NULL on rows made before 0004
    episode_guids: Mapped[str | None] = mapped_column(Text)


class SeenEventRow(Base):
    """A platform event already handled (Slack redelivers one it thinks was missed)."""

    __tablename__ = "seen_events"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
