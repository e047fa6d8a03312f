"""Turning a Transcript into a Summary."""
