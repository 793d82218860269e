"""Writes of incidents."""

__all__ = []
