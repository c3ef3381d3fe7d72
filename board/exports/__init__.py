"""Exports: documents made from snapshots (pure rendering, no I/O)."""
