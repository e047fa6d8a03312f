"""Shared helpers for the benchmarks: corpus access and the sumy peers."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import socket
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp

from summarizers.clean import Unit
from summarizers.model import RawSegment, Transcript

CORPUS = Path(
    os.environ.get(
        "PODBRIEF_CORPUS", Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
    )
)
SEED = CORPUS / "seed" / "gemini-colead-interview.txt"
SEENUNSEEN = CORPUS / "seenunseen" / "vtt"
SEENUNSEEN_META = CORPUS / "seenunseen" / "metadata.json"
QMSUM_VAL = CORPUS / "qmsum" / "val"


BENCH_SECRET = "bench-secret"  # the signing secret the benches give `podbrief run`


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def slash_command(
    http: aiohttp.ClientSession, port: int, channel: str, text: str, team: str = "T1"
) -> float:
    """A signed `/podbrief` slash command to `podbrief run` on `port`; seconds to its ack."""
    body = urlencode(
        {
            "team_id": team,
            "channel_id": channel,
            "user_id": "U1",
            "command": "/podbrief",
            "text": text,
            "trigger_id": uuid.uuid4().hex,  # one per invocation, as Slack gives
            "response_url": "http://127.0.0.1:9/r",
        }
    )
    ts = str(int(time.time()))
    sig = hmac.new(BENCH_SECRET.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256)
    headers = {
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": f"v0={sig.hexdigest()}",
        "Content-Type": "application/x-www-form-urlencoded",
    }
    start = time.perf_counter()
    async with http.post(
        f"http://127.0.0.1:{port}/slack/events", data=body, headers=headers
    ) as resp:
        await resp.read()
    return time.perf_counter() - start


def require_corpus() -> None:
    if not CORPUS.is_dir():
        raise SystemExit(f"corpus not found at {CORPUS}; set PODBRIEF_CORPUS")


@dataclass
class Meeting:
    name: str
    transcript: Transcript
    turn_of_segment: list[int]  # segment index -> QMSum turn index
    topics: list[tuple[str, list[tuple[int, int]]]]
    reference: str


def load_meeting(path: Path) -> Meeting:
    data: dict[str, Any] = json.loads(path.read_text())
    turns = data["meeting_transcripts"]
    kept = [i for i, t in enumerate(turns) if t["content"].strip()]
    transcript = Transcript.build(
        [RawSegment(turns[i]["content"], speaker=turns[i]["speaker"]) for i in kept],
        source=path.name,
        format="json",
    )
    # Transcript.build drops empty segments; `kept` lists exactly the ones it keeps
    assert len(transcript.segments) == len(kept)
    topics = [
        (t["topic"], [(int(a), int(b)) for a, b in t["relevant_text_span"]])
        for t in data["topic_list"]
    ]
    reference = data["general_query_list"][0]["answer"]
    return Meeting(path.stem, transcript, kept, topics, reference)


class SimpleTokenizer:
    """A sumy tokenizer that needs no NLTK download (sentences come from our cleaner)."""

    _word = re.compile(r"[\w'’-]+")

    def to_sentences(self, paragraph: str) -> list[str]:
        return [s for s in paragraph.split("\n") if s.strip()]

    def to_words(self, sentence: str) -> list[str]:
        return self._word.findall(sentence)


def sumy_pick(units: list[Unit], k: int, method: str) -> list[int]:
    """Indices of the units sumy's LexRank or TextRank picks, given one unit per sentence."""
    from sumy.models.dom import ObjectDocumentModel, Paragraph, Sentence
    from sumy.nlp.stemmers import Stemmer
    from sumy.summarizers.lex_rank import LexRankSummarizer
    from sumy.summarizers.text_rank import TextRankSummarizer
    from sumy.utils import get_stop_words

    lines = [u.display.replace("\n", " ") for u in units]
    tokenizer = SimpleTokenizer()
    sentences = [Sentence(line, tokenizer) for line in lines]
    document = ObjectDocumentModel([Paragraph(sentences)])
    cls = LexRankSummarizer if method == "lexrank" else TextRankSummarizer
    summarizer = cls(Stemmer("english"))
    summarizer.stop_words = get_stop_words("english")
    picked = {id(s) for s in summarizer(document, k)}
    return [i for i, s in enumerate(sentences) if id(s) in picked]


def big_transcript_files(
    count: int = 6, first_mb: float = 3.0, step_mb: float = 0.28
) -> dict[str, bytes]:
    """`count` WebVTT transcripts of 3 MB and more (to about 4.4 MB: under the 500,000-word
    limit), each the seenunseen episodes' cues one after another from a different episode
    on, times running on: loads for the acknowledgement bench. Built in memory."""
    require_corpus()
    episodes = []
    for path in sorted(SEENUNSEEN.glob("*.vtt")):
        cues = path.read_text(encoding="utf-8").split("\n\n")
        episodes.append([c for c in cues if "-->" in c])
    files = {}
    for n in range(count):
        target = int((first_mb + n * step_mb) * 1_000_000)
        parts, size, cue_index, clock = ["WEBVTT"], 6, 0, 0.0
        order = episodes[n:] + episodes[:n]
        while size < target:
            for cue in order[cue_index % len(order)]:
                lines = cue.strip().splitlines()
                timing = next(i for i, line in enumerate(lines) if "-->" in line)
                start, end = clock, clock + 3.0
                clock = end
                block = "\n".join(
                    [f"{_vtt_time(start)} --> {_vtt_time(end)}", *lines[timing + 1 :]]
                )
                parts.append(block)
                size += len(block) + 2
                if size >= target:
                    break
            cue_index += 1
        files[f"big{n}.vtt"] = "\n\n".join(parts).encode() + b"\n"
    return files


def _vtt_time(seconds: float) -> str:
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{int(hours):02d}:{int(minutes):02d}:{secs:06.3f}"


def long_episode_files() -> dict[str, bytes]:
    """The three largest seenunseen episodes and the seed: load for the latency benches."""
    require_corpus()
    longest = sorted(SEENUNSEEN.glob("*.vtt"), key=lambda p: -p.stat().st_size)[:3]
    files = {p.name: p.read_bytes() for p in longest}
    files[SEED.name] = SEED.read_bytes()
    return files
