"""LLM engine cost against the local OpenAI-compatible server (which counts tokens).

Usage: python -m bench.llm_cost [--chunk-tokens 8000]
For the seed interview and the longest seenunseen episode: calls, prompt and completion
tokens, the ratio of prompt tokens to transcript tokens, and the budget the issue sets
(prompt tokens < 1.3 x transcript tokens + 2,000 per call). Tokens are counted with the
same safe estimate on both sides (tiktoken's tables cannot be downloaded here).
"""

from __future__ import annotations

import argparse
import asyncio
import time

from bench.common import SEED, SEENUNSEEN, require_corpus
from bot.sources.readers import load_path
from summarizers.base import SummaryOptions
from summarizers.llm import LLMConfig, LLMSummarizer
from summarizers.model import RawSegment, Transcript
from summarizers.tokens import estimate_tokens
from tests.support.fakes.openai_server import FakeOpenAI


async def measure(name: str, transcript: Transcript, chunk_tokens: int) -> None:
    server = await FakeOpenAI().start()
    engine = LLMSummarizer(
        LLMConfig(
            model="bench-model",
            base_url=server.base_url,
            api_key="bench",
            chunk_tokens=chunk_tokens,
        )
    )
    start = time.perf_counter()
    try:
        summary = await engine.summarize(transcript, SummaryOptions())
    finally:
        await engine.aclose()
        await server.stop()
    seconds = time.perf_counter() - start
    tokens = estimate_tokens(transcript.text)
    calls = len(server.requests)
    budget = 1.3 * tokens + 2000 * calls
    verbatim = sum(q.verbatim in transcript.text for q in summary.quotes)
    hours = (transcript.duration_seconds or 0) / 3600
    print(
        f"{name:<16} {hours:5.2f} h {tokens:>8} {calls:>5} {server.prompt_tokens:>8} "
        f"{server.completion_tokens:>6} {server.prompt_tokens / tokens:>6.2f} "
        f"{'ok' if server.prompt_tokens < budget else 'OVER':>6} "
        f"{verbatim}/{len(summary.quotes):<4} {summary.engine:<10} {seconds:5.2f} s"
    )


async def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--chunk-tokens", type=int, default=8000)
    args = ap.parse_args()
    require_corpus()
    longest = max(SEENUNSEEN.glob("*.vtt"), key=lambda p: load_path(p).word_count)
    print(
        f"{'input':<16} {'length':>7} {'tokens':>8} {'calls':>5} {'prompt':>8} "
        f"{'compl.':>6} {'ratio':>6} {'budget':>6} verbatim engine     time"
    )
    await measure("seed", load_path(SEED), args.chunk_tokens)
    await measure(f"longest ({longest.stem})", load_path(longest), args.chunk_tokens)
    await measure("3 h (joined)", three_hours(), args.chunk_tokens)


def three_hours() -> Transcript:
    """The two longest episodes joined and cut at three hours: a 3-hour episode."""
    episodes = sorted(SEENUNSEEN.glob("*.vtt"), key=lambda p: -load_path(p).word_count)[:2]
    parts: list[RawSegment] = []
    shift = 0.0
    for path in episodes:
        t = load_path(path)
        parts += [
            RawSegment(s.text, (s.start or 0) + shift, (s.end or 0) + shift, s.speaker)
            for s in t.segments
            if (s.start or 0) + shift < 3 * 3600
        ]
        shift += t.duration_seconds or 0
    return Transcript.build(parts, title="three hours", source="joined")


if __name__ == "__main__":
    asyncio.run(main())
