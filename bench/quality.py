"""Summary quality on QMSum val: ROUGE and topic coverage, podbrief against sumy peers.

Usage: python -m bench.quality [--k 7] [--limit N] [--no-podcasts] [--read N] [--only-defects]
Every method picks k sentence units from the same cleaned transcript; the output
is cut to its first 120 words and scored against the whole-meeting summary; podbrief and
LexRank are also compared at equal length (both cut to the shorter output), since F1
against a reference favours whichever output is closer to the reference's length.
Then: the seed's takeaways against its "Topics Covered", a podcast table
(seenunseen episodes against their blurbs), the verbatim check of every quote, and the
defects of ../shared/READER.md counted by rule on the whole corpus (default summaries), for
podbrief and LexRank; `--read N` prints N summaries whole, to read with the rubric.
"""

from __future__ import annotations

import argparse
import bisect
import json
import random
import re
import statistics
import sys
import time
from pathlib import Path

from rouge_score import rouge_scorer

from bench import judge
from bench.common import (
    QMSUM_VAL,
    SEED,
    SEENUNSEEN,
    SEENUNSEEN_META,
    Meeting,
    load_meeting,
    require_corpus,
    sumy_pick,
)
from bench.defects import DEFECTS, SEENUNSEEN_HOST, Counts
from bot.sources.readers import load_path
from summarizers.base import SummaryOptions
from summarizers.clean import Unit, clean, norm
from summarizers.extractive import ExtractiveSummarizer
from summarizers.lexicon import content_terms
from summarizers.model import RawSegment, Summary, Transcript
from summarizers.topics import make_topics

METHODS = ("podbrief", "lexrank", "textrank", "even", "lexrank8", "textrank8", "even8")
PEER = "lexrank"


def _cut(texts: list[str], words: int = 120) -> str:
    return " ".join(" ".join(texts).split()[:words])


def equal_length(
    scorer: rouge_scorer.RougeScorer, reference: str, ours: str, theirs: str
) -> tuple[float, float]:
    """ROUGE-1 F of both texts cut to the shorter one's length (at most 120 words): F1
    against a short reference favours the shorter output, whatever it says."""
    n = min(120, len(ours.split()), len(theirs.split()))
    return (
        100 * scorer.score(reference, _cut([ours], n))["rouge1"].fmeasure,
        100 * scorer.score(reference, _cut([theirs], n))["rouge1"].fmeasure,
    )


def _segment_of(transcript_offsets: list[int], char: int) -> int:
    return bisect.bisect_right(transcript_offsets, char) - 1


def run_meeting(
    m: Meeting, k: int, summary: Summary, every: list[Unit]
) -> dict[str, tuple[str, list[int]]]:
    """Each method's whole text and the turns its picks come from (`every`: the cleaned
    units); the caller cuts the text for scoring."""
    offsets = [s.offset for s in m.transcript.segments]
    out: dict[str, tuple[str, list[int]]] = {}
    out["podbrief"] = (
        " ".join(t.text for t in summary.takeaways),
        [m.turn_of_segment[_segment_of(offsets, t.span[0])] for t in summary.takeaways],
    )
    # peers on every sentence, and ("...8") on sentences of 8 words or more only
    for suffix, units in (("", every), ("8", [u for u in every if len(u.words) >= 8])):
        for method in ("lexrank", "textrank"):
            idx = sumy_pick(units, k, method)
            out[method + suffix] = (
                " ".join(units[i].display for i in idx),
                [m.turn_of_segment[units[i].segment] for i in idx],
            )
        n = len(units)
        even = [min(n - 1, int((j + 0.5) * n / k)) for j in range(k)]
        out["even" + suffix] = (
            " ".join(units[i].display for i in even),
            [m.turn_of_segment[units[i].segment] for i in even],
        )
    return out


