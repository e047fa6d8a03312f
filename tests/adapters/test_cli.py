"""The `podbrief` command, run through its installed entry point."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.support.data import AUDIO, FIXTURES, ROOT

EXAMPLE = ROOT / "examples" / "repair-cafe.txt"
SCRIPT = Path(sys.executable).with_name("podbrief")


def podbrief(
    *args: str, stdin: bytes | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[bytes]:
    command = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "adapters.cli"]
    return subprocess.run(
        [*command, *args],
        input=stdin,
        capture_output=True,
        timeout=60,
        env={**os.environ, **(env or {})},
        check=False,
    )


def test_markdown_by_default() -> None:
    r = podbrief("summarize", str(EXAMPLE))
    assert r.returncode == 0, r.stderr
    out = r.stdout.decode()
    assert out.startswith("# Fix It Forward")
    assert "## Key takeaways" in out
    assert "## Quotes" in out
    assert out.count("\n- ") == 6


def test_json_schema_is_stable() -> None:
    r = podbrief("summarize", str(EXAMPLE), "--format", "json", "--takeaways", "4", "--quotes", "2")
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    for key in (
        "title",
        "show",
        "duration_seconds",
        "engine",
        "transcript_sha256",
        "takeaways",
        "quotes",
        "topics",
    ):
        assert key in data
    assert len(data["takeaways"]) == 4
    assert len(data["quotes"]) == 2
    assert set(data["takeaways"][0]) >= {"text", "speaker", "start_seconds"}
    assert set(data["quotes"][0]) >= {"text", "verbatim", "speaker", "start_seconds"}
    assert set(data["topics"][0]) >= {"title", "start_seconds"}
    text = EXAMPLE.read_text()
    assert all(q["verbatim"] in text for q in data["quotes"])


def test_text_format_and_stdin() -> None:
    r = podbrief("summarize", "-", "-f", "text", stdin=(FIXTURES / "episode.vtt").read_bytes())
    assert r.returncode == 0, r.stderr
    assert "KEY TAKEAWAYS" in r.stdout.decode()


@pytest.mark.parametrize(
    ("args", "stdin", "expected"),
    [
        (["summarize", "missing-file.txt"], None, "no such file"),
        (["summarize", "-"], b"", "empty"),
        (["summarize", "-"], bytes(range(256)) * 50, "the input is a binary file"),
        (["summarize", "-"], b"Too short to summarize.", "too short"),
        (["summarize", "-"], b"word " * 100, "nothing in this transcript can be a takeaway"),
        (["summarize", str(EXAMPLE), "--takeaways", "11"], None, "--takeaways"),
        (["summarize", str(EXAMPLE), "--format", "pdf"], None, "--format"),
        (["summarize"], None, "Missing argument"),
        (["sumarize", str(EXAMPLE)], None, "No such command"),
    ],
)
def test_bad_input_exits_2_with_one_line(
    args: list[str], stdin: bytes | None, expected: str
) -> None:
    r = podbrief(*args, stdin=stdin)
    assert r.returncode == 2
    err = r.stderr.decode()
    assert expected in err
    assert err.count("\n") == 1, err
    assert "Traceback" not in err
    assert r.stdout == b""


def test_size_limit_setting() -> None:
    r = podbrief("summarize", str(EXAMPLE), env={"PODBRIEF_MAX_TRANSCRIPT_BYTES": "1000"})
    assert r.returncode == 2
    assert "limit" in r.stderr.decode()


def test_invalid_setting_names_the_variable() -> None:
    r = podbrief("summarize", str(EXAMPLE), env={"PODBRIEF_MAX_TRANSCRIPT_BYTES": "lots"})
    assert r.returncode == 2
    assert "PODBRIEF_MAX_TRANSCRIPT_BYTES" in r.stderr.decode()


def test_cp1252_note_goes_to_stderr(tmp_path: Path) -> None:
    path = tmp_path / "latin.txt"
    path.write_bytes(EXAMPLE.read_text().replace("Okafor", "Okafór").encode("cp1252"))
    r = podbrief("summarize", str(path))
    assert r.returncode == 0
    assert "cp1252" in r.stderr.decode()
    assert "Okafór" in r.stdout.decode()


def test_help() -> None:
    r = podbrief("summarize", "--help")
    assert r.returncode == 0
    assert "--takeaways" in r.stdout.decode()


def test_llm_engine_through_the_cli() -> None:
    from tests.support.fakes.openai_server import ThreadedFakeOpenAI

    with ThreadedFakeOpenAI("good") as server:
        r = podbrief(
            "summarize",
            str(EXAMPLE),
            "--engine",
            "llm",
            "-f",
            "json",
            env={
                "OPENAI_BASE_URL": server.base_url,
                "OPENAI_API_KEY": "sk-test-secret",
                "PODBRIEF_LLM_MODEL": "local-model",
            },
        )
        assert r.returncode == 0, r.stderr
        data = json.loads(r.stdout)
        assert data["engine"] == "llm"
        assert data["model"] == "local-model"
        assert data["usage"]["calls"] == len(server.requests) == 1
        assert server.requests[0]["model"] == "local-model"
        assert all(q["verbatim"] in EXAMPLE.read_text() for q in data["quotes"])
        assert b"sk-test-secret" not in r.stderr


def test_llm_engine_unreachable_falls_back_with_a_note() -> None:
    r = podbrief(
        "summarize",
        str(EXAMPLE),
        "--engine",
        "llm",
        env={
            "OPENAI_BASE_URL": "http://127.0.0.1:9/v1",
            "PODBRIEF_LLM_RETRIES": "0",
            "PODBRIEF_LLM_TIMEOUT": "2",
        },
    )
    assert r.returncode == 0
    assert "could not be reached" in r.stderr.decode()
    assert "extractive engine" in r.stdout.decode()


def test_llm_engine_without_key_or_server() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
    command = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "adapters.cli"]
    r = subprocess.run(
        [*command, "summarize", str(EXAMPLE), "--engine", "llm"],
        capture_output=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert r.returncode == 2
    assert "OPENAI_API_KEY" in r.stderr.decode()


def test_run_starts_the_console_adapter(tmp_path: Path) -> None:
    script = "\n".join(
        [
            "help",
            f"summarize {EXAMPLE}",
            f"summarize {EXAMPLE}",
            "episodes",
            "quotes 1",
            "sumarize",
            "summarize http://127.0.0.1:9/x",
            "quit",
            "",
        ]
    )
    r = podbrief(
        "run", stdin=script.encode(), env={"DATABASE_URL": f"sqlite:///{tmp_path / 'bot.db'}"}
    )
    assert r.returncode == 0, r.stderr
    out = r.stdout.decode()
    assert out.count("KEY TAKEAWAYS") == 2
    assert "(episode 1, from cache)" in out
    assert "1 Fix It Forward" in out
    assert "Did you mean" in out
    assert "error: links to private" in out
    assert "Traceback" not in out + r.stderr.decode()


def test_db_upgrade(tmp_path: Path) -> None:
    r = podbrief("db", "upgrade", env={"DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"})
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "x.db").exists()


def test_the_readme_json_example_is_the_demo_output() -> None:
    readme = (ROOT / "README.md").read_text()
    start = readme.index("```json\n") + len("```json\n")
    example = json.loads(readme[start : readme.index("```", start)])
    r = podbrief("summarize", str(EXAMPLE), "--format", "json")
    assert r.returncode == 0, r.stderr
    real = json.loads(r.stdout)
    assert example.keys() == real.keys()
    for part in ("takeaways", "quotes", "topics"):
        assert example[part][0].keys() == real[part][0].keys()
        assert example[part][0] == real[part][0]
    for key in real.keys() - {"source", "takeaways", "quotes", "topics"}:
        assert example[key] == real[key], key


@contextmanager
def served(files: dict[str, bytes]) -> Iterator[str]:
    """A plain HTTP server on 127.0.0.1 (port 0) answering `files` by path, 404 otherwise;
    `{base}` in a body becomes the server's address."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (the stdlib's name)
            body = files.get(self.path)
            if body is None:
                self.send_error(404)
                return
            body = body.replace(b"{base}", f"http://127.0.0.1:{port}".encode())
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.shutdown()
        server.server_close()


