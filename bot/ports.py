"""The seams between the core and what plugs into it, one name per operation.

Chat platforms implement `Adapter` and its outbound `Messenger`; engines implement
`Summarizer`; adapters keep what they need in the database through `ChatStore` (and never
reach into the service's own objects).
"""

from __future__ import annotations

from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.messages import Destination, Reply
from bot.storage.db import EpisodeInfo
from summarizers.base import Summarizer

__all__ = ["Adapter", "ChatStore", "EpisodeIndex", "Messenger", "Summarizer"]


class Messenger(Protocol):
    """A platform's outbound port: what digests (and other unprompted posts) go through."""

    async def post(self, destination: Destination, reply: Reply) -> list[str]:
        """Post `reply`; the platform's ids of the messages it became. A reply's marker
        rides on its first message, so `find` can see it later."""
        ...

    async def find(self, destination: Destination, marker: str) -> list[str]:
        """Ids of a message posted earlier with that marker; empty when there is none (a
        digest whose post outcome was lost is found instead of posted twice)."""
        ...


class Adapter(Protocol):
    """A chat platform: `run()` serves until `stop()` (the console: until input ends)."""

    name: str

    @property
    def messenger(self) -> Messenger: ...

    async def run(self) -> None: ...

    async def stop(self) -> None:
        """Stop taking new commands; `run()` then returns once in-flight replies are done."""
        ...


class EpisodeIndex(Protocol):
    """The stored episodes, searched by title (`episodes`, Discord's autocomplete)."""

    async def find_episodes(self, words: str = "", limit: int = 10) -> list[EpisodeInfo]:
        """Stored episodes whose title has the words, newest first."""
        ...


class ChatStore(EpisodeIndex, Protocol):
    """What adapters keep in the bot's database."""

    @property
    def engine(self) -> AsyncEngine:
        """For SDK stores that keep their own tables (Slack's OAuth installations)."""
        ...

    async def first_delivery(self, key: str) -> bool:
        """True the first time an event key is seen (platform retries are dropped)."""
        ...
