"""Every setting podbrief reads is documented in the README's settings table."""

from __future__ import annotations

from pydantic import AliasChoices
from pydantic_settings import BaseSettings

from bot.config import DiscordSettings, Settings, SlackSettings
from tests.support.data import ROOT

README = ROOT / "README.md"


def _variables(model: type[BaseSettings]) -> list[str]:
    """The environment variable a field is read from (its first alias, else prefix + name)."""
    prefix = str(model.model_config.get("env_prefix", ""))
    names = []
    for field, info in model.model_fields.items():
        if isinstance(info.annotation, type) and issubclass(info.annotation, BaseSettings):
            continue  # a nested group, listed on its own
        alias = info.validation_alias
        if isinstance(alias, AliasChoices):
            names.append(str(alias.choices[0]))
        else:
            names.append((prefix + field).upper())
    return names


def _table() -> str:
    text = README.read_text()
    start = text.index("## Settings")
    end = text.find("\n## ", start + 1)
    return text[start : end if end > 0 else None]


def test_every_setting_is_in_the_readme_table() -> None:
    table = _table()
    rows = [line for line in table.splitlines() if line.startswith("| `")]
    documented = " ".join(rows)
    missing = [
        name
        for model in (Settings, SlackSettings, DiscordSettings)
        for name in _variables(model)
        if f"`{name}`" not in documented
    ]
    assert not missing, f"settings not in the README table: {missing}"


def test_the_settings_table_is_one_table() -> None:
    lines = _table().splitlines()
    first = next(i for i, line in enumerate(lines) if line.startswith("| variable"))
    last = max(i for i, line in enumerate(lines) if line.startswith("| `"))
    assert all(line.startswith("|") for line in lines[first : last + 1]), "a gap splits it"
