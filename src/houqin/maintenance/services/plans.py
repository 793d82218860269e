"""Writes of plans."""

__all__ = []