def test_a_youtube_link_is_summarized_from_its_captions() -> None:
    from tests.support.fakes.youtube_server import youtube_in_thread

    with youtube_in_thread() as fake:
        env = {"PODBRIEF_YOUTUBE_BASE_URL": fake.base}
        r = podbrief("summarize", "https://youtu.be/creatorcap1", "-f", "json", env=env)
        assert r.returncode == 0, r.stderr
        data = json.loads(r.stdout)
        assert data["title"] == "Why Repair Beats Replace"
        assert data["source"] == "https://www.youtube.com/watch?v=creatorcap1"
        r = podbrief("summarize", "https://youtu.be/creatorcap1", env=env)
        assert "](https://www.youtube.com/watch?v=creatorcap1&t=" in r.stdout.decode()
        r = podbrief("summarize", "https://youtu.be/nocaptions1", env=env)
        assert r.returncode == 2
        assert "has no captions" in r.stderr.decode()


def test_links_and_feed_links() -> None:
    files = {
        "/episode.vtt": (FIXTURES / "episode.vtt").read_bytes(),
        "/feed.xml": (FIXTURES / "feed.xml").read_bytes(),
        "/ep2.json": (FIXTURES / "episode.json").read_bytes(),
    }
    allow = {"PODBRIEF_FETCH_ALLOW_HOSTS": "127.0.0.1"}
    with served(files) as base:
        r = podbrief("summarize", f"{base}/episode.vtt", "-f", "json", env=allow)
        assert r.returncode == 0, r.stderr
        data = json.loads(r.stdout)
        assert data["title"] == "episode"
        assert data["takeaways"][0]["speaker"] in {"Priya", "Tom"}
        r = podbrief("summarize", f"{base}/feed.xml", "-f", "json", env=allow)
        assert r.returncode == 0, r.stderr
        data = json.loads(r.stdout)
        assert (data["title"], data["show"]) == ("Hot composting", "Compost Corner")
        r = podbrief("summarize", f"{base}/gone.vtt", env=allow)
        assert r.returncode == 2
        assert b"HTTP 404" in r.stderr
        # without the allowance, a local address is refused, as in the bot
        r = podbrief("summarize", f"{base}/episode.vtt")
        assert r.returncode == 2
        assert b"not allowed" in r.stderr


