"""Subscriptions and exactly-once digest deliveries.

A slot is claimed by inserting its delivery row; the unique (subscription, slot) key lets
only one instance win. A claim left by a crashed instance is taken over after a timeout
with a compare-and-set update, so again only one instance wins.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import IntEnum, StrEnum

from sqlalchemy import and_, delete, func, select, update
from sqlalchemy.exc import IntegrityError

from bot.storage.db import Database
from bot.storage.models import DeliveryRow, SubscriptionRow


class Status(StrEnum):
    """A delivery row's state."""

    CLAIMED = "claimed"
    POSTED = "posted"
    FAILED = "failed"


class Claim(IntEnum):
    """What `claim` did."""

    NOT_CLAIMED = 0  # someone else holds it
    CLAIMED_NEW = 1
    TAKEN_OVER = 2  # from an instance whose claim went stale


@dataclass(frozen=True)
class Subscription:
    id: int
    platform: str
    workspace: str | None
    channel: str
    feed_url: str
    schedule: str
    post_empty: bool
    created_by: str
    created_at: datetime
    feed_etag: str | None = None
    feed_last_modified: str | None = None


def _aware(value: datetime) -> datetime:
    """A stored time in UTC: SQLite gives times back without their zone."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _sub(row: SubscriptionRow) -> Subscription:
    created = _aware(row.created_at)
    return Subscription(
        row.id,
        row.platform,
        row.workspace,
        row.channel,
        row.feed_url,
        row.schedule,
        row.post_empty,
        row.created_by,
        created,
        row.feed_etag,
        row.feed_last_modified,
    )


class DigestStore:
    """The digest tables of a Database."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._session = db._session

    async def subscribe(
        self,
        *,
        platform: str,
        workspace: str | None,
        channel: str,
        feed_url: str,
        schedule: str,
        user: str,
        post_empty: bool = False,
    ) -> tuple[Subscription, bool]:
        """Add (or re-schedule) a channel's subscription; the flag says whether it is new."""
        async with self._session.begin() as session:
            row = await session.scalar(
                select(SubscriptionRow).where(
                    SubscriptionRow.platform == platform,
                    SubscriptionRow.channel == channel,
                    SubscriptionRow.feed_url == feed_url,
                )
            )
            created = row is None
            if row is None:
                row = SubscriptionRow(
                    platform=platform,
                    workspace=workspace,
                    channel=channel,
                    feed_url=feed_url,
                    schedule=schedule,
                    created_by=user,
                    post_empty=post_empty,
                )
                session.add(row)
            else:
                row.schedule, row.post_empty = schedule, post_empty
            await session.flush()
            return _sub(row), created

    async def set_validators(
        self, subscription_id: int, etag: str | None, last_modified: str | None
    ) -> None:
        """Remember the feed validators once a digest built from that feed was posted."""
        async with self._session.begin() as session:
            await session.execute(
                update(SubscriptionRow)
                .where(SubscriptionRow.id == subscription_id)
                .values(feed_etag=etag, feed_last_modified=last_modified)
            )

    async def unsubscribe(self, platform: str, channel: str, feed_or_id: str | int) -> int:
        """Remove by feed URL (a str) or id (an int) within a channel; returns how many were
        removed."""
        if isinstance(feed_or_id, int):
            condition = SubscriptionRow.id == feed_or_id
        else:
            condition = SubscriptionRow.feed_url == feed_or_id
        async with self._session.begin() as session:
            result = await session.execute(
                delete(SubscriptionRow).where(
                    SubscriptionRow.platform == platform,
                    SubscriptionRow.channel == channel,
                    condition,
                )
            )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def subscriptions(
        self,
        platform: str | None = None,
        channel: str | None = None,
        schedule: str | None = None,
    ) -> list[Subscription]:
        query = select(SubscriptionRow).order_by(SubscriptionRow.id)
        if schedule is not None:
            query = query.where(SubscriptionRow.schedule == schedule)
        if platform is not None:
            query = query.where(SubscriptionRow.platform == platform)
        if channel is not None:
            query = query.where(SubscriptionRow.channel == channel)
        async with self._session() as session:
            return [_sub(r) for r in (await session.scalars(query)).all()]

    async def claim(
        self,
        subscription_id: int,
        slot: str,
        instance: str,
        *,
        stale_after: timedelta,
        now: datetime | None = None,
    ) -> Claim:
        """Claim a slot for `instance`; exactly one caller per (subscription, slot) gets it,
        crashed claims aside. Returns NOT_CLAIMED (someone else holds it), CLAIMED_NEW, or
        TAKEN_OVER from an instance whose claim went stale (it may have posted before it
        stopped)."""
        now = now or datetime.now(UTC)
        try:
            async with self._session.begin() as session:
                session.add(
                    DeliveryRow(
                        subscription_id=subscription_id,
                        slot=slot,
                        status=Status.CLAIMED,
                        claimed_by=instance,
                        claimed_at=now,
                        attempts=1,
                    )
                )
            return Claim.CLAIMED_NEW
        except IntegrityError:
            pass
        # someone holds it: take it over only if their claim is stale (compare and set)
        async with self._session.begin() as session:
            result = await session.execute(
                update(DeliveryRow)
                .where(
                    and_(
                        DeliveryRow.subscription_id == subscription_id,
                        DeliveryRow.slot == slot,
                        DeliveryRow.status == Status.CLAIMED,
                        DeliveryRow.claimed_at < now - stale_after,
                    )
                )
                .values(claimed_by=instance, claimed_at=now, attempts=DeliveryRow.attempts + 1)
            )
        return Claim.TAKEN_OVER if result.rowcount else Claim.NOT_CLAIMED  # type: ignore[attr-defined]

    async def plan(self, subscription_id: int, slot: str, instance: str, guids: list[str]) -> bool:
        """Note, before posting, the feed items the digest will cover (the holder only);
        `finish` keeps them, and an instance that takes the slot over finds them there."""
        return await self._update_held(
            subscription_id, slot, instance, episode_guids=json.dumps(guids)
        )

    async def finish(
        self,
        subscription_id: int,
        slot: str,
        instance: str,
        *,
        message_ids: list[str] | None = None,
        error: str | None = None,
        now: datetime | None = None,
        episode_guids: list[str] | None = None,
    ) -> bool:
        """Record the outcome; only the instance holding the claim may (False otherwise).

        A posted digest covered `episode_guids` (never posted again); None keeps what
        `plan` noted (none if nothing was planned).
        """
        guids: object = None
        if not error:
            guids = (
                json.dumps(episode_guids)
                if episode_guids is not None
                else func.coalesce(DeliveryRow.episode_guids, "[]")
            )
        return await self._update_held(
            subscription_id,
            slot,
            instance,
            status=Status.FAILED if error else Status.POSTED,
            error=error,
            message_ids=json.dumps(message_ids or []),
            episode_guids=guids,
            finished_at=now or datetime.now(UTC),
        )

    async def renew(
        self, subscription_id: int, slot: str, instance: str, now: datetime | None = None
    ) -> bool:
        """Keep a claim fresh while its digest is built (the heartbeat); False when the
        claim is no longer this instance's (it went stale and was taken over)."""
        return await self._update_held(
            subscription_id, slot, instance, claimed_at=now or datetime.now(UTC)
        )

    async def stale_claims(
        self, stale_after: timedelta, now: datetime | None = None
    ) -> list[tuple[int, str]]:
        """(subscription id, slot) of claims left unfinished for longer than `stale_after`:
        their holder stopped. Oldest first."""
        now = now or datetime.now(UTC)
        async with self._session() as session:
            rows = (
                await session.execute(
                    select(DeliveryRow.subscription_id, DeliveryRow.slot)
                    .where(
                        DeliveryRow.status == Status.CLAIMED,
                        DeliveryRow.claimed_at < now - stale_after,
                    )
                    .order_by(DeliveryRow.claimed_at)
                )
            ).all()
        return [(int(r[0]), str(r[1])) for r in rows]

    async def _update_held(
        self, subscription_id: int, slot: str, instance: str, **values: object
    ) -> bool:
        """Update a slot's row only while `instance` holds its claim (False otherwise)."""
        async with self._session.begin() as session:
            result = await session.execute(
                update(DeliveryRow)
                .where(
                    DeliveryRow.subscription_id == subscription_id,
                    DeliveryRow.slot == slot,
                    DeliveryRow.claimed_by == instance,
                    DeliveryRow.status == Status.CLAIMED,
                )
                .values(**values)
            )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def deliveries(self, subscription_id: int) -> list[tuple[str, str, int]]:
        """(slot, status, attempts) in slot order."""
        async with self._session() as session:
            rows = (
                await session.execute(
                    select(DeliveryRow.slot, DeliveryRow.status, DeliveryRow.attempts)
                    .where(DeliveryRow.subscription_id == subscription_id)
                    .order_by(DeliveryRow.slot)
                )
            ).all()
        return [(r[0], r[1], r[2]) for r in rows]

    async def last_posted_at(self, subscription_id: int) -> datetime | None:
        """When the newest posted (or found empty) digest of a subscription was finished."""
        async with self._session() as session:
            value = await session.scalar(
                select(DeliveryRow.finished_at)
                .where(
                    DeliveryRow.subscription_id == subscription_id,
                    DeliveryRow.status == Status.POSTED,
                )
                .order_by(DeliveryRow.finished_at.desc())
                .limit(1)
            )
        return _aware(value) if value is not None else None

    async def delivered(self, subscription_id: int) -> tuple[set[str], datetime | None]:
        """The feed items posted digests covered, and the newest time of a posted digest
        that predates that record (migration 0004): items published before it count as
        covered too."""
        async with self._session() as session:
            rows = (
                await session.execute(
                    select(DeliveryRow.episode_guids, DeliveryRow.finished_at).where(
                        DeliveryRow.subscription_id == subscription_id,
                        DeliveryRow.status == Status.POSTED,
                    )
                )
            ).all()
        guids: set[str] = set()
        legacy: datetime | None = None
        for recorded, finished in rows:
            if recorded is not None:
                guids.update(json.loads(recorded))
            elif finished is not None:
                finished = _aware(finished)
                legacy = finished if legacy is None else max(legacy, finished)
        return guids, legacy

    async def failed_slots(self, subscription_id: int, after: datetime | None) -> list[str]:
        """Slots that failed since `after` (reported in the next digest)."""
        query = select(DeliveryRow.slot).where(
            DeliveryRow.subscription_id == subscription_id, DeliveryRow.status == Status.FAILED
        )
        if after is not None:
            query = query.where(DeliveryRow.finished_at > after)
        async with self._session() as session:
            return list((await session.scalars(query.order_by(DeliveryRow.slot))).all())
