"""Logging for the bot: one line per record, with credentials taken out.

Libraries log more than we do: at DEBUG, discord.py logs every webhook URL (an
interaction's token is part of it) and the gateway's events (which carry that token too).
Every record passes through `Redact` before any handler writes it: the configured secrets
are replaced wherever they appear, and so is anything shaped like a Slack token, an
OpenAI-style key, a bearer token, an interaction token, or a request's verification token,
response_url or trigger_id (slack_bolt logs a refused request's whole body at DEBUG).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

REDACTED = "<redacted>"
_PATTERNS = (
    (re.compile(r"\bxox[a-z]-[A-Za-z0-9-]+"), REDACTED),  # Slack bot/user tokens
    (re.compile(r"\bxapp-[A-Za-z0-9-]+"), REDACTED),  # Slack app-level tokens
    (re.compile(r"\bsk-[A-Za-z0-9_-]{8,}"), REDACTED),  # OpenAI-style API keys
    # an Authorization header's credential ("Bearer abc...", Discord's "Bot MTk...")
    (re.compile(r"\b([Bb]earer|Bot)\s+[A-Za-z0-9._~+/=-]{20,}"), r"\1 " + REDACTED),
    (re.compile(r"(/(?:webhooks|interactions)/\d+/)[A-Za-z0-9._:-]+"), r"\1" + REDACTED),
    # request fields that are credentials: Slack's legacy verification token, the
    # response_url (its path is a secret webhook) and the trigger_id, in JSON or in a form
    # body, and response_url-shaped links wherever they appear (raw or percent-encoded)
    (
        re.compile(r"""(['"](?:token|response_url|trigger_id)['"]\s*:\s*['"])[^'"]+"""),
        r"\1" + REDACTED,
    ),
    (re.compile(r"(\b(?:token|response_url|trigger_id)=)[^&\s'\"]+"), r"\1" + REDACTED),
    (  # the same fields in a percent-encoded JSON `payload=` (interactive requests)
        re.compile(r"(%22(?:token|response_url|trigger_id)%22%3A(?:%20|\+)*%22)(?:(?!%22)[^&\s])+"),
        r"\1" + REDACTED,
    ),
    (
        re.compile(
            r"(hooks\.slack\.com(?:/|%2F)(?:commands|actions|services|triggers|workflows))"
            r"(?:/|%2F)[^\s&'\"]+",
            re.IGNORECASE,
        ),
        r"\1/" + REDACTED,
    ),
)


class Redact(logging.Filter):
    """Rewrites each record's message with secrets removed (the record is then plain text)."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        # longest first, so a secret that contains another is removed whole
        self.secrets = sorted({s for s in secrets if s and len(s) >= 6}, key=len, reverse=True)

    def clean(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        for pattern, replacement in _PATTERNS:
            text = pattern.sub(replacement, text)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = self.clean(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.clean(record.exc_text)
        return True


def configured_secrets() -> list[str]:
    """The credentials in the settings (environment and .env), when they can be read."""
    from pydantic import SecretStr, ValidationError

    from bot.config import Settings

    try:
        settings = Settings()
    except ValidationError:
        return []  # the command will report the settings; patterns still apply
    values = [settings.openai_api_key, settings.discord.token]
    slack = settings.slack
    values += [slack.bot_token, slack.app_token, slack.signing_secret, slack.client_secret]
    return [v.get_secret_value() for v in values if isinstance(v, SecretStr)]


def configure(level: str) -> Redact:
    """One-line records on stderr at `level`, every handler behind the redaction filter."""
    logging.basicConfig(level=level.upper(), format="%(levelname)s %(name)s: %(message)s")
    redact = Redact(configured_secrets())
    for handler in logging.getLogger().handlers:
        handler.addFilter(redact)
    return redact
