"""Discord application-command options -> Commands."""

from __future__ import annotations

from adapters.discord.parse import FileOption, to_command
from bot.messages import Destination


def test_link_episode_and_words() -> None:
    cmd = to_command("quotes", user_id=7, channel_id=11, guild_id=13, link="  https://x.test/a ")
    assert (cmd.name, cmd.args, cmd.user) == ("quotes", "https://x.test/a", "7")
    assert cmd.destination == Destination("discord", "11", "13")
    assert to_command("takeaways", user_id=7, channel_id=11, guild_id=13, episode=12).args == "12"
    search = to_command("episodes", user_id=7, channel_id=11, guild_id=13, words="compost")
    assert search.args == "compost"
    manage = to_command(
        "subscribe", user_id=7, channel_id=11, guild_id=13, words="https://f.test/x daily 09:00"
    )
    assert (manage.args, manage.can_manage) == ("https://f.test/x daily 09:00", False)


def test_a_direct_message_has_its_own_workspace_and_a_file() -> None:
    file = FileOption("ep.vtt", "https://cdn.discordapp.test/attachments/1/2/ep.vtt", 4096)
    cmd = to_command("summarize", user_id=7, channel_id=99, guild_id=None, file=file)
    assert cmd.destination == Destination("discord", "99", "dm-7")
    assert cmd.args == ""
    assert [(a.name, a.url) for a in cmd.attachments] == [("ep.vtt", file.url)]
