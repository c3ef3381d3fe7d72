"""Brickboard: a real-time workshop board for the Smart City Innovation Canvas."""

__version__ = "0.1.0"
