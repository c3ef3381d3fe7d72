"""The store's own exceptions, in a module of their own so every part of the store can raise
them without importing the engine."""

from __future__ import annotations


class StorageError(Exception):
    """The database refused or failed a write; nothing of that batch was stored."""
