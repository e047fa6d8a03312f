"""Shared helpers for the llm tests (and the log-secrecy tests that drive the same app)."""

from __future__ import annotations

import asyncio
from typing import Any

from summarizers.base import SummaryOptions
from summarizers.llm import LLMConfig, LLMSummarizer
from summarizers.model import Summary, Transcript
from tests.support.data import EXAMPLES
from tests.support.fakes.openai_server import FakeOpenAI

EXAMPLE = EXAMPLES / "repair-cafe.txt"
FALLBACK = "was unavailable"


def run(
    mode: str, transcript: Transcript, options: SummaryOptions | None = None, **config: Any
) -> tuple[Summary, FakeOpenAI]:
    async def go() -> tuple[Summary, FakeOpenAI]:
        server = await FakeOpenAI(mode=mode, **config.pop("server", {})).start()
        engine = LLMSummarizer(
            LLMConfig(
                **{
                    "model": "fake-model",
                    "base_url": server.base_url,
                    "api_key": "test-key",
                    "timeout": 5.0,
                    "retries": 2,
                    **config,
                }
            )
        )
        try:
            return await engine.summarize(transcript, options or SummaryOptions()), server
        finally:
            await engine.aclose()
            await server.stop()

    return asyncio.run(go())


def assert_quotes_verbatim(summary: Summary, transcript: Transcript) -> None:
    for q in summary.quotes:
        assert q.verbatim in transcript.text
        assert transcript.text[q.span[0] : q.span[1]] == q.verbatim
        assert q.start_seconds is not None
        assert q.speaker is not None
