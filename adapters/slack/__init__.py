"""The Slack adapter: `/podbrief` slash commands and file mentions, via slack-bolt."""
