"""The seam between the bot and any summarizer engine."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from pydantic import BaseModel, ConfigDict, Field

from summarizers.model import Summary, Transcript


class SummaryOptions(BaseModel):
    """What the user may choose about a summary."""

    model_config = ConfigDict(frozen=True)

    takeaways: int = Field(6, ge=3, le=10)
    quotes: int = Field(4, ge=1, le=8)


class Summarizer(Protocol):
    """An engine: `name` and `model` identify it in cache keys and in the output."""

    name: str
    model: str | None

    def cache_key(self, transcript_sha256: str, options: SummaryOptions) -> str:
        """Results for the same transcript hash, engine, model and options are reused."""
        ...

    async def summarize(self, transcript: Transcript, options: SummaryOptions) -> Summary: ...

    def cpu_job(self) -> Callable[[Transcript, SummaryOptions], Summary] | None:
        """A picklable function that does the whole summary on the CPU, for a worker
        process; None for an engine that mostly waits on a server."""
        ...

    async def aclose(self) -> None:
        """Release the engine's clients (a no-op for engines that hold none)."""
        ...