def topic_starts(
    m: Meeting, summary: Summary, units: list[Unit], rng: random.Random
) -> dict[str, list[int]]:
    """The turns where each method's sections start (after the first): podbrief's topics,
    the same number of evenly spaced sections, and random starts."""
    offsets = [s.offset for s in m.transcript.segments]
    terms = [frozenset(content_terms([norm(w) for w in u.words])) for u in units]  # titles only
    out = {}
    for method, topics in (
        ("podbrief", summary.topics),
        ("even", tuple(make_topics(units, terms, snap=0.0))),
    ):
        out[method] = [m.turn_of_segment[_segment_of(offsets, t.span[0])] for t in topics[1:]]
    turns = m.turn_of_segment[-1] + 1
    out["random"] = sorted(rng.sample(range(1, turns), min(turns - 1, len(out["even"]))))
    return out


def boundary_scores(m: Meeting, starts: list[int]) -> tuple[float, float] | None:
    """Pk (lower is better) and the share of starts within 2% of the meeting of a true topic
    start. The true starts: the first turn of each QMSum topic's spans."""
    truth = sorted({min(a for a, _ in spans) for _, spans in m.topics} - {0})
    if not truth or not starts:
        return None
    n = m.turn_of_segment[-1] + 1
    k = max(2, round(n / (len(truth) + 1) / 2))

    def segment_ids(bounds: list[int]) -> list[int]:
        return [bisect.bisect_right(bounds, i) for i in range(n)]

    ref, hyp = segment_ids(truth), segment_ids(sorted(starts))
    pk = sum((ref[i] == ref[i + k]) != (hyp[i] == hyp[i + k]) for i in range(n - k)) / (n - k)
    near = max(2, round(0.02 * n))
    hit = sum(any(abs(s - t) <= near for t in truth) for s in starts) / len(starts)
    return pk, hit


def coverage(m: Meeting, turns: list[int]) -> float:
    hit = sum(1 for _, spans in m.topics if any(a <= t <= b for t in turns for a, b in spans))
    return hit / len(m.topics) if m.topics else 0.0


