"""Everything that turns a user's source into a Transcript: safe fetching, links, feeds and
the transcript readers."""
