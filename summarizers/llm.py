"""The LLM engine: map-reduce over an OpenAI-compatible server, quotes proven verbatim.

The model sees the cleaned transcript as numbered units and answers with unit ids. Quotes
are rendered from those ids (or aligned to the transcript when a server sends text) and
never taken from the model's words. Takeaways must cite units from across the episode.
Any failure ends in the extractive summary with a note saying the model was unavailable.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import Literal, TypeVar

import openai
from pydantic import BaseModel

from summarizers.base import SummaryOptions
from summarizers.clean import Unit, clean
from summarizers.extractive import ExtractiveSummarizer
from summarizers.llm_plan import coverage_fifths, fifths_hit, fill_takeaways, plan_chunks
from summarizers.llm_prompt import (
    MAP_SYSTEM,
    PROMPT_VERSION,
    REDUCE_SYSTEM,
    MapAnswer,
    ReduceAnswer,
    map_user,
    reduce_user,
    unit_lines,
)
from summarizers.model import (
    Quote,
    Summary,
    Takeaway,
    Topic,
    Transcript,
    Usage,
    round_seconds,
)
from summarizers.tokens import counter_for
from summarizers.verify import QuoteSpan, align, span_from_ids

logger = logging.getLogger(__name__)
ENGINE = "llm"
A = TypeVar("A", bound=BaseModel)
LONG_EPISODE_SECONDS = 20 * 60
LONG_EPISODE_WORDS = 3000  # about 20 minutes of speech, for transcripts without times


@dataclass(frozen=True)
class LLMConfig:
    """How to reach the model; `base_url` points at any OpenAI-compatible server."""

    model: str = "gpt-4o-mini"
    base_url: str | None = None
    api_key: str | None = field(default=None, repr=False)  # never in a log or a traceback
    timeout: float = 60.0
    retries: int = 2
    parallel: int = 4
    chunk_tokens: int = 8000
    structured: Literal["auto", "schema", "json"] = "auto"


class Unusable(Exception):
    """The model answered, but nothing usable came back."""


class _TooLong(Exception):
    """The answer hit the length limit: the chunk must shrink."""


class LLMSummarizer:
    """Abstractive takeaways from a model, verbatim quotes from the transcript."""

    name = ENGINE

    def __init__(self, config: LLMConfig, client: openai.AsyncOpenAI | None = None) -> None:
        self.config = config
        self.model: str | None = config.model
        self._client = client or openai.AsyncOpenAI(
            api_key=config.api_key or "no-key",
            base_url=config.base_url,
            timeout=config.timeout,
            max_retries=config.retries,
        )
        self._schema: bool | None = {"schema": True, "json": False}.get(config.structured)
        self._count = counter_for(config.model)
        self._fallback = ExtractiveSummarizer()

    def cache_key(self, transcript_sha256: str, options: SummaryOptions) -> str:
        c = self.config
        return (
            f"{transcript_sha256}:{ENGINE}:{c.model}:p{PROMPT_VERSION}:"
            f"{options.takeaways}:{options.quotes}:{c.chunk_tokens}"
        )

    async def aclose(self) -> None:
        await self._client.close()

    def cpu_job(self) -> None:
        """The model's server does the work: nothing for a worker process."""
        return None

    async def summarize(self, transcript: Transcript, options: SummaryOptions) -> Summary:
        usage = Usage(model=self.config.model)
        extractive = await asyncio.to_thread(
            self._fallback.run, transcript, SummaryOptions(takeaways=10, quotes=8)
        )
        try:
            return await self._summarize(transcript, options, usage, extractive)
        except (openai.APIError, Unusable) as exc:
            reason = _reason(exc)
            logger.warning("LLM engine fell back to extractive: %s", reason)
            fallback = await asyncio.to_thread(self._fallback.run, transcript, options)
            note = (
                f"The model {self.config.model} was unavailable ({reason}); "
                "this is the offline extractive summary."
            )
            return fallback.model_copy(update={"notes": (*fallback.notes, note), "usage": usage})

    async def _summarize(
        self, transcript: Transcript, options: SummaryOptions, usage: Usage, extractive: Summary
    ) -> Summary:
        units = clean(transcript)
        if not units:
            raise Unusable("the transcript has no sentences")
        gate = asyncio.Semaphore(max(1, self.config.parallel))
        chunks = plan_chunks(units, self.config.chunk_tokens, self._count)
        sections = _sections(units, extractive.topics)
        whole = sections if len(chunks) == 1 else None  # one part: its map titles them
        answers = await asyncio.gather(
            *(self._map(units, lo, hi, options, usage, gate, whole) for lo, hi in chunks)
        )
        candidates = [(t.text, t.unit_ids) for a in answers for t in a.takeaways]
        quotes = _dedupe([q for a in answers for q in _quote_spans(units, a)])
        if not candidates:
            raise Unusable("no takeaway cited the transcript")
        if len(chunks) == 1:
            final = ReduceAnswer(
                takeaways=answers[0].takeaways[: options.takeaways],
                quotes=list(range(min(options.quotes, len(quotes)))),
                titles=answers[0].titles,
            )
        else:
            final = await self._reduce(units, candidates, quotes, options, usage, "", sections)
        long_episode = _is_long(transcript)
        if long_episode and coverage_fifths(units, final.takeaways) < 4:
            missing = sorted(set(range(5)) - fifths_hit(units, final.takeaways))
            extra = (
                "Your last answer missed parts of the episode. Include takeaways from "
                f"these fifths of the episode: {[m + 1 for m in missing]}."
            )
            again = await self._reduce(units, candidates, quotes, options, usage, extra, sections)
            final = again if again.titles else again.model_copy(update={"titles": final.titles})
        made = [_takeaway(units, t.text, t.unit_ids) for t in final.takeaways]
        takeaways = [t for t in made if t is not None][: options.takeaways]
        if not takeaways:  # every one a question, empty or of the wrong length
            raise Unusable("no takeaway in the answer was a usable statement")
        if long_episode:
            takeaways = fill_takeaways(
                transcript, takeaways, extractive.takeaways, options.takeaways
            )
        chosen = [quotes[i] for i in final.quotes if 0 <= i < len(quotes)][: options.quotes]
        out_quotes = [_quote(transcript, units, q) for q in _dedupe(chosen)]
        for q in extractive.quotes:  # fill any gap with the extractive engine's quotes
            if len(out_quotes) >= options.quotes:
                break
            if all(q.span != o.span for o in out_quotes):
                out_quotes.append(q)
        return Summary(
            title=transcript.title,
            show=transcript.show,
            source=transcript.source,
            duration_seconds=transcript.duration_seconds,
            engine=ENGINE,
            model=self.config.model,
            transcript_sha256=transcript.sha256,
            takeaways=tuple(sorted(takeaways, key=lambda t: t.span)),
            quotes=tuple(sorted(out_quotes, key=lambda q: q.span)),
            topics=_titled(extractive.topics, final.titles),
            notes=transcript.notes,
            usage=usage,
        )

    async def _map(
        self,
        units: list[Unit],
        lo: int,
        hi: int,
        options: SummaryOptions,
        usage: Usage,
        gate: asyncio.Semaphore,
        sections: list[str] | None = None,
        depth: int = 0,
    ) -> MapAnswer:
        system = MAP_SYSTEM.format(takeaways=min(options.takeaways, 6), quotes=options.quotes)
        try:
            async with gate:
                answer = await self._ask(
                    system, map_user(unit_lines(units, lo, hi), sections), MapAnswer, usage
                )
        except _TooLong:
            if depth >= 2 or hi - lo < 4:
                raise Unusable("answers were cut off at the length limit") from None
            mid = (lo + hi) // 2  # a length stop shrinks the chunk: ask for each half
            halves = await asyncio.gather(
                self._map(units, lo, mid, options, usage, gate, None, depth + 1),
                self._map(units, mid, hi, options, usage, gate, None, depth + 1),
            )
            return MapAnswer(  # (halves title nothing: the extractive titles stay)
                takeaways=[t for h in halves for t in h.takeaways],
                quotes=[q for h in halves for q in h.quotes],
            )
        valid = range(lo, hi)
        answer.takeaways = [
            t for t in answer.takeaways if t.unit_ids and all(i in valid for i in t.unit_ids)
        ]
        answer.quotes = [
            q
            for q in answer.quotes
            if q.text or (q.start_id in valid and (q.end_id or q.start_id) in valid)
        ]
        return answer

    async def _reduce(
        self,
        units: list[Unit],
        candidates: list[tuple[str, list[int]]],
        quotes: list[QuoteSpan],
        options: SummaryOptions,
        usage: Usage,
        extra: str,
        sections: list[str],
    ) -> ReduceAnswer:
        system = REDUCE_SYSTEM.format(
            takeaways=options.takeaways, quotes=options.quotes, extra=extra
        )
        answer = await self._ask(
            system,
            reduce_user(candidates, [q.text for q in quotes], sections),
            ReduceAnswer,
            usage,
        )
        answer.takeaways = [
            t
            for t in answer.takeaways
            if t.unit_ids and all(0 <= i < len(units) for i in t.unit_ids)
        ]
        if not answer.takeaways:
            raise Unusable("the final answer cited no transcript units")
        return answer

    async def _ask(self, system: str, user: str, schema: type[A], usage: Usage) -> A:
        """One structured request (JSON schema, or JSON mode for servers without it)."""
        for attempt in range(2):  # an invalid answer is asked for once more
            try:
                return await self._ask_once(system, user, schema, usage)
            except ValueError as exc:  # pydantic's ValidationError and JSON errors
                logger.info(
                    "invalid answer from the model (attempt %d): %s", attempt + 1, str(exc)[:200]
                )
        raise Unusable("the model's answers were not valid JSON for the schema")

    async def _ask_once(self, system: str, user: str, schema: type[A], usage: Usage) -> A:
        messages: list[openai.types.chat.ChatCompletionMessageParam] = [
            {"role": "system", "content": system},
            {"role": "user", "content": user},
        ]
        if self._schema is not False:
            try:
                parsed = await self._client.chat.completions.parse(
                    model=self.config.model,
                    messages=messages,
                    response_format=schema,
                    temperature=0,
                )
            except openai.LengthFinishReasonError as exc:
                usage.add(exc.completion.usage)
                raise _TooLong from None
            except openai.ContentFilterFinishReasonError:
                raise Unusable("the answer was stopped by a content filter") from None
            except openai.BadRequestError as exc:
                if self._schema is None and "response_format" in str(exc):
                    logger.info("server has no JSON-schema output; using JSON mode")
                    self._schema = False
                    return await self._ask_once(system, user, schema, usage)
                raise
            self._schema = True
            usage.add(parsed.usage)
            result = parsed.choices[0].message.parsed
            if result is None:
                raise Unusable("the model refused to answer")
            return result
        hint = f"\nAnswer with one JSON object matching this schema: {schema.model_json_schema()}"
        completion = await self._client.chat.completions.create(
            model=self.config.model,
            temperature=0,
            response_format={"type": "json_object"},
            messages=[{"role": "system", "content": system + hint}, messages[1]],
        )
        usage.add(completion.usage)
        choice = completion.choices[0]
        if choice.finish_reason == "length":
            raise _TooLong
        return schema.model_validate_json(choice.message.content or "")