def test_link_option_makes_markdown_times_link_to_the_video() -> None:
    video = "https://www.youtube.com/watch?v=abc123"
    r = podbrief("summarize", str(FIXTURES / "episode.vtt"), "--link", video)
    assert r.returncode == 0, r.stderr
    out = r.stdout.decode()
    # every takeaway, quote and topic time is a link to that second of the video
    stamps = [line for line in out.splitlines() if line.startswith(("- ", "> —", "1. "))]
    assert stamps
    for line in stamps:
        assert f"]({video}&t=" in line, line
    # the JSON names the video as the source; without --link, the file
    r = podbrief("summarize", str(FIXTURES / "episode.vtt"), "--link", video, "-f", "json")
    assert json.loads(r.stdout)["source"] == video
    r = podbrief("summarize", str(FIXTURES / "episode.vtt"))
    assert "](" not in r.stdout.decode()


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["summarize", "https://www.youtube.com/@workbench"], "send a video's link"),
        (["summarize", "ftp://example.com/episode.txt"], "only http and https links"),
        (["summarize", "https://example.com/a.vtt", "--link", "https://youtu.be/x"], "--link"),
        (["summarize", str(EXAMPLE), "--link", "youtube"], "http(s) link"),
    ],
)
def test_links_the_command_line_cannot_use(args: list[str], expected: str) -> None:
    r = podbrief(*args)
    assert r.returncode == 2
    err = r.stderr.decode()
    assert expected in err
    assert err.count("\n") == 1, err
    assert r.stdout == b""


def test_a_short_episode_says_why_it_has_no_quotes() -> None:
    # the fixture episode is short and all figures: its lines are takeaways, none a quote
    for fmt, expected in (("md", "_No line besides"), ("text", "\nNo line besides")):
        r = podbrief("summarize", str(FIXTURES / "episode_figures.txt"), "-f", fmt)
        assert r.returncode == 0, r.stderr
        assert expected in r.stdout.decode()


def _closed_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        (f"postgresql://podbrief:hunter2-secret@127.0.0.1:{_closed_port()}/podbrief", "refused"),
        ("postgresql://no_such_role_here:hunter2-secret@127.0.0.1:5432/test", "no_such_role_here"),
        ("sqlite:////nonexistent-dir/podbrief.db", "the folder /nonexistent-dir does not exist"),
    ],
)
def test_db_upgrade_on_an_unusable_database_says_so_in_one_line(url: str, reason: str) -> None:
    if "5432" in url:
        from tests.support.storage_urls import REQUIRE_POSTGRES, postgres_reachable

        if not postgres_reachable():
            if REQUIRE_POSTGRES:
                pytest.fail("Postgres is required (PODBRIEF_REQUIRE_POSTGRES=1)")
            pytest.skip("no local Postgres to refuse the role")
    r = podbrief("db", "upgrade", env={"DATABASE_URL": url})
    err = r.stderr.decode()
    assert r.returncode == 2
    assert err.count("\n") == 1, err
    assert err.startswith("podbrief: error: cannot use the database ")
    assert reason in err
    assert "check DATABASE_URL" in err
    assert "hunter2" not in err
    assert "Traceback" not in err


