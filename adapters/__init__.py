"""Chat platform adapters (Slack, Discord, console)."""
