"""Feed digests: schedules, the scheduler, the digest runner, the subscription commands and
their store."""