def bootstrap(diffs: list[float], rounds: int = 10000, seed: int = 7) -> tuple[float, float]:
    rng = random.Random(seed)
    means = sorted(statistics.fmean(rng.choices(diffs, k=len(diffs))) for _ in range(rounds))
    return means[int(0.025 * rounds)], means[int(0.975 * rounds)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--k", type=int, default=7, help="sentences per method (default 7)")
    ap.add_argument("--limit", type=int, default=0, help="only the first N meetings")
    ap.add_argument("--no-podcasts", action="store_true", help="skip the seenunseen table")
    ap.add_argument("--read", type=int, default=0, help="print N summaries whole, to read")
    ap.add_argument("--only-defects", action="store_true", help="the defect table only")
    args = ap.parse_args()
    require_corpus()
    if args.only_defects:
        reader_defects(args.read)
        return
    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True)
    files = sorted(QMSUM_VAL.glob("*.json"))[: args.limit or None]
    scores: dict[str, dict[str, list[float]]] = {
        x: {"r1": [], "r2": [], "rl": [], "cov": []} for x in METHODS
    }
    bounds: dict[str, list[tuple[float, float]]] = {}
    equal: list[tuple[float, float]] = []
    rng = random.Random(7)
    t0 = time.perf_counter()
    for path in files:
        m = load_meeting(path)
        summary = ExtractiveSummarizer().run(
            m.transcript, SummaryOptions(takeaways=args.k, quotes=1)
        )
        units = clean(m.transcript)
        for method, starts in topic_starts(m, summary, units, rng).items():
            scored = boundary_scores(m, starts)
            if scored:
                bounds.setdefault(method, []).append(scored)
        picks = run_meeting(m, args.k, summary, units)
        for method, (whole, turns) in picks.items():
            s = scorer.score(m.reference, _cut([whole]))
            scores[method]["r1"].append(100 * s["rouge1"].fmeasure)
            scores[method]["r2"].append(100 * s["rouge2"].fmeasure)
            scores[method]["rl"].append(100 * s["rougeL"].fmeasure)
            scores[method]["cov"].append(coverage(m, turns))
        equal.append(equal_length(scorer, m.reference, picks["podbrief"][0], picks[PEER][0]))
    print(
        f"QMSum val: {len(files)} meetings, k={args.k}, first 120 words, "
        f"{time.perf_counter() - t0:.1f} s"
    )
    print(f"{'method':<10} {'ROUGE-1':>8} {'ROUGE-2':>8} {'ROUGE-L':>8} {'coverage':>9}")
    for method in METHODS:
        s = scores[method]
        print(
            f"{method:<10} {statistics.fmean(s['r1']):8.2f} {statistics.fmean(s['r2']):8.2f} "
            f"{statistics.fmean(s['rl']):8.2f} {statistics.fmean(s['cov']):9.3f}"
        )
    for peer in ("lexrank", "lexrank8"):
        diffs = [a - b for a, b in zip(scores["podbrief"]["r1"], scores[peer]["r1"], strict=True)]
        lo, hi = bootstrap(diffs)
        print(
            f"podbrief - {peer} ROUGE-1: {statistics.fmean(diffs):+.2f} "
            f"(paired bootstrap 95% CI {lo:+.2f} .. {hi:+.2f})"
        )
    ours, theirs = zip(*equal, strict=True)
    lo, hi = bootstrap([a - b for a, b in equal])
    print(
        f"at equal length (both cut to the shorter output, at most 120 words): podbrief "
        f"{statistics.fmean(ours):.2f}, {PEER} {statistics.fmean(theirs):.2f}, difference "
        f"{statistics.fmean(ours) - statistics.fmean(theirs):+.2f} (CI {lo:+.2f} .. {hi:+.2f})"
    )
    print(
        "\ntopic boundaries (QMSum topic starts; Pk lower is better, 'near' = share of "
        "section starts within 2% of a true topic start):"
    )
    for method, rows in bounds.items():
        pks, hits = zip(*rows, strict=True)
        print(
            f"  {method:<9} Pk {statistics.fmean(pks):.3f}  near {statistics.fmean(hits):.3f}  "
            f"({len(rows)} meetings)"
        )
    print_seed()
    if not args.no_podcasts:
        podcasts(scorer)
    check_verbatim(files)
    reader_defects(args.read)


def corpus() -> list[tuple[str, Transcript, str | None]]:
    """Every corpus transcript, named, with its host where the corpus says who it is (the
    seenunseen interviews; the seed has no speaker labels, QMSum is meetings)."""
    out: list[tuple[str, Transcript, str | None]] = [("seed", load_path(SEED), None)]
    out += [(p.stem, load_path(p), SEENUNSEEN_HOST) for p in sorted(SEENUNSEEN.glob("*.vtt"))]
    out += [(p.stem, load_meeting(p).transcript, None) for p in sorted(QMSUM_VAL.glob("*.json"))]
    return out


def reader_defects(read: int = 0) -> None:
    """The rule-counted defects of READER.md on the whole corpus: podbrief's default summary
    (6 takeaways, 4 quotes, its topics) and LexRank's 6 picks as its takeaways."""
    ours, peer = Counts(), Counts()
    shown = 0
    t0 = time.perf_counter()
    for name, transcript, host in corpus():
        summary = ExtractiveSummarizer().run(transcript, SummaryOptions())
        for t in summary.takeaways:
            ours.takeaway(t.text, t.speaker, host)
        for q in summary.quotes:
            ours.quote(q.text)
        for topic in summary.topics:
            ours.title(topic.title)
        units = clean(transcript)
        for i in sumy_pick(units, len(summary.takeaways), "lexrank"):
            peer.takeaway(units[i].display, units[i].speaker, host)
        if shown < read:
            shown += 1
            print_summary(name, transcript, summary)
    print(
        f"\nreader defects (../shared/READER.md rules), whole corpus, default summaries, "
        f"{time.perf_counter() - t0:.1f} s:"
    )
    print(f"  {'defect':<20} {'podbrief':>12} {'lexrank':>12}")
    for defect in DEFECTS:
        print(f"  {defect:<20} {ours.share(defect):>12} {peer.share(defect):>12}")
    print(
        f"  (podbrief: {ours.takeaways} takeaways, {ours.interview_takeaways} in interviews, "
        f"{ours.quotes} quotes, {ours.titles} titles; lexrank: {peer.takeaways} picks)"
    )
    for defect in DEFECTS:
        for line in ours.examples.get(defect, [])[:2]:
            print(f"  e.g. {defect}: {line[:160]}")


