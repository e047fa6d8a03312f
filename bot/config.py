"""Settings, read from the environment (and a `.env` file), validated at start."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any, Literal

from pydantic import AliasChoices, BeforeValidator, Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.errors import UserError
from summarizers.llm import LLMConfig

DEFAULT_MAX_TRANSCRIPT_BYTES = 20_000_000


def _seconds_or_iso(value: Any) -> Any:
    """A duration setting as plain seconds ("86400", "90.5") or ISO 8601 ("PT24H")."""
    if isinstance(value, str):
        text = value.strip()
        try:
            return timedelta(seconds=float(text))
        except ValueError:
            return text  # pydantic reads ISO 8601 and says what is wrong with anything else
        except OverflowError:
            raise ValueError(f"{text} seconds is too long a duration") from None
    return value


Duration = Annotated[timedelta, BeforeValidator(_seconds_or_iso)]


class SlackSettings(BaseSettings):
    """`SLACK_*`: the Slack app's credentials (see adapters/slack/manifest.yml)."""

    model_config = SettingsConfigDict(
        env_prefix="SLACK_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    bot_token: SecretStr | None = Field(None, description="xoxb- token (single workspace)")
    signing_secret: SecretStr | None = Field(None, description="verifies HTTP requests")
    app_token: SecretStr | None = Field(None, description="xapp- token: Socket Mode")
    client_id: str | None = Field(None, description="OAuth install for several workspaces")
    client_secret: SecretStr | None = Field(None, description="OAuth client secret")
    api_url: str = Field("https://slack.com/api/", description="Web API base URL")
    command: str = Field("/podbrief", description="the slash command's name")
    managers: str = Field(
        "",
        validation_alias=AliasChoices("PODBRIEF_SLACK_MANAGERS", "SLACK_MANAGERS"),
        description="comma-separated user ids allowed to change channel feeds",
    )

    @property
    def configured(self) -> bool:
        return bool(self.bot_token or self.client_id)


class DiscordSettings(BaseSettings):
    """`DISCORD_*`: the Discord application's bot token and where Discord is."""

    model_config = SettingsConfigDict(
        env_prefix="DISCORD_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    token: SecretStr | None = Field(None, description="the bot token")
    api_url: str = Field("https://discord.com/api/v10", description="REST base URL")
    gateway_url: str = Field("wss://gateway.discord.gg/", description="gateway URL")
    shard_count: int | None = Field(None, ge=1, description="shards (AutoShardedClient)")


class Settings(BaseSettings):
    """Every setting podbrief reads; environment variables are `PODBRIEF_<NAME>`."""

    model_config = SettingsConfigDict(
        env_prefix="PODBRIEF_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    engine: Literal["extractive", "llm"] = Field(
        "extractive", description="summarizer engine used when a command does not name one"
    )
    max_transcript_bytes: int = Field(
        DEFAULT_MAX_TRANSCRIPT_BYTES,
        gt=0,
        description="largest transcript accepted, in bytes (files, pasted text, downloads)",
    )
    max_audio_bytes: int = Field(
        500_000_000, gt=0, description="largest audio file accepted, in bytes"
    )
    max_audio_seconds: float = Field(
        5 * 3600, gt=0, description="longest audio accepted, in seconds"
    )
    stt_model: str | None = Field(
        None,
        description="speech-to-text model: a CTranslate2 Whisper model folder, or a size "
        "faster-whisper's cache holds (never downloaded); unset: the bundled tiny.en",
    )
    stt_threads: int = Field(
        0, ge=0, le=64, description="CPU threads per transcription (0: faster-whisper's default)"
    )
    stt_engine: Literal["local", "remote"] = Field(
        "local",
        description="speech-to-text: local (the model above, on this machine's CPU) or "
        "remote (an OpenAI-compatible /v1/audio/transcriptions server)",
    )
    stt_base_url: str | None = Field(
        None,
        description="remote speech-to-text server, e.g. https://api.openai.com/v1 or "
        "http://localhost:8000/v1 (speaches, whisper.cpp, LocalAI, vLLM)",
    )
    stt_api_key: SecretStr | None = Field(
        None, description="API key for the remote speech-to-text server"
    )
    stt_remote_model: str = Field(
        "whisper-1", min_length=1, description="the remote server's transcription model"
    )
    stt_max_upload_bytes: int = Field(
        24 * 1024 * 1024,
        gt=100_000,
        description="largest upload the remote server takes; longer audio is sent in parts",
    )
    stt_retries: int = Field(3, ge=0, le=10, description="retries on timeouts, 429 and 5xx")
    progress_seconds: float = Field(
        5.0,
        ge=0.05,
        le=600,
        description="least seconds between two progress messages (transcribing 12:00 of "
        "58:00) in a chat",
    )
    youtube_proxy: str | None = Field(
        None,
        description="proxy for YouTube's captions (http://user:pass@host:port): YouTube "
        "refuses many server addresses",
    )
    youtube_base_url: str = Field(
        "https://www.youtube.com",
        description="where YouTube is (only for a local stand-in, as in the tests)",
    )
    apple_lookup_url: str = Field(
        "https://itunes.apple.com/lookup",
        description="Apple's podcast directory (the iTunes Lookup API), for Apple Podcasts "
        "links; only changed for a local stand-in, as in the tests",
    )
    takeaways: int = Field(6, ge=3, le=10, description="default number of takeaways")
    quotes: int = Field(4, ge=1, le=8, description="default number of quotes")

    http_port: int = Field(
        3000, ge=0, le=65535, description="HTTP port (Slack HTTP mode, /healthz)"
    )
    http_request_timeout: float = Field(
        10,
        gt=0,
        le=300,
        description="seconds a client may take to send a request to the HTTP port (headers "
        "and body); an idle connection is closed after as long",
    )
    slack: SlackSettings = Field(default_factory=SlackSettings)
    discord: DiscordSettings = Field(default_factory=DiscordSettings)
    database_url: str = Field(
        "sqlite:///podbrief.db",
        validation_alias=AliasChoices("DATABASE_URL", "PODBRIEF_DATABASE_URL"),
        description="SQLite file (default) or postgresql://user@host/db for several instances",
    )
    fetch_allow_hosts: str = Field(
        "",
        description="comma-separated hosts that links may reach even when private "
        "(UNSAFE on a public bot; for tests and private deployments)",
    )
    fetch_timeout: float = Field(
        20.0, gt=0, le=300, description="seconds per download (and per read of an audio one)"
    )
    audio_download_timeout: float = Field(
        1800.0, gt=0, description="seconds for a whole audio download (written to disk)"
    )
    workers: int = Field(
        2,
        ge=0,
        le=64,
        description="worker processes for loading and summarizing (0: threads in the bot process)",
    )
    job_timeout: float = Field(
        300,
        gt=0,
        le=86400,
        description="seconds a worker may spend on one job (a transcript, a feed, a summary) "
        "before it is stopped",
    )
    digest_catchup: Duration = Field(
        timedelta(hours=24),
        ge=timedelta(0),
        description="after downtime, the latest missed digest slot "
        "this recent is posted once (seconds or ISO 8601 like PT24H)",
    )
    digest_claim_timeout: Duration = Field(
        timedelta(minutes=15),
        gt=timedelta(0),
        description="a digest claim older than this, left by a crashed instance, is taken "
        "over (seconds or ISO 8601 like PT15M)",
    )
    link_cache_seconds: float = Field(
        3600,
        ge=0,
        description="a link summarized this recently is answered from the cache (0: always fetch)",
    )
    workspace_jobs: int = Field(
        2, ge=1, le=64, description="summaries one workspace may run at once"
    )

    # The LLM engine (any OpenAI-compatible server)
    openai_api_key: SecretStr | None = Field(
        None,
        validation_alias=AliasChoices("OPENAI_API_KEY", "PODBRIEF_OPENAI_API_KEY"),
        description="API key for the LLM engine (not needed by most local servers)",
    )
    openai_base_url: str | None = Field(
        None,
        validation_alias=AliasChoices("OPENAI_BASE_URL", "PODBRIEF_OPENAI_BASE_URL"),
        description="OpenAI-compatible server, e.g. http://localhost:11434/v1 for Ollama",
    )
    llm_model: str = Field("gpt-4o-mini", min_length=1, description="model name")
    llm_timeout: float = Field(60.0, gt=0, le=600, description="seconds per request")
    llm_retries: int = Field(2, ge=0, le=10, description="retries on timeouts, 429 and 5xx")
    llm_parallel: int = Field(4, ge=1, le=32, description="map requests at once")
    llm_chunk_tokens: int = Field(
        8000, ge=500, le=200_000, description="transcript tokens per map request"
    )
    llm_structured: Literal["auto", "schema", "json"] = Field(
        "auto", description="JSON-schema output, JSON mode, or detect (auto)"
    )


def load_settings() -> Settings:
    """Read the settings, turning validation errors into one message naming the variable."""
    try:
        return Settings()
    except ValidationError as exc:
        model = _MODELS.get(exc.title, Settings)
        problems = [f"{env_name(model, err['loc'])}: {err['msg']}" for err in exc.errors()]
        raise UserError("invalid settings: " + "; ".join(problems)) from None


def env_name(model: type[BaseSettings], loc: tuple[int | str, ...]) -> str:
    """The environment variable a person sets for the field at `loc` of `model` (its
    prefix, or the first name of its alias; nested platform settings have their own)."""
    head, *rest = [str(part) for part in loc] or [""]
    field = model.model_fields.get(head)
    if field is not None and isinstance(field.validation_alias, AliasChoices):
        first = field.validation_alias.choices[0]
        return str(first).upper()
    nested = field.default_factory if field is not None else None
    if rest and isinstance(nested, type) and issubclass(nested, BaseSettings):
        return env_name(nested, tuple(rest))
    prefix = str(model.model_config.get("env_prefix") or "")
    return (prefix + "_".join([head, *rest])).upper()


def allow_hosts(settings: Settings) -> frozenset[str]:
    return frozenset(h.strip().lower() for h in settings.fetch_allow_hosts.split(",") if h.strip())


def llm_config(settings: Settings) -> LLMConfig:
    """The LLM engine's configuration; a clear error if there is no server to talk to."""
    if settings.openai_api_key is None and settings.openai_base_url is None:
        raise UserError(
            "the llm engine needs OPENAI_API_KEY (OpenAI) or OPENAI_BASE_URL (a local "
            "OpenAI-compatible server such as Ollama); or use --engine extractive"
        )
    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
    return LLMConfig(
        model=settings.llm_model,
        base_url=settings.openai_base_url,
        api_key=key,
        timeout=settings.llm_timeout,
        retries=settings.llm_retries,
        parallel=settings.llm_parallel,
        chunk_tokens=settings.llm_chunk_tokens,
        structured=settings.llm_structured,
    )


_MODELS: dict[str, type[BaseSettings]] = {
    model.__name__: model for model in (Settings, SlackSettings, DiscordSettings)
}
