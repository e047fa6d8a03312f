"""Speed and peak memory: podbrief's extractive engine against sumy LexRank, same inputs.

Usage: python -m bench.speed [--repeat 7] [--lexrank-limit 600]
Inputs: the seed interview (header removed by the loader), the longest seenunseen
episode, and the seed repeated 10 times. podbrief is timed from a loaded Transcript
to a Summary (cleaning included); LexRank from the same cleaned sentences to its picks
(document building included). Peak memory is the tracemalloc peak of one run.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import statistics
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import replace

from bench.common import SEED, SEENUNSEEN, require_corpus, sumy_pick
from bot.sources.readers import load_path
from summarizers.clean import Unit, clean
from summarizers.extractive import ExtractiveSummarizer
from summarizers.model import Transcript


def _repeat(t: Transcript, times: int) -> Transcript:
    text = "\n".join([t.text] * times)
    segments = []
    for i in range(times):
        shift = i * (len(t.text) + 1)
        segments += [replace(s, offset=s.offset + shift) for s in t.segments]
    return replace(t, text=text, segments=tuple(segments))


def _time(fn: Callable[[], object], repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def _peak_mb(fn: Callable[[], object]) -> float:
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 1e6


def _lexrank_child(units: list[Unit], repeat: int, out: mp.Queue) -> None:  # type: ignore[type-arg]
    seconds = _time(lambda: sumy_pick(units, 6, "lexrank"), repeat)
    out.put((seconds, _peak_mb(lambda: sumy_pick(units, 6, "lexrank"))))


def _lexrank(units: list[Unit], repeat: int, timeout: float) -> tuple[float, float] | None:
    """LexRank's median time and peak memory, in a child process stopped after `timeout`."""
    queue: mp.Queue = mp.Queue()  # type: ignore[type-arg]
    child = mp.get_context("fork").Process(target=_lexrank_child, args=(units, repeat, queue))
    child.start()
    child.join(timeout)
    if child.is_alive():
        child.kill()
        child.join()
        return None
    return queue.get(timeout=5)  # type: ignore[no-any-return]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=7, help="runs per podbrief median")
    ap.add_argument("--lexrank-repeat", type=int, default=3, help="runs per LexRank median")
    ap.add_argument(
        "--lexrank-timeout",
        type=float,
        default=300,
        help="seconds before LexRank is stopped on one input (then a lower bound)",
    )
    args = ap.parse_args()
    require_corpus()
    seed = load_path(SEED)
    longest = max(SEENUNSEEN.glob("*.vtt"), key=lambda p: load_path(p).word_count)
    inputs = [
        ("seed", seed),
        (f"longest ({longest.stem})", load_path(longest)),
        ("seed x10", _repeat(seed, 10)),
    ]
    engine = ExtractiveSummarizer()
    print(
        f"podbrief median of {args.repeat} runs; LexRank median of {args.lexrank_repeat} "
        "(1 on inputs over 50k words), in a child process"
    )
    print(
        f"{'input':<18} {'words':>7} {'podbrief s':>10} {'MB':>6} {'LexRank s':>10} "
        f"{'MB':>6} {'speed-up':>8}"
    )
    for name, transcript in inputs:
        units = clean(transcript)
        ours = _time(lambda t=transcript: engine.run(t), args.repeat)  # type: ignore[misc]
        ours_mb = _peak_mb(lambda t=transcript: engine.run(t))  # type: ignore[misc]
        repeat = args.lexrank_repeat if transcript.word_count < 50_000 else 1
        peer = _lexrank(units, repeat, args.lexrank_timeout)
        if peer is None:
            limit = args.lexrank_timeout
            theirs_text, mb_text, ratio = f">{limit:.0f}", "-", f">{limit / ours:.0f}x"
        else:
            theirs_text, mb_text = f"{peer[0]:.3f}", f"{peer[1]:.1f}"
            ratio = f"{peer[0] / ours:.1f}x"
        print(
            f"{name:<18} {transcript.word_count:>7} {ours:>10.3f} {ours_mb:>6.1f} "
            f"{theirs_text:>10} {mb_text:>6} {ratio:>8}",
            flush=True,
        )


if __name__ == "__main__":
    main()
