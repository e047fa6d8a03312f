"""The console adapter: the bot's commands in a terminal, against local files."""
