"""TTML (Timed Text Markup Language): the XML captions of broadcasters and of Apple
Podcasts' transcripts.

Each `<p>` is a segment: its words, start and end, and speaker (`ttm:agent`, named by the
agent's `ttm:name` where the head declares one; Apple's "SPEAKER_1" reads "Speaker 1").
Times follow TTML (`hh:mm:ss.fff`, `hh:mm:ss:ff` frames, `12.5s`, `500ms`, ticks) and
Apple's files, which write bare seconds and `mm:ss.fff` ("0.860", "1:48.737"). A child's
time counts from its parent's begin. A `<p>` without times of its own takes them from its
timed words. Apple writes one `<span podcasts:unit="word">` per word with nothing between
them, so word units are joined with spaces.

Written here, not taken from a library: ttconv 1.2 and pycaption 2.3 both refuse Apple's
bare-seconds times, and both took 9-20 s for 3,000 cues. The XML is read by the standard
library's expat through defusedxml: a DOCTYPE, an entity declaration or an external
reference is refused (XML bombs and external entity attacks).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from bot.errors import TranscriptError
from summarizers.model import RawSegment

_ROOT = re.compile(r"<(?:[\w.-]+:)?tt[\s>]")
_NAMESPACES = ("http://www.w3.org/ns/ttml", "http://www.w3.org/2006/10/ttaf1", "/ttaf1")
_CLOCK = re.compile(r"(\d+):(\d{1,2}):(\d{1,2})(?::(\d+)(?:\.\d+)?|(\.\d+))?")
_MINUTES = re.compile(r"(\d+):(\d{1,2})(\.\d+)?")  # Apple's mm:ss.fff
_OFFSET = re.compile(r"(\d+(?:\.\d+)?)(h|ms|m|s|f|t)?")
_APPLE_SPEAKER = re.compile(r"SPEAKER_(\d+)")
_UNITS = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001}
MAX_SECONDS = 1e7
_NOT_WORDS = frozenset({"metadata", "set", "animate", "animation"})  # inside a <p>, unspoken


def looks_like_ttml(head: str) -> bool:
    """A `<tt>` root in a TTML namespace, within the first few kilobytes."""
    return bool(_ROOT.search(head)) and any(ns in head for ns in _NAMESPACES)


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1]


def _attr(el: ET.Element, name: str) -> str | None:
    """An attribute by its local name, whatever its namespace."""
    for key, value in el.attrib.items():
        if _local(key) == name:
            return value
    return None


class _Clock:
    def __init__(self, root: ET.Element) -> None:
        self.frame_rate = _number(_attr(root, "frameRate"), 30.0)
        self.tick_rate = _number(_attr(root, "tickRate"), 1.0)

    def seconds(self, value: str | None) -> float | None:
        """A TTML time expression in seconds; None when absent or not understood."""
        if value is None:
            return None
        value = value.strip()
        t: float
        if m := _CLOCK.fullmatch(value):
            h, mi, s, frames, fraction = m.groups()
            t = int(h) * 3600 + int(mi) * 60 + int(s)
            t += int(frames) / self.frame_rate if frames else float(fraction or 0)
        elif m := _MINUTES.fullmatch(value):
            t = int(m.group(1)) * 60 + int(m.group(2)) + float(m.group(3) or 0)
        elif m := _OFFSET.fullmatch(value):
            n, unit = float(m.group(1)), m.group(2) or "s"
            if unit == "f":
                t = n / self.frame_rate
            elif unit == "t":
                t = n / self.tick_rate
            else:
                t = n * _UNITS[unit]
        else:
            return None
        return t if 0 <= t < MAX_SECONDS else None


def _number(value: str | None, default: float) -> float:
    """A frame or tick rate (ticks are often 10,000,000 a second)."""
    try:
        n = float(value) if value else default
    except ValueError:
        return default
    return n if 0 < n < 1e12 else default


def parse_ttml(text: str) -> tuple[list[RawSegment], dict[str, str]]:
    """Segments (one per `<p>`) and the title, from a TTML document."""
    try:
        root = SafeET.fromstring(text, forbid_dtd=True)
    except DefusedXmlException:
        raise TranscriptError(
            "the TTML file declares a DOCTYPE or XML entities, which podbrief refuses "
            "(they are used for XML bomb attacks); export the captions again without them"
        ) from None
    except ET.ParseError as exc:
        line, column = exc.position
        raise TranscriptError(
            f"malformed TTML file at line {line}, column {column + 1}: {str(exc).split(':')[0]}"
        ) from None
    names, title = _metadata(root)
    reader = _Reader(root, names)
    body = next((el for el in root if _local(el.tag) == "body"), None)
    try:
        if body is not None:
            reader.walk(body, 0.0, None)
    except RecursionError:  # elements thousands deep: no captions nest like that
        raise TranscriptError("the TTML file nests too deeply to be captions") from None
    return reader.segments, {"title": title} if title else {}


def _metadata(root: ET.Element) -> tuple[dict[str, str], str | None]:
    """Agent id -> name (`<ttm:agent xml:id="..."><ttm:name>...</ttm:name>`) and the first
    `<ttm:title>`, in one pass over the document."""
    names: dict[str, str] = {}
    title = None
    for el in root.iter():
        tag = _local(el.tag)
        if tag == "agent":
            agent = _attr(el, "id")
            name = next((n.text for n in el if _local(n.tag) == "name" and n.text), None)
            if agent and name:
                names[agent] = " ".join(name.split())
        elif tag == "title" and title is None and (el.text or "").strip():
            title = " ".join((el.text or "").split())
    return names, title


def _speaker(agent: str | None, names: dict[str, str]) -> str | None:
    if not agent:
        return None
    agent = agent.split()[0]  # several agents: the first speaks
    if agent in names:
        return names[agent]
    if m := _APPLE_SPEAKER.fullmatch(agent):
        return f"Speaker {m.group(1)}"
    return agent


class _Reader:
    """The segments of a TTML body, one per `<p>`, in document order."""

    def __init__(self, root: ET.Element, names: dict[str, str]) -> None:
        self.clock = _Clock(root)
        self.names = names
        self.segments: list[RawSegment] = []

    def walk(self, el: ET.Element, offset: float, agent: str | None) -> None:
        """Every `<p>` under `el`, whose parent begins `offset` seconds in."""
        here = offset + (self.clock.seconds(_attr(el, "begin")) or 0.0)
        agent = _attr(el, "agent") or agent
        for child in el:
            if _local(child.tag) == "p":
                self.paragraph(child, here, agent)
            elif _local(child.tag) == "div":
                self.walk(child, here, agent)

    def paragraph(self, p: ET.Element, offset: float, agent: str | None) -> None:
        clock = self.clock
        pieces: list[str] = []
        _words(p, pieces)
        words = " ".join("".join(pieces).split())
        if not words:
            return
        begin = clock.seconds(_attr(p, "begin"))
        start = offset + begin if begin is not None else None
        end = _end(p, start if start is not None else offset, clock)
        if start is None:  # Apple: the times are on the words
            times = []
            for span in p.iter():
                b = clock.seconds(_attr(span, "begin"))
                if span is not p and b is not None:
                    times.append((offset + b, _end(span, offset + b, clock)))
            if times:
                start = min(t for t, _ in times)
                ends = [e for _, e in times if e is not None]
                end = max(ends) if ends else None
        speaker = _attr(p, "agent") or agent
        if speaker is None:
            speaker = next((a for s in p.iter() if (a := _attr(s, "agent"))), None)
        self.segments.append(RawSegment(words, start, end, _speaker(speaker, self.names)))


def _end(el: ET.Element, start: float, clock: _Clock) -> float | None:
    end = clock.seconds(_attr(el, "end"))
    if end is not None:
        return start - (clock.seconds(_attr(el, "begin")) or 0.0) + end
    dur = clock.seconds(_attr(el, "dur"))
    return start + dur if dur is not None else None


def _words(el: ET.Element, out: list[str]) -> None:
    """The text of `el`: `<br/>` is a space; a word unit is set off by spaces."""
    word = _attr(el, "unit") == "word"
    if word:
        out.append(" ")
    if _local(el.tag) == "br":
        out.append(" ")
    elif el.text:
        out.append(el.text)
    for child in el:
        if _local(child.tag) not in _NOT_WORDS:
            _words(child, out)
        if child.tail:
            out.append(child.tail)
    if word:
        out.append(" ")