def _quote_spans(units: list[Unit], answer: MapAnswer) -> list[QuoteSpan]:
    spans = []
    for q in answer.quotes:
        span = None
        if q.start_id is not None:
            span = span_from_ids(
                units, q.start_id, q.end_id if q.end_id is not None else q.start_id
            )
        elif q.text:
            span = align(units, q.text)  # a near match becomes the exact text; else dropped
        if span is not None:
            spans.append(span)
    return spans


MAX_TITLE_WORDS = 8


def _sections(units: list[Unit], topics: tuple[Topic, ...]) -> list[str]:
    """The offline engine's sections, as the model is asked to head them: their unit ids
    and their offline title (a hint)."""
    starts = [next((u.index for u in units if u.start_char >= t.span[0]), 0) for t in topics]
    ends = [s - 1 for s in starts[1:]] + [len(units) - 1]
    return [
        f"units {a}-{b} (key phrase: {t.title})"
        for a, b, t in zip(starts, ends, topics, strict=True)
    ]


def _titled(topics: tuple[Topic, ...], titles: list[str]) -> tuple[Topic, ...]:
    """The sections headed by the model's titles, when it gave one usable title for each
    (a short phrase, not a list); else the offline titles."""
    clean_titles = [" ".join(t.split()).strip(" .") for t in titles]
    usable = len(clean_titles) == len(topics) and all(
        t and len(t.split()) <= MAX_TITLE_WORDS and t.count(",") < 2 for t in clean_titles
    )
    if not usable:
        return topics
    return tuple(
        topic.model_copy(update={"title": title})
        for topic, title in zip(topics, clean_titles, strict=True)
    )


