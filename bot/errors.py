"""Errors whose message is meant for the person who asked."""


class UserError(Exception):
    """Something the user can fix; `str(error)` is a one-line message saying what and how."""


class TranscriptError(UserError):
    """The transcript could not be read or is not usable."""
