"""A recording messenger: the outbound port (bot.ports.Messenger) as a list in memory."""

from __future__ import annotations

from bot.messages import Destination, Reply


class RecordingMessenger:
    """Keeps what it posted and finds a digest by its marker, like the platforms do (Slack
    message metadata, a Discord footer line).

    `fail_after_post` makes the next posts raise after they were kept: the platform took the
    message and the answer was lost on the way back.
    """

    def __init__(self, fail_after_post: int = 0) -> None:
        self.posts: list[tuple[str, str | None]] = []  # (message id, marker)
        self.replies: list[tuple[Destination, Reply]] = []
        self.fail_after_post = fail_after_post

    async def post(self, destination: Destination, reply: Reply) -> list[str]:
        self.posts.append((f"m{len(self.posts) + 1}", reply.marker))
        self.replies.append((destination, reply))
        if self.fail_after_post > 0:
            self.fail_after_post -= 1
            raise TimeoutError("the answer was lost")
        return [self.posts[-1][0]]

    async def find(self, destination: Destination, marker: str) -> list[str]:
        return [mid for mid, m in self.posts if m == marker]
