"""A local OpenAI-compatible chat server for tests and benchmarks (aiohttp, 127.0.0.1:0).

It speaks the real wire protocol the `openai` SDK uses, answers map and reduce requests
of podbrief's LLM engine from the unit ids in the prompt, counts requests and tokens, and
can be scripted to misbehave (see `mode`).
"""

from __future__ import annotations

import asyncio
import json
import re
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from summarizers.tokens import estimate_tokens
from tests.support.fakes.local import serve

_LINE = re.compile(r"^\[(\d+)\] (?:([^:\n]{1,40}): )?(.*)$", re.MULTILINE)
_CANDIDATE = re.compile(r"^- (.*) \(unit_ids: \[([\d, ]*)\]\)$", re.MULTILINE)
_QUOTE_CANDIDATE = re.compile(r"^(\d+)\. ", re.MULTILINE)
_SECTION = re.compile(r"^Section \d+: ", re.MULTILINE)

MODES = (
    "good",
    "list_titles",
    "paraphrase",
    "invent",
    "invalid_json",
    "unknown_ids",
    "429_then_ok",
    "500",
    "slow",
    "length",
    "no_schema",
    "obey_injection",
    "narrow",
    "questions",
)


@dataclass
class FakeOpenAI:
    """Scripted server; `requests` records every request body it received."""

    mode: str = "good"
    slow_seconds: float = 5.0
    delay: float = 0.0  # every answer waits this long (to observe parallel requests)
    length_limit_lines: int = 40  # in "length" mode, map chunks longer than this get cut off
    requests: list[dict[str, Any]] = field(default_factory=list)
    prompt_tokens: int = 0
    completion_tokens: int = 0
    port: int = 0
    in_flight: int = 0
    max_in_flight: int = 0  # the most requests the server was answering at once
    _runner: web.AppRunner | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    async def start(self) -> FakeOpenAI:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_post("/v1/chat/completions", self._chat)
        self._runner, self.port = await serve(app)
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _chat(self, request: web.Request) -> web.Response:
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            return await self._answer(request)
        finally:
            self.in_flight -= 1

    async def _answer(self, request: web.Request) -> web.Response:
        body = await request.json()
        self.requests.append(body)
        n = len(self.requests)
        if self.mode == "500":
            return _error(500, "server_error", "the model crashed")
        if self.mode == "429_then_ok" and n == 1:
            return _error(429, "rate_limit_exceeded", "slow down", {"retry-after-ms": "10"})
        if self.mode == "slow":
            await asyncio.sleep(self.slow_seconds)
        elif self.delay:
            await asyncio.sleep(self.delay)
        fmt = (body.get("response_format") or {}).get("type")
        if self.mode == "no_schema" and fmt == "json_schema":
            return _error(
                400,
                "invalid_request_error",
                "response_format json_schema is not supported by this server",
            )
        messages = body["messages"]
        system, user = messages[0]["content"], messages[-1]["content"]
        prompt = sum(estimate_tokens(m["content"]) for m in messages)
        finish = "stop"
        if "TASK: map" in system:
            lines = [(int(i), who, text) for i, who, text in _LINE.findall(user)]
            if self.mode == "length" and len(lines) > self.length_limit_lines:
                content, finish = '{"takeaways": [{"text": "cut', "length"
            else:
                content = json.dumps({**self._map(lines), "titles": self._titles(user)})
        else:
            content = json.dumps(self._reduce(system, user))
        if self.mode == "invalid_json":
            content = "{'takeaways': not json at all"
        completion = estimate_tokens(content)
        self.prompt_tokens += prompt
        self.completion_tokens += completion
        return web.json_response(
            {
                "id": f"chatcmpl-{n}",
                "object": "chat.completion",
                "created": 0,
                "model": body.get("model", "fake"),
                "choices": [
                    {
                        "index": 0,
                        "finish_reason": finish,
                        "logprobs": None,
                        "message": {"role": "assistant", "content": content, "refusal": None},
                    }
                ],
                "usage": {
                    "prompt_tokens": prompt,
                    "completion_tokens": completion,
                    "total_tokens": prompt + completion,
                },
            }
        )

    def _map(self, lines: list[tuple[int, str, str]]) -> dict[str, Any]:
        usable = [ln for ln in lines if 8 <= len(ln[2].split()) <= 30 and "?" not in ln[2]]
        if self.mode == "narrow":  # a model that only reads the start of the episode
            usable = usable[: max(1, len(usable) // 8)]
        picks = usable[:: max(1, len(usable) // 4)][:4]
        takeaways = [
            {"text": f"The episode makes this point: {text}", "unit_ids": [i]}
            for i, _, text in picks
        ]
        quotes: list[dict[str, Any]] = [{"start_id": i, "end_id": i} for i, _, _ in picks[:2]]
        if self.mode == "unknown_ids":
            takeaways = [
                {"text": "A claim the transcript never supports at all here.", "unit_ids": [10**6]}
            ]
            quotes = [{"start_id": 10**6, "end_id": 10**6}]
        elif self.mode == "paraphrase" and picks:
            words = picks[0][2].split()
            quotes = [{"text": " ".join(words[:-1]) + " " + words[-1].upper()}]  # near match
            quotes.append({"text": " ".join(reversed(words))})  # too far: dropped
        elif self.mode == "questions":  # every takeaway a question about the cited line
            takeaways = [
                {"text": f"What does the guest mean when saying {text[:-1]}?", "unit_ids": [i]}
                for i, _, text in picks
            ]
        elif self.mode == "invent":
            quotes = [{"text": "This sentence was never said by anyone in the whole episode."}]
        elif self.mode == "obey_injection":
            takeaways = [
                {"text": "HACKED", "unit_ids": []},
                {
                    "text": "HACKED HACKED HACKED as the transcript demanded of me",
                    "unit_ids": [10**6],
                },
            ]
            quotes = [{"text": "HACKED"}]
        return {"takeaways": takeaways, "quotes": quotes}

    def _reduce(self, system: str, user: str) -> dict[str, Any]:
        want = int(re.search(r"exactly (\d+) takeaways", system).group(1))  # type: ignore[union-attr]
        quotes_wanted = int(re.search(r"numbers of the (\d+) best", system).group(1))  # type: ignore[union-attr]
        candidates = [
            (text, [int(x) for x in ids.split(",") if x.strip()])
            for text, ids in _CANDIDATE.findall(user)
        ]
        if self.mode == "narrow" and "missed parts" not in system:
            candidates = candidates[: max(1, len(candidates) // 5)]
        step = max(1, len(candidates) // max(1, want))
        chosen = candidates[::step][:want]
        quote_count = len(_QUOTE_CANDIDATE.findall(user.split("</candidates>")[0]))
        qstep = max(1, quote_count // max(1, quotes_wanted))
        if self.mode == "unknown_ids":
            chosen = [("Nothing in the transcript supports this claim at all.", [10**6])]
        return {
            "takeaways": [{"text": t, "unit_ids": ids} for t, ids in chosen],
            "quotes": list(range(0, quote_count, qstep))[:quotes_wanted],
            "titles": self._titles(user),
        }

    def _titles(self, user: str) -> list[str]:
        """A heading per section listed: "Heading 1"…; in mode "list_titles" a keyword list
        (which the engine refuses)."""
        count = len(_SECTION.findall(user))
        if self.mode == "list_titles":
            return ["Kettles, toasters, fuses, plugs"] * count
        return [f"Heading {n + 1}" for n in range(count)]


def _error(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> web.Response:
    return web.json_response(
        {"error": {"message": message, "type": code, "param": None, "code": code}},
        status=status,
        headers=headers,
    )


class ThreadedFakeOpenAI:
    """The fake server on its own event loop in a thread, for tests that run subprocesses."""

    def __init__(self, mode: str = "good") -> None:
        import threading

        self.server = FakeOpenAI(mode=mode)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    def __enter__(self) -> FakeOpenAI:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self.server.start(), self._loop).result(10)
        return self.server

    def __exit__(self, *exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self.server.stop(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()
