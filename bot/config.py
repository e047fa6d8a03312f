"""Settings, read from the environment (and a `.env` file), validated at start."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.errors import UserError

DEFAULT_MAX_TRANSCRIPT_BYTES = 20_000_000


class Settings(BaseSettings):
    """Every setting podbrief reads; environment variables are `PODBRIEF_<NAME>`."""

    model_config = SettingsConfigDict(
        env_prefix="PODBRIEF_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    engine: Literal["extractive"] = Field(
        "extractive", description="summarizer engine used when a command does not name one"
    )
    max_transcript_bytes: int = Field(
        DEFAULT_MAX_TRANSCRIPT_BYTES,
        gt=0,
        description="largest transcript accepted, in bytes (files, pasted text, downloads)",
    )
    takeaways: int = Field(6, ge=3, le=10, description="default number of takeaways")
    quotes: int = Field(4, ge=1, le=8, description="default number of quotes")


def load_settings() -> Settings:
    """Read the settings, turning validation errors into one message naming the variable."""
    try:
        return Settings()
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            name = "PODBRIEF_" + "_".join(str(p) for p in err["loc"]).upper()
            problems.append(f"{name}: {err['msg']}")
        raise UserError("invalid settings: " + "; ".join(problems)) from None
