"""Writes of patrols."""

__all__ = []
