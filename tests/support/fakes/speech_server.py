"""A local OpenAI-compatible speech-to-text server (`POST /v1/audio/transcriptions`) for
the remote engine's tests and benchmark: it reads each upload's length with PyAV and
answers `verbose_json` with a segment every 10 seconds of it, worded from the project's
tool-library script. `mode` makes it misbehave:

- `good`: segments
- `no_segments`: only the whole text, as some servers answer
- `429_then_ok`: the first request is refused as too many, then `good`
- `500`: every request fails
`limit` refuses uploads larger than it with 413, as servers do.
"""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import av
from aiohttp import web

from tests.support.data import AUDIO
from tests.support.fakes.local import serve

SENTENCES = [
    line.strip()
    for line in (AUDIO / "tool-library.txt").read_text().replace(". ", ".\n").splitlines()
    if line.strip()
]
EVERY = 10.0


@dataclass
class FakeSpeech:
    mode: str = "good"
    limit: int | None = None
    uploads: list[tuple[int, float]] = field(default_factory=list)  # (bytes, seconds)
    forms: list[dict[str, str]] = field(default_factory=list)  # the other form fields
    url: str = ""
    _said: int = 0

    def app(self) -> web.Application:
        app = web.Application(client_max_size=1024**3)
        app.router.add_post("/v1/audio/transcriptions", self.transcribe)
        return app

    async def transcribe(self, request: web.Request) -> web.Response:
        form = await request.post()
        upload = form["file"]
        assert isinstance(upload, web.FileField)
        data = upload.file.read()
        self.forms.append({k: str(v) for k, v in form.items() if k != "file"})
        if self.mode == "500":
            return web.json_response({"error": {"message": "down"}}, status=500)
        if self.mode == "429_then_ok" and not self.uploads:
            self.uploads.append((len(data), 0.0))
            return web.json_response(
                {"error": {"message": "slow down"}}, status=429, headers={"retry-after-ms": "10"}
            )
        if self.limit is not None and len(data) > self.limit:
            self.uploads.append((len(data), 0.0))
            return web.json_response({"error": {"message": "too large"}}, status=413)
        with av.open(io.BytesIO(data)) as container:
            seconds = sum(f.samples / f.sample_rate for f in container.decode(audio=0))
        self.uploads.append((len(data), seconds))
        segments = []
        start = 0.0
        while start < seconds:
            end = min(start + EVERY, seconds)
            text = SENTENCES[self._said % len(SENTENCES)]
            self._said += 1
            segments.append({"id": len(segments), "start": start, "end": end, "text": text})
            start = end
        answer: dict[str, object] = {
            "task": "transcribe",
            "language": "english",
            "duration": seconds,
            "text": " ".join(s["text"] for s in segments),  # type: ignore[misc]
        }
        if self.mode != "no_segments":
            answer["segments"] = segments
        return web.json_response(answer)


@asynccontextmanager
async def fake_speech(mode: str = "good", limit: int | None = None) -> AsyncIterator[FakeSpeech]:
    fake = FakeSpeech(mode, limit)
    runner, port = await serve(fake.app())
    fake.url = f"http://127.0.0.1:{port}/v1"
    try:
        yield fake
    finally:
        await runner.cleanup()