def print_summary(name: str, transcript: Transcript, summary: Summary) -> None:
    """One summary whole, as a reader sees it: takeaways (with speakers), quotes, topics."""
    print(f"\n=== {name}: {transcript.word_count} words")
    total = len(transcript.text)
    for t in summary.takeaways:
        who = f"{t.speaker}: " if t.speaker else ""
        print(f"  - [{_clock(t.start_seconds, t.span[0], total)}] {who}{t.text}")
    for q in summary.quotes:
        who = f" ({q.speaker})" if q.speaker else ""
        print(f"  > [{_clock(q.start_seconds, q.span[0], total)}] {q.text}{who}")
    for topic in summary.topics:
        print(f"  # [{_clock(topic.start_seconds, topic.span[0], total)}] {topic.title}")


def podcasts(scorer: rouge_scorer.RougeScorer, k: int = 6) -> None:
    """seenunseen: ROUGE-1 of k picks (first 120 words) against the show's own episode blurb.

    The blurbs are weak references (a few sentences of the show's own words), but they
    are podcast episodes, the product's real input, where QMSum is meetings. Run with the
    speaker labels and without them (like the seed's caption export).
    """
    blurbs = {m["epnum"]: m["description"] for m in json.loads(SEENUNSEEN_META.read_text())}
    scores: dict[str, list[float]] = {}
    words: dict[str, list[int]] = {}
    t0 = time.perf_counter()
    paths = sorted(SEENUNSEEN.glob("*.vtt"))
    for path in paths:
        reference = blurbs[int(re.findall(r"\d+", path.name)[0])]
        labelled = load_path(path)
        bare = Transcript.build(
            [RawSegment(x.text, start=x.start, end=x.end) for x in labelled.segments]
        )
        for label, transcript in (("", labelled), (" unlabelled", bare)):
            summary = ExtractiveSummarizer().run(transcript, SummaryOptions(takeaways=k, quotes=1))
            picks = {"podbrief": [t.text for t in summary.takeaways]}
            units = clean(transcript)
            picks["lexrank"] = [units[i].display for i in sumy_pick(units, k, "lexrank")]
            for method, texts in picks.items():
                score = scorer.score(reference, _cut(texts))["rouge1"].fmeasure
                scores.setdefault(method + label, []).append(100 * score)
                words.setdefault(method + label, []).append(len(" ".join(texts).split()))
            ours, theirs = equal_length(
                scorer, reference, " ".join(picks["podbrief"]), " ".join(picks["lexrank"])
            )
            scores.setdefault("podbrief" + label + ", equal length", []).append(ours)
            scores.setdefault("lexrank" + label + ", equal length", []).append(theirs)
    print(
        f"\nseenunseen: {len(paths)} podcast episodes, k={k}, first 120 words against the "
        f"episode blurb, {time.perf_counter() - t0:.1f} s"
    )
    for method, values in scores.items():
        length = (
            f"  ({statistics.fmean(words[method]):.0f} words before the cut)"
            if method in words
            else ""
        )
        print(f"  {method:<36} ROUGE-1 {statistics.fmean(values):6.2f}{length}")


def check_verbatim(qmsum_files: list[Path]) -> None:
    """Every quote's `verbatim` must be found exactly in its transcript, on every corpus file."""
    engine = ExtractiveSummarizer()
    checked = missing = 0
    transcripts = [load_path(SEED)] + [load_path(p) for p in sorted(SEENUNSEEN.glob("*.vtt"))]
    transcripts += [load_meeting(p).transcript for p in qmsum_files]
    for transcript in transcripts:
        for q in engine.run(transcript, SummaryOptions(quotes=8)).quotes:
            checked += 1
            missing += q.verbatim not in transcript.text
    print(
        f"\nverbatim check: {len(transcripts)} transcripts, {checked} quotes, "
        f"{missing} not found exactly in their transcript"
    )