def test_run_that_cannot_start_exits_non_zero_with_one_line(tmp_path: Path) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("0.0.0.0", 0))
        taken.listen()
        port = taken.getsockname()[1]
        r = podbrief(
            "run",
            env={
                "SLACK_BOT_TOKEN": "xoxb-start-test",
                "SLACK_SIGNING_SECRET": "start-test-secret",
                "SLACK_API_URL": f"http://127.0.0.1:{_closed_port()}/api/",
                "PODBRIEF_HTTP_PORT": str(port),
                "DATABASE_URL": f"sqlite:///{tmp_path / 'start.db'}",
            },
        )
    err = r.stderr.decode()
    assert r.returncode == 1, err
    assert err.count("\n") == 1, err
    assert err.startswith("podbrief: error: stopped: slack: OSError: ")
    assert str(port) in err
    assert "Traceback" not in err


def test_audio_is_transcribed_offline_from_a_path_stdin_or_a_link() -> None:
    """`podbrief summarize episode.mp3` (the README's promise): the bundled model, no
    network; a progress bar with the position on a terminal; the same audio from standard
    input and from a link; the JSON names the transcription engine and model."""
    audio = AUDIO / "tool-library.opus"
    terminal = {"FORCE_COLOR": "1", "TTY_INTERACTIVE": "1"}  # rich draws as on a terminal
    r = podbrief("summarize", str(audio), "-f", "json", env=terminal)
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["transcription"] == "faster-whisper tiny.en"
    assert any("tool" in t["text"].lower() for t in data["takeaways"])
    assert all(t["start_seconds"] is not None for t in data["takeaways"])
    shown = r.stderr.decode()
    assert "Transcribing tool-library.opus" in shown
    assert re.search(r"\d:\d\d of 0:49", shown), shown[-300:]

    r = podbrief("summarize", "-", stdin=audio.read_bytes())
    assert r.returncode == 0, r.stderr
    assert "transcribed by faster-whisper tiny.en" in r.stdout.decode()

    from tests.support.feeds import audio_feed_xml

    feed = audio_feed_xml("{base}", datetime(2026, 11, 30, tzinfo=UTC)).encode()
    files = {"/episode.opus": audio.read_bytes(), "/tool-library.opus": audio.read_bytes()}
    with served({**files, "/audio.xml": feed}) as base:
        allow = {"PODBRIEF_FETCH_ALLOW_HOSTS": "127.0.0.1"}
        r = podbrief("summarize", f"{base}/episode.opus", "-f", "json", env=allow)
        assert r.returncode == 0, r.stderr
        assert json.loads(r.stdout)["transcription"] == "faster-whisper tiny.en"
        # a feed whose newest episode is audio only: its <enclosure> is transcribed
        r = podbrief("summarize", f"{base}/audio.xml", "-f", "json", env=allow)
        assert r.returncode == 0, r.stderr
        data = json.loads(r.stdout)
        assert (data["title"], data["show"]) == ("The tool library", "Fix It Forward")
        assert data["transcription"] == "faster-whisper tiny.en"


def test_an_apple_podcasts_link_is_found_in_the_shows_feed() -> None:
    from tests.support.fakes.apple_server import SHOW, FakeApple
    from tests.support.fakes.local import in_thread

    with in_thread(FakeApple()) as apple:
        env = {
            "PODBRIEF_APPLE_LOOKUP_URL": apple.lookup_url,
            "PODBRIEF_FETCH_ALLOW_HOSTS": "127.0.0.1",
        }
        r = podbrief("summarize", f"{SHOW}?i=1000000002", "-f", "json", env=env)
        assert r.returncode == 0, r.stderr
        data = json.loads(r.stdout)
        assert (data["title"], data["show"]) == ("Hot composting", "Compost Corner")
        assert data["takeaways"]
    r = podbrief("summarize", "https://open.spotify.com/episode/4rOoJ6Egrf8K2IrywzwOMk")
    assert r.returncode == 2
    assert "Apple Podcasts" in r.stderr.decode()
