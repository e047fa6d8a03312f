"""podbrief's platform-neutral core: settings, transcript sources, CLI."""
