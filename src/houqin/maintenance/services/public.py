"""Writes of public."""

__all__ = []