def seed_topics() -> list[str]:
    """The "Topics Covered" lines of the seed's header (the loader keeps them out)."""
    lines = SEED.read_text().splitlines()
    start = lines.index("Topics Covered") + 1
    end = lines.index("Full Transcript")
    return [line.lstrip("- ").strip() for line in lines[start:end] if line.strip()]


def touched(topic: str, takeaways: list[str]) -> list[str]:
    """Content words a topic line shares with the takeaways (printed for a human to judge)."""
    want = set(content_terms([norm(w) for w in re.split(r"[\s—-]+", topic)]))
    have = set(content_terms([norm(w) for t in takeaways for w in t.split()]))
    return sorted(want & have)


def print_seed() -> None:
    """The seed interview with its header removed: takeaways, quotes, topics."""
    transcript = load_path(SEED)  # the loader drops the header (title, show, topics)
    summary = ExtractiveSummarizer().run(transcript)
    print(f"\nSeed: {transcript.title} ({transcript.word_count} words)")
    for t in summary.takeaways:
        flag = "  QUESTION?" if t.text.rstrip().endswith("?") else ""
        print(f"  - [{_clock(t.start_seconds, t.span[0], len(transcript.text))}] {t.text}{flag}")
    texts = [t.text for t in summary.takeaways]
    topics = seed_topics()
    units = clean(transcript)
    sentences = [u.display for u in units if len(u.words) >= 8]
    hits = 0
    for topic in topics:
        shared = touched(topic, texts)
        hits += bool(shared)
        print(f"  topic {'touched' if shared else 'MISSED '}: {topic}  {shared}")
    print(f"  header topics touched: {hits}/{len(topics)}")
    if judge.available():
        verdicts = judge.judge(topics, texts, sentences)
        for v in verdicts:
            print(
                f"  semantic {'touched' if v.touched else 'MISSED '}: {v.topic}  (takeaway "
                f"{v.takeaway + 1}, cosine {v.cosine:.2f}, closer than {v.percentile:.1f}% of "
                f"{len(sentences)} sentences)"
            )
        agreed = sum(v.touched for v in verdicts)
        print(f"  header topics touched, semantic judge: {agreed}/{len(topics)}")
    else:
        print("  (semantic judge not installed: .venv/bin/pip install -e '.[judge]')")
    # the peers on the same transcript, for scale: how hard the editor's topics are to hit
    k = len(texts)
    for method in ("lexrank", "textrank"):
        picks = [units[i].display for i in sumy_pick(units, k, method)]
        words = sum(bool(touched(topic, picks)) for topic in topics)
        line = f"  {method} ({k} sentences): header topics touched {words}/{len(topics)}"
        if judge.available():
            agreed = sum(v.touched for v in judge.judge(topics, picks, sentences))
            line += f", semantic judge {agreed}/{len(topics)}"
        print(line)
    for q in summary.quotes:
        print(
            f"  > [{_clock(q.start_seconds, q.span[0], len(transcript.text))}] {q.text}  "
            f"[{'ok' if q.verbatim in transcript.text else 'NOT IN TRANSCRIPT'}]"
        )
    for topic in summary.topics:
        clock = _clock(topic.start_seconds, topic.span[0], len(transcript.text))
        print(f"  # [{clock}] {topic.title}")
    sys.stdout.flush()


def _clock(seconds: float | None, char: int, total: int) -> str:
    """A timestamp, or the position in the text when the source has no times."""
    if seconds is None:
        return f"{100 * char / total:3.0f}%"
    return f"{int(seconds // 3600)}:{int(seconds % 3600 // 60):02}:{int(seconds % 60):02}"


if __name__ == "__main__":
    main()
