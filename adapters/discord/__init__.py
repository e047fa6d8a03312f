"""The Discord adapter: `/podbrief` application commands via discord.py."""