def _dedupe(spans: list[QuoteSpan]) -> list[QuoteSpan]:
    seen: set[tuple[int, int]] = set()
    out = []
    for s in spans:
        if (s.first, s.last) not in seen:
            seen.add((s.first, s.last))
            out.append(s)
    return out


def _takeaway(units: list[Unit], text: str, ids: list[int]) -> Takeaway | None:
    text = " ".join(text.split())
    if not text or text.endswith("?") or not 4 <= len(text.split()) <= 60:
        return None
    first, last = units[min(ids)], units[max(ids)]
    return Takeaway(
        text=text,
        speaker=first.speaker,
        start_seconds=round_seconds(first.start_seconds),
        span=(first.start_char, last.end_char),
    )


def _quote(transcript: Transcript, units: list[Unit], q: QuoteSpan) -> Quote:
    first = units[q.first]
    return Quote(
        text=q.text,
        verbatim=transcript.text[q.start_char : q.end_char],
        speaker=first.speaker,
        start_seconds=round_seconds(first.start_seconds),
        span=(q.start_char, q.end_char),
    )


def _is_long(transcript: Transcript) -> bool:
    duration = transcript.duration_seconds
    if duration is not None:
        return duration > LONG_EPISODE_SECONDS
    return transcript.word_count > LONG_EPISODE_WORDS


def _reason(exc: Exception) -> str:
    if isinstance(exc, openai.APITimeoutError):
        return "it timed out"
    if isinstance(exc, openai.APIConnectionError):
        return "it could not be reached"
    if isinstance(exc, openai.RateLimitError):
        return "rate limited"
    if isinstance(exc, openai.APIStatusError):
        return f"HTTP {exc.status_code}"
    return str(exc) or type(exc).__name__
